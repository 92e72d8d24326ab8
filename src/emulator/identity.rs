//! Authentication on the emulator: SDK-HMAC-SHA256 signatures, tokens it
//! issued at `POST /v3/auth/tokens`, and the project each may act on.

use std::collections::{HashMap, VecDeque};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use super::Shared;
use super::accounts::random_string_token;
use super::error::ApiError;
use crate::csms::model::Millis;
use crate::csms::signer::{self, SignInput, constant_time_eq, parse_authorization, parse_query};

/// How far `X-Sdk-Date` may be from the real time.
const MAX_SKEW_MS: i64 = 15 * 60 * 1000;
const TOKEN_LIFETIME_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The project the token acts on; `None` for a token scoped to the
    /// domain, which may list projects but act on none.
    pub project_id: Option<String>,
    /// Every project its user may reach, for `GET /v3/auth/projects`.
    pub reach: Vec<String>,
    pub expires_at: Millis,
}

/// How many live tokens one user may hold. Every `POST /v3/auth/tokens`
/// makes one, valid a day: a client that asks again and again would
/// otherwise grow the emulator's memory without end. The oldest goes first.
pub const TOKENS_PER_USER: usize = 64;

#[derive(Debug, Default)]
pub struct Tokens {
    by_token: HashMap<String, IssuedToken>,
    /// Each user's live tokens, oldest first.
    by_user: HashMap<String, VecDeque<String>>,
}

impl Tokens {
    /// Forgets the tokens that have expired: without this, every token ever
    /// issued would stay in memory.
    pub fn purge(&mut self, now: Millis) {
        self.by_token.retain(|_, t| t.expires_at > now);
        let live = &self.by_token;
        self.by_user.retain(|_, issued| {
            issued.retain(|t| live.contains_key(t));
            !issued.is_empty()
        });
    }

    /// Keeps `token` for `user`, forgetting that user's oldest tokens
    /// beyond `TOKENS_PER_USER`.
    fn keep(&mut self, user: String, token: String, issued: IssuedToken) {
        let queue = self.by_user.entry(user).or_default();
        queue.push_back(token.clone());
        while queue.len() > TOKENS_PER_USER {
            if let Some(oldest) = queue.pop_front() {
                self.by_token.remove(&oldest);
            }
        }
        self.by_token.insert(token, issued);
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks one signed request against the accounts; `real_now` is the wall
/// clock (signatures are about real time, not the emulator's moved clock).
pub fn verify_signature(
    accounts: &super::Accounts,
    method: &str,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    real_now: Millis,
) -> Result<Vec<String>, ApiError> {
    let auth_value = header(headers, "authorization").unwrap_or_default();
    let auth = parse_authorization(auth_value)
        .ok_or_else(|| ApiError::unauthorized("Incorrect IAM authentication information: malformed Authorization"))?;
    let account = accounts
        .credential(&auth.access_key)
        .ok_or_else(|| ApiError::unauthorized("Incorrect IAM authentication information: unknown access key"))?;
    let date = header(headers, "x-sdk-date")
        .and_then(|d| NaiveDateTime::parse_from_str(d, signer::DATE_FORMAT).ok())
        .map(|d| Utc.from_utc_datetime(&d).timestamp_millis())
        .ok_or_else(|| ApiError::unauthorized("Incorrect IAM authentication information: missing or bad X-Sdk-Date"))?;
    if (real_now - date).abs() > MAX_SKEW_MS {
        return Err(ApiError::unauthorized(
            "Incorrect IAM authentication information: X-Sdk-Date is more than 15 minutes from the server time",
        ));
    }
    let mut pairs: Vec<(String, String)> =
        headers.iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string()))).collect();
    if header(headers, "host").is_none()
        && let Some(authority) = uri.authority()
    {
        pairs.push(("host".into(), authority.to_string()));
    }
    let query = parse_query(uri.query().unwrap_or(""));
    let input = SignInput { method, path: uri.path(), query: &query, headers: &pairs, body };
    signer::verify(&input, &auth, &account.secret_key).map_err(|e| {
        ApiError::unauthorized(format!(
            "Incorrect IAM authentication information: signature verification failed ({e:?})"
        ))
    })?;
    if let Some(expected) = &account.security_token {
        let given = header(headers, "x-security-token").unwrap_or_default();
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Err(ApiError::unauthorized("Incorrect IAM authentication information: bad X-Security-Token"));
        }
    }
    Ok(account.projects.clone())
}

