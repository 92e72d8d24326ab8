//! The CSMS operations: same paths, JSON shapes and success statuses as the
//! real service.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::Shared;
use super::error::ApiError;
use crate::csms::model::{CreateSecretRequest, CreateVersionRequest, MoveStageRequest, PageInfo, UpdateSecretRequest};

type Answer = Result<Response, ApiError>;

pub(super) fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::malformed(format!("malformed request body: {e}")))
}

fn limit_param(q: &HashMap<String, String>, max: u32) -> Result<u32, ApiError> {
    match q.get("limit") {
        None => Ok(50),
        // Digits only: Rust's integer parser would take `+5` too.
        Some(l) => Some(l)
            .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|l| l.parse::<u32>().ok())
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::invalid(format!("limit must be 1 to {max}, got '{l}'"))),
    }
}

/// `next_marker` is the page's last item (the next page starts after it);
/// `previous_marker` its first, as the definition's example shows.
fn page_info<T>(items: &[T], more: bool, id: impl Fn(&T) -> String) -> PageInfo {
    PageInfo {
        next_marker: if more { items.last().map(&id) } else { None },
        previous_marker: items.first().map(&id),
        current_count: u32::try_from(items.len()).ok(),
    }
}

pub async fn list_secrets(
    State(s): State<Shared>,
    Path(project): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let limit = limit_param(&q, 1000)?;
    let marker = q.get("marker").map(String::as_str).filter(|m| !m.is_empty());
    let event = q.get("event_name").map(String::as_str).filter(|e| !e.is_empty());
    let (secrets, more) = s.store().list(&project, limit, marker, event)?;
    let page = page_info(&secrets, more, |x| x.name.clone());
    Ok(Json(json!({ "secrets": secrets, "page_info": page })).into_response())
}

pub async fn create_secret(State(s): State<Shared>, Path(project): Path<String>, body: bytes::Bytes) -> Answer {
    let req: CreateSecretRequest = parse(&body)?;
    let secret = s.store().create(&project, &req, s.clock.now())?;
    Ok(Json(json!({ "secret": secret })).into_response())
}

pub async fn show_secret(State(s): State<Shared>, Path((project, name)): Path<(String, String)>) -> Answer {
    let secret = s.store().get(&project, &name)?.ok_or_else(|| ApiError::secret_not_found(&name))?;
    Ok(Json(json!({ "secret": secret })).into_response())
}

pub async fn update_secret(
    State(s): State<Shared>,
    Path((project, name)): Path<(String, String)>,
    body: bytes::Bytes,
) -> Answer {
    let req: UpdateSecretRequest = parse(&body)?;
    let secret = s.store().update(&project, &name, &req, s.clock.now())?;
    Ok(Json(json!({ "secret": secret })).into_response())
}

pub async fn delete_secret(State(s): State<Shared>, Path((project, name)): Path<(String, String)>) -> Answer {
    s.store().delete(&project, &name)?;
    Ok(StatusCode::OK.into_response())
}

pub async fn schedule_deletion(
    State(s): State<Shared>,
    Path((project, name)): Path<(String, String)>,
    body: bytes::Bytes,
) -> Answer {
    // The body and its window are required (the definition), not defaulted.
    #[derive(serde::Deserialize)]
    struct Body {
        recovery_window_in_days: Option<i64>,
    }
    if body.is_empty() {
        return Err(ApiError::malformed("a body with recovery_window_in_days (7 to 30) is required"));
    }
    let days = parse::<Body>(&body)?
        .recovery_window_in_days
        .ok_or_else(|| ApiError::invalid("recovery_window_in_days (7 to 30) is required"))?;
    let secret = s.store().schedule_deletion(&project, &name, days, s.clock.now())?;
    Ok(Json(json!({ "secret": secret })).into_response())
}

pub async fn cancel_deletion(State(s): State<Shared>, Path((project, name)): Path<(String, String)>) -> Answer {
    let secret = s.store().cancel_deletion(&project, &name, s.clock.now())?;
    Ok(Json(json!({ "secret": secret })).into_response())
}

