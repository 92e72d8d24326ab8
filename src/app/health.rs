//! Why a target's secrets could not be loaded, in a word: for the health
//! strip of a many-target view and for the profile picker.

use crate::csms::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// IAM or the gateway refused the credentials.
    AuthFailed,
    /// The credentials are good, but not on this project.
    Forbidden,
    /// No answer: connection refused, timed out, broken off.
    Unreachable,
    /// IAM no longer lists the project.
    Gone,
    /// Anything else: a server error, an answer that does not read.
    Failed,
}

/// Why a load failed: in a word, and in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub health: Health,
    pub text: String,
}

impl LoadError {
    pub fn of(e: &Error) -> LoadError {
        LoadError { health: Health::of(e), text: e.to_string() }
    }
}

/// An error known only as text reads as `Failed`.
impl From<&str> for LoadError {
    fn from(text: &str) -> LoadError {
        LoadError { health: Health::Failed, text: text.to_string() }
    }
}

impl Health {
    pub fn of(e: &Error) -> Health {
        match e {
            _ if e.is_auth() => Health::AuthFailed,
            Error::Api { status: 403, .. } => Health::Forbidden,
            Error::Transport { .. } => Health::Unreachable,
            _ => Health::Failed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::AuthFailed => "auth failed",
            Health::Forbidden => "forbidden",
            Health::Unreachable => "unreachable",
            Health::Gone => "gone",
            Health::Failed => "failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::error::TransportKind;

    #[test]
    fn errors_read_as_a_word() {
        let auth = Error::Auth { profile: "p".into(), message: "refused".into() };
        assert_eq!(Health::of(&auth), Health::AuthFailed);
        let api = |status| Error::Api { status, code: None, message: String::new(), request_id: None, attempts: 1 };
        assert_eq!(Health::of(&api(401)), Health::AuthFailed);
        assert_eq!(Health::of(&api(403)), Health::Forbidden);
        assert_eq!(Health::of(&api(500)), Health::Failed);
        let down = Error::Transport {
            kind: TransportKind::Connect,
            target: "h:1".into(),
            message: "refused".into(),
            attempts: 4,
        };
        assert_eq!(Health::of(&down), Health::Unreachable);
    }
}
