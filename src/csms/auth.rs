//! The three ways to authenticate: a token, IAM password to token, and AK/SK
//! signing. Each turns an outgoing request into one the gateway accepts.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use super::client::ProjectRef;
use super::error::{Error, Result, body_excerpt};
use super::redact::Redacted;
use super::retry::RetryPolicy;
use super::signer;

/// Credentials, resolved (env vars read, commands run) and ready to use.
#[derive(Debug, Clone)]
pub enum Credentials {
    Token(Redacted),
    Password { domain: String, user: String, password: Redacted },
    AkSk { access_key: String, secret_key: Redacted, security_token: Option<Redacted> },
}

/// A token is renewed this long before it expires.
const REFRESH_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

#[derive(Debug, Clone)]
struct IssuedToken {
    token: Redacted,
    expires_at: DateTime<Utc>,
    /// The project the token is scoped to, as IAM's answer names it.
    project_id: Option<String>,
}

/// Holds the credentials and, for password auth, the current IAM token (in
/// memory only).
#[derive(Debug)]
pub struct Authenticator {
    profile: String,
    credentials: Credentials,
    iam_endpoint: String,
    /// What a password token is scoped to.
    project: ProjectRef,
    token: Mutex<Option<IssuedToken>>,
    /// IAM is asked again on throttling, 5xx and lost connections, like any read.
    retry: RetryPolicy,
}

/// An outgoing request as the signer sees it.
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    /// Headers already set (Host, Content-Type, ...); auth headers are added.
    pub headers: &'a mut Vec<(String, String)>,
}

impl Authenticator {
    pub fn new(
        profile: &str,
        credentials: Credentials,
        iam_endpoint: &str,
        project: &ProjectRef,
        retry: RetryPolicy,
    ) -> Self {
        Authenticator {
            profile: profile.to_string(),
            credentials,
            iam_endpoint: iam_endpoint.trim_end_matches('/').to_string(),
            project: project.clone(),
            token: Mutex::new(None),
            retry,
        }
    }

    /// True for AK/SK: requests are signed, not carried by a token.
    pub fn signs(&self) -> bool {
        matches!(self.credentials, Credentials::AkSk { .. })
    }

    /// True when a 401 may be cured by fetching a new token.
    pub fn can_renew(&self) -> bool {
        matches!(self.credentials, Credentials::Password { .. })
    }

    /// Under password auth, the id of the project the token is scoped to (IAM
    /// names it in the token): the official SDKs' project lookup is not needed
    /// then. `None` for the other credentials.
    pub async fn scoped_project_id(&self, http: &reqwest::Client) -> Result<Option<String>> {
        if !matches!(self.credentials, Credentials::Password { .. }) {
            return Ok(None);
        }
        self.current_token(http).await?;
        Ok(self.token.lock().await.as_ref().and_then(|t| t.project_id.clone()))
    }

    /// Forgets the current token so the next request fetches a new one.
    pub async fn invalidate(&self) {
        *self.token.lock().await = None;
    }

    /// Adds the authentication headers to an outgoing request.
    pub async fn authorize(&self, http: &reqwest::Client, req: Outgoing<'_>) -> Result<()> {
        match &self.credentials {
            Credentials::Token(token) => {
                req.headers.push(("X-Auth-Token".into(), token.expose().to_string()));
            }
            Credentials::Password { .. } => {
                let token = self.current_token(http).await?;
                req.headers.push(("X-Auth-Token".into(), token.expose().to_string()));
            }
            Credentials::AkSk { access_key, secret_key, security_token } => {
                let date = Utc::now().format(signer::DATE_FORMAT).to_string();
                req.headers.push(("X-Sdk-Date".into(), date));
                if let Some(st) = security_token {
                    req.headers.push(("X-Security-Token".into(), st.expose().to_string()));
                }
                let sig = signer::sign(
                    &signer::SignInput {
                        method: req.method,
                        path: req.path,
                        query: req.query,
                        headers: req.headers,
                        body: req.body,
                    },
                    secret_key.expose(),
                );
                req.headers.push(("Authorization".into(), sig.authorization(access_key)));
            }
        }
        Ok(())
    }

