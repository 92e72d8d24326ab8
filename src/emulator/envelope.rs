//! Every request within the gateway's limits, and every error in the
//! service's JSON shape, whichever layer refused it: an axum extractor's
//! plain-text rejection, a method the route does not have, a body too large
//! or too slow. (hyper itself still answers bare for what it cannot parse
//! at all: a URI over 64 KiB, over 200 headers.)

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::Shared;
use super::error::ApiError;

/// What the gateway reads at most, as the service's gateway documents (URI 32 KiB).
const MAX_URI_BYTES: usize = 32 * 1024;
const MAX_HEADER_BYTES: usize = 64 * 1024;
pub const MAX_HEADERS: usize = 100;
/// Bodies: secret values are at most 32 KiB, so 1 MiB is generous.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// How much of a body over the limit is read (and dropped) before the 413.
const DRAIN_BYTES: usize = 16 << 20;

fn gateway(status: StatusCode, message: &str) -> ApiError {
    ApiError::new(status, "APIGW.0201", message)
}

/// Every answer's `Date` is the emulator's clock, so that a moved clock
/// shows in clients that follow the server's time.
pub async fn envelope(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let mut resp = checked(&shared, req, next).await;
    let date = chrono::DateTime::from_timestamp_millis(shared.clock.now()).unwrap_or_default();
    if let Ok(value) = header::HeaderValue::from_str(&date.format("%a, %d %b %Y %H:%M:%S GMT").to_string()) {
        resp.headers_mut().insert(header::DATE, value);
    }
    resp
}

async fn checked(shared: &Shared, req: Request, next: Next) -> Response {
    let uri_bytes = req.uri().path().len() + req.uri().query().map_or(0, |q| q.len() + 1);
    if uri_bytes > MAX_URI_BYTES {
        return gateway(StatusCode::URI_TOO_LONG, "Request URI too large.").into_response();
    }
    let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    if header_bytes > MAX_HEADER_BYTES || req.headers().len() > MAX_HEADERS {
        return gateway(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "Request headers too large.").into_response();
    }
    let (parts, body) = req.into_parts();
    let body = match read_body(body, shared.read_timeout).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.into_response(),
    };
    json_errors(next.run(Request::from_parts(parts, Body::from(body))).await).await
}

/// The whole body, or a refusal: too large, too slow, or broken off.
async fn read_body(body: Body, timeout: Duration) -> Result<Bytes, ApiError> {
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buf = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| gateway(StatusCode::BAD_REQUEST, "The request body could not be read."))?;
            if buf.len() + chunk.len() > MAX_BODY_BYTES {
                // Read on (a bounded amount) so that the client, still sending,
                // gets to read the answer instead of a reset connection.
                let mut drained = buf.len() + chunk.len();
                while drained < DRAIN_BYTES
                    && let Some(Ok(more)) = stream.next().await
                {
                    drained += more.len();
                }
                return Err(gateway(StatusCode::PAYLOAD_TOO_LARGE, "Request entity too large."));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| Err(gateway(StatusCode::REQUEST_TIMEOUT, "The request body did not arrive in time.")))
}

/// An error answer that is not JSON becomes the service's `{error_code, error_msg}`.
async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let request_id = resp.headers().get("X-Request-Id").cloned();
    let text = axum::body::to_bytes(resp.into_body(), 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned());
    let said = text.ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let mut out = match status {
        // The gateway routes by method and path: a method the path lacks is an API that does not exist.
        StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND => ApiError::no_such_api().into_response(),
        s if s.is_server_error() => {
            ApiError::new(s, "CSMS.0001", said.unwrap_or_else(|| "Internal server error".into())).into_response()
        }
        s => gateway(s, &said.unwrap_or_else(|| s.canonical_reason().unwrap_or("Bad request").to_string()))
            .into_response(),
    };
    if let Some(id) = request_id {
        out.headers_mut().insert("X-Request-Id", id);
    }
    out
}
