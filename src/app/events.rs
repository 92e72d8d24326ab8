//! What happened since csms started: outcomes of the user's actions,
//! refresh failures, and what a refresh revealed (a secret gone, a state
//! changed, a new pending deletion). Kept in the state, shown in `H`.

use std::collections::HashMap;

use super::{Level, State};
use crate::csms::Secret;
use crate::csms::model::Millis;

/// Events kept at most; the oldest go first.
const MAX_EVENTS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Millis,
    pub level: Level,
    pub text: String,
}

impl State {
    pub(super) fn note(&mut self, level: Level, text: impl Into<String>) {
        if self.events.len() >= MAX_EVENTS {
            self.events.remove(0);
        }
        self.events.push(Event { at: self.now, level, text: text.into() });
    }
}

/// What a profile's secrets looked like before a refresh: state and deletion time by name.
pub(super) type Before = HashMap<String, (String, Option<Millis>)>;

pub(super) fn before(state: &State, profile: usize) -> Before {
    state
        .table
        .rows()
        .iter()
        .filter(|r| r.profile == profile)
        .map(|r| (r.secret.name.clone(), (r.secret.state_label().to_string(), r.secret.scheduled_delete_time)))
        .collect()
}

/// What the refresh revealed, as (level, text, announce in the footer).
pub(super) fn revealed(before: &Before, after: &[Secret], pname: &str, now: Millis) -> Vec<(Level, String, bool)> {
    let mut out = Vec::new();
    let after_names: HashMap<&str, &Secret> = after.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut gone: Vec<(&String, &(String, Option<Millis>))> =
        before.iter().filter(|(name, _)| !after_names.contains_key(name.as_str())).collect();
    gone.sort();
    for (name, (state, at)) in gone {
        let why = match (state.as_str(), at) {
            ("PENDING_DELETE", Some(t)) if *t <= now => "its recovery window ended",
            _ => "deleted elsewhere",
        };
        out.push((Level::Warning, format!("{name} (profile {pname}) was deleted: {why}"), true));
    }
    for s in after {
        let Some((state, _)) = before.get(&s.name) else {
            out.push((Level::Info, format!("{} (profile {pname}) appeared", s.name), false));
            continue;
        };
        if state != s.state_label() {
            let level = if s.is_pending_delete() { Level::Warning } else { Level::Info };
            out.push((level, format!("{} (profile {pname}): {state} → {}", s.name, s.state_label()), false));
        }
    }
    out
}