    /// The cached token, or a new one when none is cached or it expires soon.
    async fn current_token(&self, http: &reqwest::Client) -> Result<Redacted> {
        let mut guard = self.token.lock().await;
        if let Some(t) = guard.as_ref()
            && Utc::now() + REFRESH_MARGIN < t.expires_at
        {
            return Ok(t.token.clone());
        }
        let issued = self.fetch_token(http).await?;
        let token = issued.token.clone();
        *guard = Some(issued);
        Ok(token)
    }

    fn auth_error(&self, message: impl Into<String>) -> Error {
        Error::Auth { profile: self.profile.clone(), message: message.into() }
    }

    async fn fetch_token(&self, http: &reqwest::Client) -> Result<IssuedToken> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.request_token(http).await {
                Ok(token) => return Ok(token),
                Err((e, true)) if attempt < self.retry.max_attempts => {
                    tracing::debug!(profile = %self.profile, error = %e, attempt, "IAM again");
                    tokio::time::sleep(self.retry.delay(attempt, None)).await;
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    /// One token request; the flag says whether the failure is worth another try.
    async fn request_token(&self, http: &reqwest::Client) -> std::result::Result<IssuedToken, (Error, bool)> {
        let Credentials::Password { domain, user, password } = &self.credentials else {
            unreachable!("only password credentials fetch tokens");
        };
        let scope = match &self.project {
            ProjectRef::Id(id) => serde_json::json!({ "project": { "id": id } }),
            ProjectRef::Named(name) => serde_json::json!({ "project": { "name": name } }),
            ProjectRef::Account => serde_json::json!({ "domain": { "name": domain } }),
        };
        let body = serde_json::json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": { "user": {
                        "domain": { "name": domain },
                        "name": user,
                        "password": password.expose(),
                    }}
                },
                "scope": scope
            }
        });
        let url = format!("{}/v3/auth/tokens", self.iam_endpoint);
        let resp = http
            .post(&url)
            .header("Content-Type", "application/json;charset=utf8")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| worth_retrying(super::client::transport_error(&e)))?;
        if let Some(err) = super::client::redirect_error(&resp) {
            return Err((self.auth_error(format!("IAM did not issue a token: {err}")), false));
        }
        let status = resp.status().as_u16();
        let subject = resp.headers().get("X-Subject-Token").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = super::client::read_body(resp, "IAM token request").await.map_err(worth_retrying)?;
        if !(200..300).contains(&status) {
            let detail = match Error::from_response(status, &bytes, None) {
                Error::Api { code: Some(code), message, .. } => format!("{code}: {message}"),
                _ => body_excerpt(&bytes),
            };
            let transient = RetryPolicy::retryable_status(status);
            let what = if transient { "IAM failed" } else { "IAM refused the password" };
            return Err((self.auth_error(format!("{what} (HTTP {status}): {detail}")), transient));
        }
        let token = subject.ok_or_else(|| (self.auth_error("IAM answer has no X-Subject-Token header"), false))?;
        #[derive(serde::Deserialize)]
        struct Body {
            token: TokenBody,
        }
        #[derive(serde::Deserialize)]
        struct TokenBody {
            expires_at: String,
            project: Option<ScopedProject>,
        }
        #[derive(serde::Deserialize)]
        struct ScopedProject {
            id: String,
        }
        let body = serde_json::from_slice::<Body>(&bytes).ok();
        // Without a readable expiry, assume the documented 24 h and let a 401 renew it.
        let expires_at = body
            .as_ref()
            .and_then(|b| DateTime::parse_from_rfc3339(&b.token.expires_at).ok())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|| Utc::now() + Duration::from_secs(24 * 3600));
        let project_id = body.and_then(|b| b.token.project).map(|p| p.id);
        tracing::debug!(profile = %self.profile, %expires_at, "IAM token issued");
        Ok(IssuedToken { token: Redacted::new(token), expires_at, project_id })
    }
}

/// A failure to get IAM's answer, and whether it is worth another try: an
/// unreachable IAM is a network failure, not a refusal of the credentials;
/// a request that cannot be built, or an answer too long, fails the same way
/// every time.
fn worth_retrying(err: Error) -> (Error, bool) {
    let transient = matches!(err, Error::Transport { .. });
    (err, transient)
}
