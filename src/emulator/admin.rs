//! The admin API (`/_emulator/...`): only with `--admin-token`, only from
//! loopback, and every request must carry `X-Emulator-Admin-Token`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::error::ApiError;
use super::faults::{FaultSpec, Faults};
use crate::csms::signer::constant_time_eq;

pub async fn guard(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    // An empty token is refused at start; here it means "off" all the same.
    let Some(expected) = shared.admin_token.as_deref().filter(|t| !t.is_empty()) else {
        return ApiError::no_such_api().into_response();
    };
    if !peer.ip().is_loopback() {
        return ApiError::forbidden("the admin API answers loopback only").into_response();
    }
    let given = req.headers().get("x-emulator-admin-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return ApiError::unauthorized("missing or wrong X-Emulator-Admin-Token").into_response();
    }
    next.run(req).await
}

pub async fn clock(State(shared): State<Shared>, body: bytes::Bytes) -> Result<Response, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        advance_seconds: i64,
    }
    let b: Body = serde_json::from_slice(&body).map_err(|e| ApiError::malformed(e.to_string()))?;
    let now = shared.clock.advance(b.advance_seconds).map_err(ApiError::invalid)?;
    // The moved clock survives a restart on the same database.
    shared.store().set_clock_offset(shared.clock.offset())?;
    let reaped = shared.reap()?;
    Ok(Json(json!({ "now": now, "reaped": reaped })).into_response())
}

pub async fn faults(State(shared): State<Shared>, body: bytes::Bytes) -> Result<Response, ApiError> {
    let spec: FaultSpec = serde_json::from_slice(&body).map_err(|e| ApiError::malformed(e.to_string()))?;
    let faults = Faults::from_spec(spec).map_err(ApiError::invalid)?;
    *shared.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
    Ok(StatusCode::OK.into_response())
}

pub async fn reset(State(shared): State<Shared>) -> Result<Response, ApiError> {
    shared.store().reset()?;
    Ok(StatusCode::OK.into_response())
}

/// `{"nulls": true, "numbers": true, "unreadable": true}`; `{}` turns them off.
pub async fn quirks(State(shared): State<Shared>, body: bytes::Bytes) -> Result<Response, ApiError> {
    let quirks: super::quirks::Quirks =
        serde_json::from_slice(&body).map_err(|e| ApiError::malformed(e.to_string()))?;
    *shared.quirks.lock().unwrap_or_else(|p| p.into_inner()) = quirks;
    Ok(StatusCode::OK.into_response())
}
