//! A string that never shows itself in `Debug` or `Display`.

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redacted(String);

impl Redacted {
    pub fn new(s: impl Into<String>) -> Redacted {
        Redacted(s.into())
    }

    /// The value itself; call sites are the only places secrets flow out.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Typing into a masked field: the value is never a plain `String` on the way.
    pub fn push_str(&mut self, s: &str) {
        self.0.push_str(s);
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Characters, for a mask of the same length.
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Header names whose values are never logged.
pub const SENSITIVE_HEADERS: &[&str] =
    &["authorization", "x-auth-token", "x-subject-token", "x-security-token", "x-emulator-admin-token"];

pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value() {
        assert_eq!(format!("{:?}", Redacted::new("sk-123")), "<redacted>");
        assert!(is_sensitive_header("X-Auth-Token"));
        assert!(!is_sensitive_header("Content-Type"));
    }
}
