//! Fault injection: latency, error answers and dropped connections on the
//! requests whose path matches.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use serde::Deserialize;

use super::Shared;
use super::error::ApiError;

/// The body of `POST /_emulator/faults`; `{}` clears every fault.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub error_rate: f64,
    #[serde(default)]
    pub error_status: Option<u16>,
    #[serde(default)]
    pub drop_rate: f64,
    #[serde(default)]
    pub path_regex: Option<String>,
    /// Every Nth matching request answers `error_status` (deterministic throttling).
    #[serde(default)]
    pub error_every: Option<u64>,
    /// Fates of the next matching requests, in order, before the rates apply:
    /// `pass`, `error`, `drop_before` or `drop_after`.
    #[serde(default)]
    pub script: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Faults {
    latency: Duration,
    error_rate: f64,
    error_status: u16,
    drop_rate: f64,
    path: Option<regex::Regex>,
    error_every: Option<u64>,
    script: std::collections::VecDeque<Draw>,
    /// Matching requests seen since the faults were set.
    seen: u64,
}

impl Faults {
    pub fn from_spec(spec: FaultSpec) -> Result<Faults, String> {
        let rate_ok = |r: f64| (0.0..=1.0).contains(&r);
        if !rate_ok(spec.error_rate) || !rate_ok(spec.drop_rate) {
            return Err("error_rate and drop_rate must be between 0.0 and 1.0".into());
        }
        let error_status = spec.error_status.unwrap_or(503);
        if ![401, 403, 429, 500, 502, 503, 504].contains(&error_status) {
            return Err(format!("error_status must be 401, 403, 429, 500, 502, 503 or 504, not {error_status}"));
        }
        let path =
            spec.path_regex.map(|r| regex::Regex::new(&r).map_err(|e| format!("path_regex: {e}"))).transpose()?;
        if spec.error_every == Some(0) {
            return Err("error_every must be at least 1".into());
        }
        let script = spec
            .script
            .iter()
            .map(|step| match step.as_str() {
                "pass" => Ok(Draw::Pass),
                "error" => Ok(Draw::Error(error_status)),
                "drop_before" => Ok(Draw::Drop { after: false }),
                "drop_after" => Ok(Draw::Drop { after: true }),
                other => Err(format!("script step '{other}' is not pass, error, drop_before or drop_after")),
            })
            .collect::<Result<_, _>>()?;
        Ok(Faults {
            latency: Duration::from_millis(spec.latency_ms),
            error_rate: spec.error_rate,
            error_status,
            drop_rate: spec.drop_rate,
            path,
            error_every: spec.error_every,
            script,
            seen: 0,
        })
    }

    /// The fate of the next matching request.
    fn draw(&mut self) -> Draw {
        self.seen += 1;
        if let Some(step) = self.script.pop_front() {
            return step;
        }
        if self.error_every.is_some_and(|n| self.seen.is_multiple_of(n)) {
            return Draw::Error(self.error_status);
        }
        let mut rng = rand::rng();
        if rng.random_bool(self.drop_rate) {
            Draw::Drop { after: rng.random_bool(0.5) }
        } else if rng.random_bool(self.error_rate) {
            Draw::Error(self.error_status)
        } else {
            Draw::Pass
        }
    }

    fn applies_to(&self, path: &str) -> bool {
        self.path.as_ref().is_none_or(|r| r.is_match(path))
    }
}

/// What to do with one request, drawn once.
#[derive(Debug, Clone, Copy)]
enum Draw {
    Pass,
    Error(u16),
    /// Drop the connection, before handling the request or after (the
    /// request took effect, its answer is lost).
    Drop {
        after: bool,
    },
}

fn error_response(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let (code, msg) = match status.as_u16() {
        // As the gateway refuses credentials it does not accept here.
        401 => ("APIGW.0301", "Incorrect IAM authentication information: refused (injected fault)"),
        403 => ("APIGW.0302", "The IAM user is forbidden here (injected fault)"),
        429 => ("APIGW.0308", "The throttling threshold has been reached"),
        500 => ("CSMS.0001", "Internal server error"),
        502 => ("APIGW.0202", "Bad gateway"),
        503 => ("APIGW.0203", "Service unavailable"),
        _ => ("APIGW.0204", "Gateway timeout"),
    };
    let mut resp = ApiError::new(status, code, msg).into_response();
    if status.as_u16() == 429 {
        resp.headers_mut().insert("Retry-After", axum::http::HeaderValue::from_static("0"));
    }
    resp
}

/// A 200 whose body breaks off: the client sees the connection drop.
fn dropped_response() -> Response {
    let stream = futures::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: dropped"))
    });
    Response::new(Body::from_stream(stream))
}

pub async fn inject(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let (latency, draw) = {
        let mut faults = shared.faults.lock().unwrap_or_else(|p| p.into_inner());
        if faults.applies_to(req.uri().path()) { (faults.latency, faults.draw()) } else { (Duration::ZERO, Draw::Pass) }
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match draw {
        Draw::Pass => next.run(req).await,
        Draw::Error(status) => error_response(status),
        Draw::Drop { after: false } => dropped_response(),
        Draw::Drop { after: true } => {
            let _ = next.run(req).await;
            dropped_response()
        }
    }
}
