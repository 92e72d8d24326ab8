//! Orders and filters of secret lists, shared by the CLI and the TUI.

use std::cmp::Ordering;

use crate::csms::model::{Millis, Secret, SecretState};

/// What is shown for a pending deletion whose time the server did not give
/// in a form that can be read.
pub const TIME_UNKNOWN: &str = "time unknown";

/// Pending deletions first, soonest first (one whose time is unknown before
/// them all: it may be the soonest); then by name.
pub fn pending_first(a: &Secret, b: &Secret) -> Ordering {
    let key = |s: &Secret| match s.is_pending_delete() {
        true => (false, s.scheduled_delete_time.unwrap_or(i64::MIN)),
        false => (true, 0),
    };
    key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name))
}

/// The time left before a pending secret's deletion (negative once overdue).
pub fn time_left(s: &Secret, now: Millis) -> Option<Millis> {
    if s.is_pending_delete() { s.scheduled_delete_time.map(|t| t - now) } else { None }
}

/// A pending secret whose deletion time cannot be read.
pub fn time_unknown(s: &Secret) -> bool {
    s.is_pending_delete() && s.scheduled_delete_time.is_none()
}

/// Whether a secret's deletion falls within `window` from `now` (or is
/// overdue). A pending deletion whose time is unknown is inside every
/// window: it may be the next one.
pub fn deletes_within(s: &Secret, now: Millis, window: Millis) -> bool {
    time_unknown(s) || time_left(s, now).is_some_and(|left| left <= window)
}

/// Parses a state filter, case-insensitively.
pub fn parse_state(text: &str) -> Result<SecretState, String> {
    let upper = text.trim().to_ascii_uppercase().replace('-', "_");
    match SecretState::parse(&upper) {
        SecretState::Unknown(_) => {
            Err(format!("unknown state '{text}': use ENABLED, DISABLED, PENDING_DELETE or FROZEN"))
        }
        s => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(name: &str, at: Millis) -> Secret {
        Secret { state: Some(SecretState::PendingDelete), scheduled_delete_time: Some(at), ..Secret::named(name) }
    }

    #[test]
    fn pending_soonest_first_then_name() {
        let unknown = Secret { scheduled_delete_time: None, ..pending("x", 0) };
        let mut v = [Secret::named("b"), pending("z", 50), Secret::named("a"), pending("y", 10), unknown];
        v.sort_by(pending_first);
        let names: Vec<_> = v.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["x", "y", "z", "a", "b"], "an unknown time first, then soonest first");
    }

    #[test]
    fn within_window() {
        assert!(deletes_within(&pending("a", 100), 0, 100));
        assert!(!deletes_within(&pending("a", 101), 0, 100));
        assert!(deletes_within(&pending("a", -5), 0, 100));
        assert!(!deletes_within(&Secret::named("a"), 0, 100));
        let unknown = Secret { scheduled_delete_time: None, ..pending("u", 0) };
        assert!(deletes_within(&unknown, 0, 0), "an unknown time is inside every window");
        assert_eq!(parse_state("pending-delete").unwrap(), SecretState::PendingDelete);
        assert!(parse_state("gone").is_err());
    }
}
