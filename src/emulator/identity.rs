//! Authentication on the emulator: SDK-HMAC-SHA256 signatures, tokens it
//! issued at `POST /v3/auth/tokens`, and the project each may act on.

use std::collections::HashMap;

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
const MAX_BODY: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub project_id: String,
    pub expires_at: Millis,
}

#[derive(Debug, Default)]
pub struct Tokens {
    by_token: HashMap<String, IssuedToken>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks one signed request against the accounts; `real_now` is the wall
/// clock (signatures are about real time, not the emulator's moved clock).
pub fn verify_signature(
    shared: &super::Inner,
    method: &str,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    real_now: Millis,
) -> Result<Vec<String>, ApiError> {
    let auth_value = header(headers, "authorization").unwrap_or_default();
    let auth = parse_authorization(auth_value)
        .ok_or_else(|| ApiError::unauthorized("Incorrect IAM authentication information: malformed Authorization"))?;
    let account = shared
        .accounts
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

/// Middleware for `/v1/{project_id}/...`: the caller must be authenticated
/// and allowed on the project in the path.
pub async fn authenticate(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::malformed("request body too large or unreadable").into_response();
    };
    let project = parts.uri.path().split('/').nth(2).unwrap_or_default().to_string();
    let allowed = if let Some(token) = header(&parts.headers, "x-auth-token") {
        shared.check_token(token).map(|t| vec![t.project_id])
    } else if header(&parts.headers, "authorization").is_some() {
        verify_signature(
            &shared,
            parts.method.as_str(),
            &parts.uri,
            &parts.headers,
            &bytes,
            super::clock::system_now_ms(),
        )
    } else {
        Err(ApiError::unauthorized("Incorrect IAM authentication information: no credentials"))
    };
    match allowed {
        Err(e) => e.into_response(),
        Ok(projects) if !projects.iter().any(|p| p == &project) => {
            ApiError::forbidden(format!("the credentials are not allowed on project {project}")).into_response()
        }
        Ok(_) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
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
    let scope = req.auth.scope.and_then(|s| s.project);
    let project = match scope {
        Some(ScopeProject { id: Some(id), .. }) => shared.accounts.projects.iter().find(|p| p.id == id),
        Some(ScopeProject { name: Some(name), .. }) => shared.accounts.project_by_region(&name),
        _ => None,
    };
    let Some(project) = project else {
        return ApiError::new(StatusCode::BAD_REQUEST, "IAM.0003", "scope a project by id or by region name")
            .into_response();
    };
    if !user.projects.contains(&project.id) {
        return ApiError::new(StatusCode::FORBIDDEN, "IAM.0002", "the user has no access to this project")
            .into_response();
    }
    let now = shared.clock.now();
    let expires_at = now + TOKEN_LIFETIME_MS;
    let token = format!("MII{}", random_string_token());
    shared
        .tokens
        .lock()
        .expect("tokens lock")
        .by_token
        .insert(token.clone(), IssuedToken { project_id: project.id.clone(), expires_at });
    let iso = |ms: Millis| {
        Utc.timestamp_millis_opt(ms).single().unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    };
    let body = serde_json::json!({
        "token": {
            "expires_at": iso(expires_at),
            "issued_at": iso(now),
            "methods": ["password"],
            "project": { "id": project.id, "name": project.region },
            "user": { "name": user.name, "domain": { "name": user.domain } },
        }
    });
    let mut resp = (StatusCode::CREATED, axum::Json(body)).into_response();
    resp.headers_mut().insert("X-Subject-Token", token.parse().expect("token is ASCII"));
    resp
}
