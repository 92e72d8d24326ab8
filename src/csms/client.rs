//! The CSMS client: one async method per operation.
//!
//! Every request goes through [`Client::send`]: the read-only check, the
//! authentication, the retries of idempotent reads and the one token renewal
//! after a 401 all live there and nowhere else.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::auth::{Authenticator, Credentials, Outgoing};
use super::error::{Error, Result, TransportKind};
use super::model::*;
use super::retry::RetryPolicy;
use super::signer;

/// Everything a client needs, resolved from a profile.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub profile: String,
    pub endpoint: String,
    pub iam_endpoint: String,
    pub project: ProjectRef,
    pub credentials: Credentials,
    pub read_only: bool,
    /// Accept any TLS certificate. Only when a profile says so explicitly.
    pub insecure_skip_tls_verify: bool,
    /// A PEM file of certificates trusted besides the built-in roots.
    pub ca_file: Option<std::path::PathBuf>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
}

/// The project a client acts on: its id as configured, or its name, for
/// IAM to give the id of on first use (as the official SDKs do when
/// credentials come without a project id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectRef {
    Id(String),
    Named(String),
    /// No project: the whole account, to list its projects (a password
    /// token is scoped to the domain). CSMS calls are refused.
    Account,
}

/// Where requests of one service go: the base URL and the `Host` signed.
#[derive(Debug)]
struct Endpoint {
    base: reqwest::Url,
    host: String,
}

impl Endpoint {
    fn parse(url: &str, what: &str) -> Result<Endpoint> {
        let base = reqwest::Url::parse(url.trim_end_matches('/'))
            .map_err(|e| Error::Invalid(format!("{what} '{url}' is not a URL: {e}")))?;
        let host = match (base.host_str(), base.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err(Error::Invalid(format!("{what} '{url}' has no host"))),
        };
        Ok(Endpoint { base, host })
    }
}

/// The services a client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Csms,
    Iam,
}

#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    csms: Endpoint,
    iam: Endpoint,
    /// Set from the start when configured, else on first use from IAM.
    project_id: tokio::sync::OnceCell<String>,
    /// The name IAM is asked for when no id was configured.
    project_name: Option<String>,
    profile: String,
    read_only: bool,
    auth: Authenticator,
    retry: RetryPolicy,
    stats: Stats,
    /// Server clock minus ours, from the last answer's `Date` (`i64::MIN`: none yet).
    clock_offset: std::sync::atomic::AtomicI64,
}

/// Counters of what the client sent, for bulk pacing and for reports.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttled: AtomicU64,
}

/// A raw answer: status, body and request id.
pub(super) struct Answer {
    status: u16,
    body: bytes::Bytes,
    request_id: Option<String>,
    retry_after: Option<Duration>,
}

