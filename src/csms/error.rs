//! Errors of the CSMS client: what the server said, or why no answer came.

use std::fmt;

/// How a request failed to get an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Connect,
    Timeout,
    /// The connection broke while the answer was being read.
    Dropped,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The server answered with an error status.
    Api {
        status: u16,
        /// `error_code` from the body; `None` when the body is not the documented JSON.
        code: Option<String>,
        /// `error_msg`, or the first bytes of a body that is not JSON.
        message: String,
        request_id: Option<String>,
        attempts: u32,
    },
    /// No (complete) answer: the outcome of a mutation is unknown. `target`
    /// is the host and port, `message` the innermost cause, short (the whole
    /// chain goes to the log).
    Transport { kind: TransportKind, target: String, message: String, attempts: u32 },
    /// A success status with a body that does not parse.
    Decode { message: String, request_id: Option<String> },
    /// Credentials could not be found or were refused by IAM.
    Auth { profile: String, message: String },
    /// A mutating operation on a profile marked `read_only`.
    ReadOnly { profile: String, operation: &'static str },
    /// A value the client refuses to send (bad name, bad window).
    Invalid(String),
    /// A profile's setting that cannot be used: an unset `*_env` variable, a
    /// credential command that failed or hung, an unreadable `ca_file`.
    Config { profile: String, key: String, message: String },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. } | Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// True when the request may or may not have taken effect on the server.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The secret (or version, stage, tag) does not exist. Decided by the
    /// error code: the service answers these with 400, not 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self.code(), Some("CSMS.0106" | "CSMS.0005"))
    }

    /// The profile this error already names, so callers do not name it twice.
    pub fn profile(&self) -> Option<&str> {
        match self {
            Error::Auth { profile, .. } | Error::ReadOnly { profile, .. } | Error::Config { profile, .. } => {
                Some(profile)
            }
            _ => None,
        }
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth { .. }) || self.status() == Some(401)
    }

    /// Builds an API error from a response's status, body and request id.
    pub fn from_response(status: u16, body: &[u8], request_id: Option<String>) -> Error {
        #[derive(serde::Deserialize)]
        struct Nested {
            error: super::model::ErrorBody,
        }
        let parsed = serde_json::from_slice::<super::model::ErrorBody>(body)
            .or_else(|_| serde_json::from_slice::<Nested>(body).map(|n| n.error));
        match parsed {
            Ok(e) => Error::Api {
                status,
                code: Some(e.error_code),
                message: e.error_msg,
                request_id: request_id.or(e.request_id),
                attempts: 1,
            },
            Err(_) => Error::Api { status, code: None, message: body_excerpt(body), request_id, attempts: 1 },
        }
    }

    pub(crate) fn with_attempts(mut self, n: u32) -> Error {
        match &mut self {
            Error::Api { attempts, .. } | Error::Transport { attempts, .. } => *attempts = n,
            _ => {}
        }
        self
    }
}

/// The first bytes of a body, as text, for an error message.
pub fn body_excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".to_string()
    } else if body.len() > MAX {
        format!("{text}…")
    } else {
        text.to_string()
    }
}

fn attempts_suffix(n: u32) -> String {
    if n > 1 { format!(" after {n} attempts") } else { String::new() }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { status, code, message, request_id, attempts } => {
                match code {
                    Some(code) => write!(f, "{code} (HTTP {status}): {message}")?,
                    None => write!(f, "HTTP {status}: {message}")?,
                }
                if let Some(id) = request_id {
                    write!(f, " [request id {id}]")?;
                }
                f.write_str(&attempts_suffix(*attempts))
            }
            Error::Transport { kind, target, message, attempts } => {
                match kind {
                    TransportKind::Connect => write!(f, "cannot connect to {target}: {message}")?,
                    TransportKind::Timeout => write!(f, "no answer from {target} in time: {message}")?,
                    TransportKind::Dropped => write!(f, "the connection to {target} broke off: {message}")?,
                    TransportKind::Other => write!(f, "request to {target} failed: {message}")?,
                }
                f.write_str(&attempts_suffix(*attempts))
            }
            Error::Decode { message, request_id } => {
                write!(f, "unexpected response: {message}")?;
                if let Some(id) = request_id {
                    write!(f, " [request id {id}]")?;
                }
                Ok(())
            }
            Error::Auth { profile, message } => {
                write!(f, "authentication failed for profile '{profile}': {message}")
            }
            Error::ReadOnly { profile, operation } => {
                write!(f, "profile '{profile}' is read-only: {operation} refused")
            }
            Error::Invalid(msg) => f.write_str(msg),
            Error::Config { profile, key, message } => write!(f, "profile '{profile}': {key}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_body() {
        let e = Error::from_response(
            400,
            br#"{"error_code":"CSMS.0108","error_msg":"not scheduled"}"#,
            Some("req-1".into()),
        );
        assert_eq!(e.code(), Some("CSMS.0108"));
        assert_eq!(e.to_string(), "CSMS.0108 (HTTP 400): not scheduled [request id req-1]");
    }

    #[test]
    fn nested_body_and_body_request_id() {
        let e = Error::from_response(
            404,
            br#"{"error":{"error_code":"CSMS.0005","error_msg":"gone","request_id":"r9"}}"#,
            None,
        );
        assert_eq!(e.code(), Some("CSMS.0005"));
        assert_eq!(e.request_id(), Some("r9"));
    }

    #[test]
    fn html_body_keeps_status_and_excerpt() {
        let body = format!("<html>{}</html>", "x".repeat(500));
        let e = Error::from_response(502, body.as_bytes(), None);
        let text = e.to_string();
        assert!(text.starts_with("HTTP 502: <html>xxx"), "{text}");
        assert!(text.len() < 260);
        assert!(e.outcome_unknown());
    }
}