/// The projects the caller's token or signature may act on.
fn caller_projects(shared: &Shared, parts: &axum::http::request::Parts, body: &[u8]) -> Result<Vec<String>, ApiError> {
    if let Some(token) = header(&parts.headers, "x-auth-token") {
        shared.check_token(token).map(|t| t.project_id.into_iter().collect())
    } else if header(&parts.headers, "authorization").is_some() {
        verify_signature(
            &shared.accounts,
            parts.method.as_str(),
            &parts.uri,
            &parts.headers,
            body,
            crate::timefmt::now_ms(),
        )
    } else {
        Err(ApiError::unauthorized("Incorrect IAM authentication information: no credentials"))
    }
}

/// Middleware for `/v1/{project_id}/...`: the caller must be authenticated
/// and allowed on the project in the path.
pub async fn authenticate(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // The envelope has read the body already, within its limit.
    let Ok(bytes) = to_bytes(body, super::envelope::MAX_BODY_BYTES).await else {
        return ApiError::malformed("request body too large or unreadable").into_response();
    };
    // The project the handler will act on is the decoded path segment (axum's
    // `Path` decodes it); authorize exactly that one, never its encoded form.
    let raw_project = parts.uri.path().split('/').nth(2).unwrap_or_default();
    let Ok(project) = percent_encoding::percent_decode_str(raw_project).decode_utf8() else {
        return ApiError::invalid("the project id in the path is not UTF-8").into_response();
    };
    let project = project.into_owned();
    match caller_projects(&shared, &parts, &bytes) {
        Err(e) => e.into_response(),
        Ok(projects) if !projects.iter().any(|p| p == &project) => {
            ApiError::forbidden(format!("the credentials are not allowed on project {project}")).into_response()
        }
        Ok(_) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
}

/// `GET /v3/projects[?name=]` (IAM's KeystoneListProjects): the projects the
/// caller may act on, by name. The official SDKs ask it for the project id of
/// a region (`name={region}`) when credentials come without one.
pub async fn list_projects(State(shared): State<Shared>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    // A GET: the signature covers an empty body.
    match caller_projects(&shared, &parts, b"") {
        Ok(allowed) => project_list(&shared, &parts, &allowed, "/v3/projects"),
        Err(e) => e.into_response(),
    }
}

/// `GET /v3/auth/projects` (KeystoneListAuthProjects): with a token, every
/// project its user may reach, whatever the token is scoped to.
pub async fn list_auth_projects(State(shared): State<Shared>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let Some(token) = header(&parts.headers, "x-auth-token") else {
        return ApiError::unauthorized("Incorrect IAM authentication information: no token").into_response();
    };
    match shared.check_token(token) {
        Ok(t) => project_list(&shared, &parts, &t.reach, "/v3/auth/projects"),
        Err(e) => e.into_response(),
    }
}

/// IAM's project list: the `allowed` projects, narrowed by `?name=`.
fn project_list(shared: &Shared, parts: &axum::http::request::Parts, allowed: &[String], path: &str) -> Response {
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let wanted = query.iter().find(|(k, _)| k == "name").map(|(_, v)| v.as_str());
    let projects: Vec<serde_json::Value> = shared
        .accounts
        .projects
        .iter()
        .filter(|p| allowed.contains(&p.id) && wanted.is_none_or(|w| w == p.name()))
        .map(|p| {
            serde_json::json!({
                "id": p.id, "name": p.name(), "enabled": true, "is_domain": false, "description": "",
                "links": { "self": format!("/v3/projects/{}", p.id) },
            })
        })
        .collect();
    axum::Json(serde_json::json!({ "projects": projects, "links": { "self": path } })).into_response()
}

impl super::Inner {
    fn check_token(&self, token: &str) -> Result<IssuedToken, ApiError> {
        let tokens = self.tokens.lock().expect("tokens lock");
        let t = tokens
            .by_token
            .get(token)
            .ok_or_else(|| ApiError::unauthorized("Incorrect IAM authentication information: unknown token"))?;
        if self.clock.now() >= t.expires_at {
            return Err(ApiError::unauthorized("The token expires."));
        }
        Ok(t.clone())
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    auth: AuthBody,
}
#[derive(Deserialize)]
struct AuthBody {
    identity: Identity,
    scope: Option<Scope>,
}
#[derive(Deserialize)]
struct Identity {
    methods: Vec<String>,
    password: Option<PasswordBody>,
}
#[derive(Deserialize)]
struct PasswordBody {
    user: UserBody,
}
#[derive(Deserialize)]
struct UserBody {
    name: String,
    password: String,
    domain: NameOnly,
}
#[derive(Deserialize)]
struct NameOnly {
    name: String,
}
#[derive(Deserialize)]
struct Scope {
    project: Option<ScopeProject>,
    domain: Option<NameOnly>,
}
#[derive(Deserialize)]
struct ScopeProject {
    id: Option<String>,
    name: Option<String>,
}

/// `POST /v3/auth/tokens`, password method, scoped to one project.
pub async fn issue_token(State(shared): State<Shared>, body: bytes::Bytes) -> Response {
    let req: TokenRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return ApiError::new(StatusCode::BAD_REQUEST, "IAM.0003", format!("malformed request: {e}"))
                .into_response();
        }
    };
    let refused =
        || ApiError::new(StatusCode::UNAUTHORIZED, "IAM.0001", "The username or password is wrong.").into_response();
    let (Some(pw), true) = (req.auth.identity.password, req.auth.identity.methods.iter().any(|m| m == "password"))
    else {
        return ApiError::new(StatusCode::BAD_REQUEST, "IAM.0003", "only the password method is supported")
            .into_response();
    };
    let Some(user) = shared.accounts.user(&pw.user.domain.name, &pw.user.name) else {
        return refused();
    };
    if !constant_time_eq(user.password.as_bytes(), pw.user.password.as_bytes()) {
        return refused();
    }
    let (project_scope, domain_scope) = match req.auth.scope {
        Some(s) => (s.project, s.domain),
        None => (None, None),
    };
    let project = match project_scope {
        Some(ScopeProject { id: Some(id), .. }) => shared.accounts.projects.iter().find(|p| p.id == id),
        Some(ScopeProject { name: Some(name), .. }) => shared.accounts.project_by_name(&name),
        _ => None,
    };
    // A token scoped to the user's own domain lists projects and acts on none.
    let domain_only = project.is_none() && domain_scope.is_some_and(|d| d.name == user.domain);
    if project.is_none() && !domain_only {
        return ApiError::new(StatusCode::BAD_REQUEST, "IAM.0003", "scope a project by id or by name, or the domain")
            .into_response();
    }
    if let Some(project) = project
        && !user.projects.contains(&project.id)
    {
        return ApiError::new(StatusCode::FORBIDDEN, "IAM.0002", "the user has no access to this project")
            .into_response();
    }
    let now = shared.clock.now();
    let expires_at = now + TOKEN_LIFETIME_MS;
    let token = format!("MII{}", random_string_token());
    {
        let mut tokens = shared.tokens.lock().expect("tokens lock");
        tokens.purge(now);
        let issued =
            IssuedToken { project_id: project.map(|p| p.id.clone()), reach: user.projects.clone(), expires_at };
        tokens.keep(format!("{}/{}", user.domain, user.name), token.clone(), issued);
    }
    let iso = |ms: Millis| {
        Utc.timestamp_millis_opt(ms).single().unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    };
    // The token names what it is scoped to: a project, or the domain.
    let (scope, scoped) = match project {
        Some(p) => ("project", serde_json::json!({ "id": p.id, "name": p.name() })),
        None => ("domain", serde_json::json!({ "name": user.domain })),
    };
    let mut body = serde_json::json!({
        "token": {
            "expires_at": iso(expires_at),
            "issued_at": iso(now),
            "methods": ["password"],
            "user": { "name": user.name, "domain": { "name": user.domain } },
        }
    });
    body["token"][scope] = scoped;
    let mut resp = (StatusCode::CREATED, axum::Json(body)).into_response();
    resp.headers_mut().insert("X-Subject-Token", token.parse().expect("token is ASCII"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_tokens_are_purged() {
        let mut tokens = Tokens::default();
        for (i, expires_at) in [100, 200, 300].into_iter().enumerate() {
            let token = IssuedToken { project_id: Some("p".into()), reach: vec![], expires_at };
            tokens.by_token.insert(format!("t{i}"), token);
        }
        tokens.purge(200);
        assert_eq!(tokens.by_token.len(), 1, "tokens that expired at or before now are gone");
        assert!(tokens.by_token.contains_key("t2"));
    }

    #[test]
    fn a_user_keeps_at_most_its_newest_tokens() {
        let mut tokens = Tokens::default();
        let issued = || IssuedToken { project_id: Some("p".into()), reach: vec![], expires_at: 1_000 };
        for i in 0..TOKENS_PER_USER + 10 {
            tokens.keep("acme/alice".into(), format!("a{i}"), issued());
        }
        tokens.keep("acme/bob".into(), "b0".into(), issued());
        assert_eq!(tokens.by_token.len(), TOKENS_PER_USER + 1, "alice's cap, and bob's one");
        assert!(!tokens.by_token.contains_key("a9"), "the oldest went first");
        assert!(tokens.by_token.contains_key("a10") && tokens.by_token.contains_key("b0"));
        tokens.purge(1_000);
        assert!(tokens.by_token.is_empty() && tokens.by_user.is_empty(), "nothing is left of expired tokens");
    }
    use crate::emulator::accounts::{Accounts, CredentialAccount, Project};
    use serde_json::Value;

    /// The official SDK's 12 signed requests, as the server receives them,
    /// are accepted at their date (and refused a day later).
    #[test]
    fn accepts_the_official_vectors_at_their_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/signer-vectors.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for v in doc["vectors"].as_array().unwrap() {
            let project = "0a1b2c3d4e5f60718293a4b5c6d7e8f9".to_string();
            let accounts = Accounts {
                projects: vec![Project { id: project.clone(), region: "cn-north-4".into(), name: None }],
                credentials: vec![CredentialAccount {
                    access_key: v["ak"].as_str().unwrap().into(),
                    secret_key: v["sk"].as_str().unwrap().into(),
                    security_token: v["security_token"].as_str().map(str::to_string),
                    projects: vec![project.clone()],
                }],
                users: vec![],
            };
            let mut headers = HeaderMap::new();
            for (k, val) in v["headers"].as_object().unwrap() {
                headers.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    val.as_str().unwrap().parse().unwrap(),
                );
            }
            headers.insert("host", v["host"].as_str().unwrap().parse().unwrap());
            headers.insert("authorization", v["authorization"].as_str().unwrap().parse().unwrap());
            let url = v["final_url"].as_str().unwrap();
            let uri: axum::http::Uri = url[url.find("/v1/").unwrap()..].parse().unwrap();
            let body = v["body"].as_str().unwrap().as_bytes();
            let date = NaiveDateTime::parse_from_str(v["x_sdk_date"].as_str().unwrap(), signer::DATE_FORMAT).unwrap();
            let at = Utc.from_utc_datetime(&date).timestamp_millis();
            let method = v["method"].as_str().unwrap();
            let id = &v["id"];
            let projects = verify_signature(&accounts, method, &uri, &headers, body, at + 60_000)
                .unwrap_or_else(|e| panic!("vector {id}: {e:?}"));
            assert_eq!(projects, vec![project], "vector {id}");
            let late = verify_signature(&accounts, method, &uri, &headers, body, at + 86_400_000);
            assert_eq!(late.unwrap_err().code, "APIGW.0301", "vector {id} a day late");
        }
    }
}