const USER_AGENT: &str = concat!("csms/", env!("CARGO_PKG_VERSION"));

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client> {
        let csms = Endpoint::parse(&opts.endpoint, "endpoint")?;
        let iam = Endpoint::parse(&opts.iam_endpoint, "iam_endpoint")?;
        let mut builder = reqwest::Client::builder();
        if let Some(path) = &opts.ca_file {
            let bad = |message: String| Error::Config {
                profile: opts.profile.clone(),
                key: "ca_file".into(),
                message: format!("{}: {message}", path.display()),
            };
            let pem = crate::bounded::read_file(path, crate::bounded::FILE_LIMIT).map_err(|e| bad(e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("holds no PEM certificate".into()));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .danger_accept_invalid_certs(opts.insecure_skip_tls_verify)
            .user_agent(USER_AGENT)
            // A redirect would carry the token, the signature's security
            // token or IAM's password body to a host the profile never named.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build HTTP client: {e}")))?;
        let auth = Authenticator::new(&opts.profile, opts.credentials, &opts.iam_endpoint, &opts.project, opts.retry);
        let (project_id, project_name) = match opts.project {
            ProjectRef::Id(id) => (tokio::sync::OnceCell::new_with(Some(id)), None),
            ProjectRef::Named(name) => (tokio::sync::OnceCell::new(), Some(name)),
            ProjectRef::Account => (tokio::sync::OnceCell::new(), None),
        };
        Ok(Client {
            http,
            csms,
            iam,
            project_id,
            project_name,
            profile: opts.profile,
            read_only: opts.read_only,
            auth,
            retry: opts.retry,
            stats: Stats::default(),
            clock_offset: std::sync::atomic::AtomicI64::new(i64::MIN),
        })
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// How far the server's clock is from ours, as its last answer's `Date`
    /// said: to the second, and zero within two seconds (a `Date` has no
    /// finer grain; countdowns should not jitter over it).
    pub fn clock_offset(&self) -> Option<Millis> {
        match self.clock_offset.load(Ordering::Relaxed) {
            i64::MIN => None,
            off => Some(off),
        }
    }

    fn observe_date(&self, date: &str) {
        let Ok(at) = chrono::DateTime::parse_from_rfc2822(date) else { return };
        // A `Date` is cut to the second: its middle is the best guess.
        let off = at.timestamp_millis() + 500 - crate::timefmt::now_ms();
        let off = if off.abs() < 2_000 { 0 } else { off.signum() * ((off.abs() + 500) / 1000) * 1000 };
        self.clock_offset.store(off, Ordering::Relaxed);
    }

    /// The project's id once known: configured, or found by IAM.
    pub fn known_project_id(&self) -> Option<&str> {
        self.project_id.get().map(String::as_str)
    }

    /// True when the project id came from IAM rather than the configuration.
    pub fn project_found_by_iam(&self) -> bool {
        self.project_name.is_some()
    }

    /// The project's id, asking IAM for it the first time when it was not
    /// configured. Concurrent first calls wait for one answer.
    pub async fn project_id(&self) -> Result<&str> {
        self.project_id.get_or_try_init(|| self.find_project()).await.map(String::as_str)
    }

    /// The id of the project named `project_name`: from the token when
    /// password auth scoped one by that name, else `GET /v3/projects?name=`
    /// authorized like any call. Exactly one project must answer.
    async fn find_project(&self) -> Result<String> {
        let Some(name) = self.project_name.as_deref() else {
            return Err(Error::Invalid(format!("profile '{}' names no project to act on", self.profile)));
        };
        let unresolved = |message: String| Error::Config {
            profile: self.profile.clone(),
            key: "project_id".into(),
            message: format!("{message}; set project_id in the profile"),
        };
        // The id goes into every path and `X-Project-Id`: only IAM's form is taken.
        let checked = |id: String| match crate::config::regions::is_project_id(&id) {
            true => Ok(id),
            false => {
                Err(unresolved(format!("IAM gave project '{name}' an id no project has (32 lowercase hex digits)")))
            }
        };
        if let Some(id) = self.auth.scoped_project_id(&self.http).await? {
            return checked(id);
        }
        let list = self.projects_named(Some(name)).await?;
        // IAM matches names exactly; a server that filters loosely is not trusted to.
        let mut found: Vec<ProjectSummary> = list.into_iter().filter(|p| p.name == name).collect();
        match found.len() {
            1 => {
                let id = checked(found.remove(0).id)?;
                tracing::info!(profile = %self.profile, project = %name, %id, "project id found by IAM");
                Ok(id)
            }
            0 => Err(unresolved(format!("IAM has no project named '{name}' that these credentials may reach"))),
            n => Err(unresolved(format!(
                "IAM has {n} projects named '{name}' ({})",
                found.iter().map(|p| crate::printable::printable(&p.id)).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// Every project these credentials may reach, from IAM: signed
    /// `GET /v3/projects` with AK/SK, `GET /v3/auth/projects` with a token.
    pub async fn list_projects(&self) -> Result<Vec<ProjectSummary>> {
        self.projects_named(None).await
    }

    async fn projects_named(&self, name: Option<&str>) -> Result<Vec<ProjectSummary>> {
        let path: &[&str] = match self.auth.signs() {
            true => &["v3", "projects"],
            false => &["v3", "auth", "projects"],
        };
        let query = name.map(|n| vec![("name".to_string(), n.to_string())]).unwrap_or_default();
        let answer = self.exchange(Service::Iam, Method::GET, path, query, None, "list projects").await?;
        let list: ProjectList = serde_json::from_slice(&answer.body).map_err(|e| Error::Decode {
            message: format!("IAM's project list: {e}: {}", super::error::body_excerpt(&answer.body)),
            request_id: answer.request_id,
        })?;
        Ok(list.projects)
    }

    /// How many answers were 429 so far.
    pub fn throttled(&self) -> u64 {
        self.stats.throttled.load(Ordering::Relaxed)
    }

    /// The one place where read-only profiles refuse mutations.
    pub fn check_writable(&self, operation: &'static str) -> Result<()> {
        if self.read_only { Err(Error::ReadOnly { profile: self.profile.clone(), operation }) } else { Ok(()) }
    }

    // ---- operations -------------------------------------------------------

    /// One page of secrets.
    pub async fn list_secrets_page(&self, limit: u32, marker: Option<&str>) -> Result<SecretList> {
        let mut query = vec![("limit".to_string(), limit.to_string())];
        if let Some(m) = marker {
            query.push(("marker".to_string(), m.to_string()));
        }
        self.json(Method::GET, &["secrets"], query, None, "list secrets").await
    }

    /// Every secret, page after page by marker. A server that hands back a
    /// marker it already gave is an error, not an endless loop.
    pub async fn list_secrets(&self, page_size: u32) -> Result<Vec<Secret>> {
        self.list_secrets_with(page_size, |_| {}).await
    }

    /// As `list_secrets`, showing each page to `on_page` as it arrives.
    pub async fn list_secrets_with(&self, page_size: u32, on_page: impl FnMut(&[Secret])) -> Result<Vec<Secret>> {
        all_pages(
            |marker| async move {
                let page = self.list_secrets_page(page_size, marker.as_deref()).await?;
                Ok((page.secrets, page.page_info))
            },
            on_page,
        )
        .await
    }

    /// Every secret, each page handed to `on_page` and then forgotten: for
    /// output that streams, whatever the number of secrets.
    pub async fn each_secret_page(&self, page_size: u32, on_page: impl FnMut(Vec<Secret>)) -> Result<()> {
        each_page(
            |marker| async move {
                let page = self.list_secrets_page(page_size, marker.as_deref()).await?;
                Ok((page.secrets, page.page_info))
            },
            on_page,
        )
        .await
    }

    pub async fn show_secret(&self, name: &str) -> Result<Secret> {
        let env: SecretEnvelope = self.json(Method::GET, &["secrets", name], vec![], None, "show secret").await?;
        Ok(env.secret)
    }

    pub async fn create_secret(&self, req: &CreateSecretRequest) -> Result<Secret> {
        let body = serde_json::to_vec(req).expect("serializable");
        let env: SecretEnvelope = self.json(Method::POST, &["secrets"], vec![], Some(body), "create secret").await?;
        Ok(env.secret)
    }

    pub async fn update_secret(&self, name: &str, req: &UpdateSecretRequest) -> Result<Secret> {
        let body = serde_json::to_vec(req).expect("serializable");
        let env: SecretEnvelope =
            self.json(Method::PUT, &["secrets", name], vec![], Some(body), "update secret").await?;
        Ok(env.secret)
    }

    pub async fn delete_secret(&self, name: &str) -> Result<()> {
        self.send(Method::DELETE, &["secrets", name], vec![], None, "delete secret").await?;
        Ok(())
    }

    pub async fn schedule_deletion(&self, name: &str, days: u32) -> Result<Secret> {
        if !(7..=30).contains(&days) {
            return Err(Error::Invalid(format!("the recovery window must be 7 to 30 days, not {days}")));
        }
        let body = serde_json::to_vec(&ScheduleDeletionRequest { recovery_window_in_days: days }).unwrap();
        let env: SecretEnvelope = self
            .json(
                Method::POST,
                &["secrets", name, "scheduled-deleted-tasks", "create"],
                vec![],
                Some(body),
                "schedule deletion",
            )
            .await?;
        Ok(env.secret)
    }

    /// One cancel request, nothing more. Callers that must know the outcome
    /// after a fault use [`super::reconcile::cancel_deletion`].
    pub async fn cancel_deletion(&self, name: &str) -> Result<Secret> {
        let env: SecretEnvelope = self
            .json(
                Method::POST,
                &["secrets", name, "scheduled-deleted-tasks", "cancel"],
                vec![],
                None,
                "cancel deletion",
            )
            .await?;
        Ok(env.secret)
    }

    /// Every version of a secret, page after page.
    pub async fn list_versions(&self, name: &str) -> Result<Vec<VersionMetadata>> {
        self.list_versions_paged(name, VERSIONS_PAGE).await
    }

    /// Every version of a secret, `page_size` per request.
    pub async fn list_versions_paged(&self, name: &str, page_size: u32) -> Result<Vec<VersionMetadata>> {
        all_pages(
            |marker| async move {
                let mut query = vec![("limit".to_string(), page_size.to_string())];
                if let Some(m) = marker {
                    query.push(("marker".to_string(), m));
                }
                let list: VersionList =
                    self.json(Method::GET, &["secrets", name, "versions"], query, None, "list versions").await?;
                Ok((list.version_metadatas, list.page_info))
            },
            |_| {},
        )
        .await
    }

    /// A version with its value: `v1`, `v2`... or `latest`.
    pub async fn show_version(&self, name: &str, version: &str) -> Result<Version> {
        let env: VersionEnvelope =
            self.json(Method::GET, &["secrets", name, "versions", version], vec![], None, SHOW_VERSION).await?;
        Ok(env.version)
    }

    pub async fn create_version(&self, name: &str, req: &CreateVersionRequest) -> Result<VersionMetadata> {
        let body = serde_json::to_vec(req).expect("serializable");
        let env: VersionMetadataEnvelope =
            self.json(Method::POST, &["secrets", name, "versions"], vec![], Some(body), "create version").await?;
        Ok(env.version_metadata)
    }

    /// Authenticates with a cheap read, for `csms profiles --check`.
    pub async fn check(&self) -> Result<usize> {
        Ok(self.list_secrets_page(1, None).await?.secrets.len())
    }

    // ---- transport --------------------------------------------------------

    pub(super) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        operation: &'static str,
    ) -> Result<T> {
        let answer = self.send(method, segments, query, body, operation).await?;
        serde_json::from_slice(&answer.body).map_err(|e| decode_error(operation, &e, answer))
    }

    /// Sends one CSMS operation on the project: `/v1/{project_id}/...`.
    pub(super) async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        operation: &'static str,
    ) -> Result<Answer> {
        let project_id = self.project_id().await?;
        let mut path = vec!["v1", project_id];
        path.extend_from_slice(segments);
        self.exchange(Service::Csms, method, &path, query, body, operation).await
    }

    /// Sends one request to a service. Reads are retried on throttling, 5xx
    /// and broken connections; mutations are sent once (see `reconcile` for
    /// what follows a mutation whose answer was lost). A 401 under password
    /// auth renews the token and repeats the request once.
    async fn exchange(
        &self,
        service: Service,
        method: Method,
        segments: &[&str],
        query: Vec<(String, String)>,
        body: Option<Vec<u8>>,
        operation: &'static str,
    ) -> Result<Answer> {
        let idempotent = method == Method::GET || super::manage::READS_BY_POST.contains(&operation);
        if !idempotent {
            self.check_writable(operation)?;
        }
        // URL layers read `.` and `..` (also percent-encoded) as "this" and
        // "parent", and an empty segment as nothing: such a name would send the
        // request to another resource. Refused here, before anything is sent.
        if let Some(bad) = segments.iter().find(|s| s.is_empty() || s.bytes().all(|b| b == b'.')) {
            return Err(Error::Invalid(format!(
                "{operation}: '{bad}' cannot be addressed: an empty name or one made only of dots \
                 names no resource in a URL path"
            )));
        }
        let path = signer::encode_path(segments);
        let body = body.unwrap_or_default();

        let max_attempts = if idempotent { self.retry.max_attempts.max(1) } else { 1 };
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if attempt > 1 {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let result = self.send_once(service, &method, &path, &query, &body, operation).await;
            if matches!(&result, Ok(a) if a.status == 429) {
                self.stats.throttled.fetch_add(1, Ordering::Relaxed);
            }
            match result {
                Ok(a) if (200..300).contains(&a.status) => return Ok(a),
                Ok(a) if a.status == 401 && self.auth.can_renew() && !renewed => {
                    renewed = true;
                    attempt -= 1;
                    tracing::info!(profile = %self.profile, "token refused, renewing once");
                    self.auth.invalidate().await;
                }
                Ok(a) => {
                    let retry_after = a.retry_after;
                    let err = Error::from_response(a.status, &a.body, a.request_id).with_attempts(attempt);
                    if a.status == 401 {
                        return Err(self.unauthorized(&err));
                    }
                    if attempt >= max_attempts || !RetryPolicy::retryable_status(a.status) {
                        return Err(err);
                    }
                    tracing::debug!(%operation, status = a.status, attempt, "retrying");
                    tokio::time::sleep(self.retry.delay(attempt, retry_after)).await;
                }
                Err(err) => {
                    let err = err.with_attempts(attempt);
                    if attempt >= max_attempts || !matches!(err, Error::Transport { .. }) {
                        return Err(err);
                    }
                    tracing::debug!(%operation, error = %err, attempt, "retrying");
                    tokio::time::sleep(self.retry.delay(attempt, None)).await;
                }
            }
        }
    }

    /// A 401 is reported as an authentication error naming the profile.
    fn unauthorized(&self, err: &Error) -> Error {
        Error::Auth { profile: self.profile.clone(), message: format!("the server refused the credentials: {err}") }
    }

    async fn send_once(
        &self,
        service: Service,
        method: &Method,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
        operation: &str,
    ) -> Result<Answer> {
        let query_string = signer::canonical_query(query);
        let endpoint = match service {
            Service::Csms => &self.csms,
            Service::Iam => &self.iam,
        };
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json;charset=utf-8".into()),
            ("Host".into(), endpoint.host.clone()),
            ("User-Agent".into(), USER_AGENT.into()),
        ];
        // CSMS wants the project named in a header too; IAM calls are not about one.
        if let (Service::Csms, Some(id)) = (service, self.project_id.get()) {
            headers.push(("X-Project-Id".into(), id.clone()));
        }
        self.auth
            .authorize(&self.http, Outgoing { method: method.as_str(), path, query, body, headers: &mut headers })
            .await?;
        let mut url = endpoint.base.clone();
        let full_path = format!("{}{}", endpoint.base.path().trim_end_matches('/'), path);
        url.set_path(&full_path);
        if url.path() != full_path {
            // The path was normalised into another one: never send it there.
            return Err(Error::Invalid(format!("the request path {full_path} would be sent as {}", url.path())));
        }
        url.set_query((!query_string.is_empty()).then_some(query_string.as_str()));
        let mut req = self.http.request(method.clone(), url);
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if !body.is_empty() {
            req = req.body(body.to_vec());
        }
        let resp = req.send().await.map_err(|e| transport_error(&e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let request_id = header("X-Request-Id");
        if let Some(date) = header("Date") {
            self.observe_date(&date);
        }
        let retry_after = header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
        if let Some(err) = redirect_error(&resp) {
            return Err(err);
        }
        let body = read_body(resp, operation).await.map_err(|mut err| {
            if let Error::Transport { kind, .. } = &mut err
                && *kind == TransportKind::Other
            {
                *kind = TransportKind::Dropped;
            }
            err
        })?;
        tracing::debug!(%method, path, status, request_id = request_id.as_deref().unwrap_or("-"), "answer");
        Ok(Answer { status, body, request_id, retry_after })
    }
}

/// A 3xx answer as an error naming its status and where it pointed. No
/// redirect is followed (see `Client::new`), and none is worth another try.
pub(super) fn redirect_error(resp: &reqwest::Response) -> Option<Error> {
    let status = resp.status();
    if !status.is_redirection() {
        return None;
    }
    let location = match resp.headers().get(reqwest::header::LOCATION) {
        Some(v) => {
            let text = String::from_utf8_lossy(v.as_bytes());
            format!("to '{}'", crate::printable::fit(&crate::printable::printable(&text), 200))
        }
        None => "with no Location".to_string(),
    };
    let message = format!("the server redirects {location}; csms follows no redirect (check the endpoint)");
    Some(Error::Api { status: status.as_u16(), code: None, message, request_id: None, attempts: 1 })
}

/// The most an answer may hold. The largest the service gives is a page of
/// 1000 secrets, each with a 2048-byte description: about 13 MiB even when
/// every byte of every description is written as a `\u` escape. Past this a
/// body is no answer of the service, and reading on would only fill memory.
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// The body of an answer, read chunk by chunk up to `MAX_ANSWER_BYTES`.
pub(super) async fn read_body(mut resp: reqwest::Response, operation: &str) -> Result<bytes::Bytes> {
    let too_long = || Error::Decode {
        message: format!(
            "{operation}: the answer is longer than {} MiB, more than any answer of the service: not read further",
            MAX_ANSWER_BYTES >> 20
        ),
        request_id: None,
    };
    if resp.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
        return Err(too_long());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(&e))? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_long());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

const SHOW_VERSION: &str = "show version";

/// The operations whose answer holds a secret value, or a backup of one.
const VALUE_ANSWERS: &[&str] = &[SHOW_VERSION, super::manage::GENERATE_PASSWORD, super::manage::BACK_UP];

/// A success whose body does not decode. Most are quoted, to help whoever
/// debugs the server; an answer that can hold a value is described by what
/// broke and where, never quoted: serde's own message quotes the text it
/// choked on (`invalid type: string "..."`), so it is left out too.
fn decode_error(operation: &'static str, e: &serde_json::Error, answer: Answer) -> Error {
    let message = if VALUE_ANSWERS.contains(&operation) {
        let what = match e.classify() {
            serde_json::error::Category::Syntax => "is not valid JSON",
            serde_json::error::Category::Eof => "ends too early",
            serde_json::error::Category::Data => "is not of the expected shape",
            serde_json::error::Category::Io => "could not be read",
        };
        format!(
            "{operation}: the HTTP {} body ({} bytes) {what} at line {} column {}; not shown, as it may hold a secret value",
            answer.status,
            answer.body.len(),
            e.line(),
            e.column()
        )
    } else {
        format!("{operation}: {e} in HTTP {} body: {}", answer.status, super::error::body_excerpt(&answer.body))
    };
    Error::Decode { message, request_id: answer.request_id }
}

/// IAM's `GET /v3/projects` answer, as far as it is read.
#[derive(serde::Deserialize)]
struct ProjectList {
    projects: Vec<ProjectSummary>,
}

/// A project as IAM lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct ProjectSummary {
    pub id: String,
    pub name: String,
}

/// Versions per request.
const VERSIONS_PAGE: u32 = 100;

/// Follows `next_marker` page after page until a page says there is no more.
/// A marker handed back twice is an error, not an endless loop; no page is
/// dropped or repeated, since each page is asked for by the marker before it.
async fn all_pages<T, F, Fut>(fetch: F, mut on_page: impl FnMut(&[T])) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<PageInfo>)>>,
{
    let mut all = Vec::new();
    each_page(fetch, |items| {
        on_page(&items);
        all.extend(items);
    })
    .await?;
    Ok(all)
}

/// As `all_pages`, handing each page over and keeping none: memory stays one
/// page deep however many items there are.
async fn each_page<T, F, Fut>(mut fetch: F, mut on_page: impl FnMut(Vec<T>)) -> Result<()>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<PageInfo>)>>,
{
    let mut marker: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let (items, info) = fetch(marker.take()).await?;
        let count = items.len();
        on_page(items);
        match info.and_then(|p| p.next_marker).filter(|m| !m.is_empty()) {
            Some(m) if count > 0 => {
                if !seen.insert(m.clone()) {
                    return Err(Error::Decode {
                        message: format!("the server repeated the page marker '{m}'"),
                        request_id: None,
                    });
                }
                marker = Some(m);
            }
            _ => return Ok(()),
        }
    }
}

/// A request that got no (whole) answer: where to, and the innermost cause in
/// a few words (`connection refused`); the whole chain goes to the log.
pub(super) fn transport_error(e: &reqwest::Error) -> Error {
    if e.is_builder() {
        return build_error(e);
    }
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_body() || e.is_request() {
        TransportKind::Dropped
    } else {
        TransportKind::Other
    };
    let target = e
        .url()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| "the server".into());
    // reqwest's Display omits the cause; the chain says what really happened.
    let mut chain = e.to_string();
    let mut innermost = chain.clone();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        innermost = s.to_string();
        chain.push_str(": ");
        chain.push_str(&innermost);
        source = s.source();
    }
    tracing::debug!(%target, error = %chain, "no answer");
    Error::Transport { kind, target, message: short_cause(&innermost), attempts: 1 }
}

/// A request that could not be built (a header value HTTP does not allow,
/// such as an id holding a control character): the same every time, so an
/// error of its own, never retried. No value is quoted.
fn build_error(e: &reqwest::Error) -> Error {
    let mut cause = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    Error::Invalid(format!(
        "the request cannot be built ({cause}): a header or the address holds what HTTP does not allow"
    ))
}

/// `Connection refused (os error 111)` reads `connection refused`.
fn short_cause(cause: &str) -> String {
    let cause = match cause.find(" (os error") {
        Some(i) => &cause[..i],
        None => cause,
    };
    let mut chars = cause.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "no cause given".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_read_short() {
        assert_eq!(short_cause("Connection refused (os error 111)"), "connection refused");
        assert_eq!(short_cause("operation timed out"), "operation timed out");
    }
}