pub async fn list_versions(
    State(s): State<Shared>,
    Path((project, name)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let limit = limit_param(&q, 1000)?;
    let marker = q.get("marker").map(String::as_str).filter(|m| !m.is_empty());
    let (versions, more) = s.store().list_versions(&project, &name, limit, marker)?;
    let page = page_info(&versions, more, |v| v.id.clone());
    Ok(Json(json!({ "version_metadatas": versions, "page_info": page })).into_response())
}

pub async fn show_version(
    State(s): State<Shared>,
    Path((project, name, version)): Path<(String, String, String)>,
) -> Answer {
    let v = s.store().get_version(&project, &name, &version)?;
    let mut version = json!({ "version_metadata": v.metadata });
    if let Some(sv) = v.secret_string {
        version["secret_string"] = json!(sv);
    }
    if let Some(bv) = v.secret_binary {
        version["secret_binary"] = json!(bv);
    }
    Ok(Json(json!({ "version": version })).into_response())
}

pub async fn create_version(
    State(s): State<Shared>,
    Path((project, name)): Path<(String, String)>,
    body: bytes::Bytes,
) -> Answer {
    let req: CreateVersionRequest = parse(&body)?;
    let meta = s.store().create_version(&project, &name, &req, s.clock.now())?;
    Ok(Json(json!({ "version_metadata": meta })).into_response())
}

pub async fn update_version(
    State(s): State<Shared>,
    Path((project, name, version)): Path<(String, String, String)>,
    body: bytes::Bytes,
) -> Answer {
    #[derive(serde::Deserialize)]
    struct Body {
        expire_time: Option<i64>,
    }
    let expire_time = parse::<Body>(&body)?.expire_time;
    let meta = s.store().update_version(&project, &name, &version, expire_time)?;
    Ok(Json(json!({ "version_metadata": meta })).into_response())
}

/// DownloadSecretBlob: the secret, its versions, stages and tags, sealed.
pub async fn backup(State(s): State<Shared>, Path((project, name)): Path<(String, String)>) -> Answer {
    let blob = s.store().backup(&project, &name)?;
    Ok(Json(json!({ "secret_blob": blob })).into_response())
}

/// UploadSecretBlob: brings a backed-up secret back under its name.
pub async fn restore(State(s): State<Shared>, Path(project): Path<String>, body: bytes::Bytes) -> Answer {
    #[derive(serde::Deserialize)]
    struct Body {
        secret_blob: String,
    }
    let blob = parse::<Body>(&body)?.secret_blob;
    let secret = s.store().restore(&project, &blob, s.clock.now())?;
    Ok(Json(json!({ "secret": secret })).into_response())
}

/// `/secrets/restore` is also the path of a secret named `restore`: the
/// gateway routes by method, so reads and changes of it still reach it.
pub async fn secret_named_restore(
    State(s): State<Shared>,
    Path(project): Path<String>,
    method: axum::http::Method,
    body: bytes::Bytes,
) -> Answer {
    let path = Path((project, "restore".to_string()));
    match method {
        axum::http::Method::GET => show_secret(State(s), path).await,
        axum::http::Method::PUT => update_secret(State(s), path, body).await,
        _ => delete_secret(State(s), path).await,
    }
}

pub async fn show_stage(
    State(s): State<Shared>,
    Path((project, name, stage)): Path<(String, String, String)>,
) -> Answer {
    let stage = s.store().get_stage(&project, &name, &stage)?;
    Ok(Json(json!({ "stage": stage })).into_response())
}

pub async fn move_stage(
    State(s): State<Shared>,
    Path((project, name, stage)): Path<(String, String, String)>,
    body: bytes::Bytes,
) -> Answer {
    let req: MoveStageRequest = parse(&body)?;
    let stage = s.store().move_stage(&project, &name, &stage, &req.version_id, s.clock.now())?;
    Ok(Json(json!({ "stage": stage })).into_response())
}

pub async fn delete_stage(
    State(s): State<Shared>,
    Path((project, name, stage)): Path<(String, String, String)>,
) -> Answer {
    s.store().delete_stage(&project, &name, &stage)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn no_such_api() -> ApiError {
    ApiError::no_such_api()
}
