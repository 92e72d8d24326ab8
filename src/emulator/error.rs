//! Errors as the real service gives them: a status and `{"error_code", "error_msg"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::bad_request("CSMS.0002", message)
    }

    pub fn malformed(message: impl Into<String>) -> ApiError {
        ApiError::bad_request("CSMS.0004", message)
    }

    /// The official error table gives 400 (not 404) for both not-found codes.
    pub fn secret_not_found(name: &str) -> ApiError {
        ApiError::bad_request("CSMS.0106", format!("secret {name} does not exist"))
    }

    pub fn resource_not_found(what: impl Into<String>) -> ApiError {
        ApiError::bad_request("CSMS.0005", what)
    }

    pub fn pending_delete(name: &str) -> ApiError {
        ApiError::bad_request("CSMS.0103", format!("secret {name} is pending deletion and cannot be used"))
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "APIGW.0301", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "APIGW.0302", message)
    }

    pub fn no_such_api() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "APIGW.0101", "The API does not exist or has not been published")
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "CSMS.0001", message)
    }
}

/// Tag endpoints nest their errors: `{"error": {"error_code", "error_msg"}}`.
#[derive(Debug)]
pub struct NestedError(pub ApiError);

impl From<ApiError> for NestedError {
    fn from(e: ApiError) -> NestedError {
        NestedError(e)
    }
}

impl IntoResponse for NestedError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = serde_json::json!({ "error": { "error_code": e.code, "error_msg": e.message } });
        (e.status, axum::Json(body)).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        tracing::error!(error = %e, "store error");
        ApiError::internal("internal storage error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error_code": self.code, "error_msg": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}
