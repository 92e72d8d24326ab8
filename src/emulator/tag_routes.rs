//! Tags, addressed by the secret's id; their errors nest under `error`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::error::{ApiError, NestedError};
use super::routes::parse;
use super::store::TagAction;

type TagAnswer = Result<Response, NestedError>;

pub async fn list_tags(State(s): State<Shared>, Path((project, secret_id)): Path<(String, String)>) -> TagAnswer {
    let tags = s.store().list_tags(&project, &secret_id)?;
    let tags: Vec<_> = tags.into_iter().map(|(key, value)| json!({ "key": key, "value": value })).collect();
    Ok(Json(json!({ "tags": tags, "sys_tags": [] })).into_response())
}

pub async fn create_tag(
    State(s): State<Shared>,
    Path((project, secret_id)): Path<(String, String)>,
    body: bytes::Bytes,
) -> TagAnswer {
    #[derive(serde::Deserialize)]
    struct Tag {
        key: String,
        #[serde(default)]
        value: String,
    }
    #[derive(serde::Deserialize)]
    struct Body {
        tag: Tag,
    }
    let body: Body = parse(&body)?;
    s.store().put_tag(&project, &secret_id, &body.tag.key, &body.tag.value)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_tag(
    State(s): State<Shared>,
    Path((project, secret_id, key)): Path<(String, String, String)>,
) -> TagAnswer {
    s.store().delete_tag(&project, &secret_id, &key)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// BatchCreateOrDeleteTags: `{"action": "create"|"delete", "tags": [{key, value}]}`, all or none.
pub async fn batch(
    State(s): State<Shared>,
    Path((project, secret_id)): Path<(String, String)>,
    body: bytes::Bytes,
) -> TagAnswer {
    #[derive(serde::Deserialize)]
    struct Tag {
        key: String,
        value: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Body {
        action: String,
        tags: Vec<Tag>,
    }
    let body: Body = parse(&body)?;
    let action = match body.action.as_str() {
        "create" => TagAction::Create,
        "delete" => TagAction::Delete,
        other => return Err(ApiError::invalid(format!("action '{other}' is neither create nor delete")).into()),
    };
    let tags: Vec<(String, Option<String>)> = body.tags.into_iter().map(|t| (t.key, t.value)).collect();
    s.store().batch_tags(&project, &secret_id, action, &tags)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A tag whose key is `action` is deleted through the batch route's path.
pub async fn delete_tag_named_action(
    State(s): State<Shared>,
    Path((project, secret_id)): Path<(String, String)>,
) -> TagAnswer {
    delete_tag(State(s), Path((project, secret_id, "action".to_string()))).await
}

/// ListProjectSecretsTags: every key in the project with its values.
pub async fn project_tags(State(s): State<Shared>, Path(project): Path<String>) -> TagAnswer {
    let tags = s.store().project_tags(&project)?;
    let tags: Vec<_> = tags.into_iter().map(|(key, values)| json!({ "key": key, "values": values })).collect();
    Ok(Json(json!({ "tags": tags })).into_response())
}
