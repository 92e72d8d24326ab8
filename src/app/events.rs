//! What happened since csms started: outcomes of the user's actions,
//! refresh failures, and what a refresh revealed (a secret gone, a state
//! changed, a new pending deletion). Kept in the state, shown in `H`.

use std::collections::HashMap;

use super::{Level, State};
use crate::csms::Secret;
use crate::csms::model::Millis;

/// Events kept at most; the oldest go first.
pub const MAX_EVENTS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Millis,
    pub level: Level,
    pub text: String,
}

impl State {
    /// The projects discovery passed over before the UI opened (target,
    /// why): kept for the picker, in the event log, and said in the footer.
    pub fn skipped_at_start(&mut self, skipped: Vec<(String, String)>) {
        let lines: Vec<String> = skipped.iter().map(|(t, why)| format!("skipped {t}: {why}")).collect();
        for line in &lines {
            self.note(Level::Warning, line.clone());
        }
        match lines.as_slice() {
            [] => {}
            [one] => self.say(Level::Warning, one.clone()),
            many => self.say(Level::Warning, format!("{} (and {} more in H)", many[0], many.len() - 1)),
        }
        self.skipped.extend(skipped);
    }

    pub(super) fn note(&mut self, level: Level, text: impl Into<String>) {
        if self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(Event { at: self.now, level, text: text.into() });
    }
}

/// What a refresh of `profile` reveals against the rows on screen, as
/// (level, text, announce in the footer). Borrowed, never cloned: a refresh
/// of 100,000 secrets must stay cheap.
pub(super) fn revealed(
    state: &State,
    profile: usize,
    after: &[Secret],
    pname: &str,
    now: Millis,
) -> Vec<(Level, String, bool)> {
    let mut out = Vec::new();
    let after_by_name: HashMap<&str, &Secret> = after.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut seen = 0;
    for row in state.table.rows().iter().filter(|r| r.profile == profile) {
        let before = &row.secret;
        match after_by_name.get(before.name.as_str()) {
            None => {
                let why = match before.scheduled_delete_time {
                    Some(t) if before.is_pending_delete() && t <= now => "its recovery window ended",
                    _ => "deleted elsewhere",
                };
                out.push((Level::Warning, format!("{} (profile {pname}) was deleted: {why}", before.name), true));
            }
            Some(now_is) => {
                seen += 1;
                if before.state_label() != now_is.state_label() {
                    let level = if now_is.is_pending_delete() { Level::Warning } else { Level::Info };
                    let text = format!(
                        "{} (profile {pname}): {} → {}",
                        before.name,
                        before.state_label(),
                        now_is.state_label()
                    );
                    out.push((level, text, false));
                }
            }
        }
    }
    let appeared = after.len() - seen;
    if appeared > 0 {
        out.push((Level::Info, format!("{} in profile {pname}", super::plural(appeared, "new secret")), false));
    }
    out
}

/// Names a summary lists before it counts the rest.
const NAMES_SHOWN: usize = 3;

/// What a refresh the user asked for brought, over every profile it read:
/// secrets by name, new, changed (description or state) and deleted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brought {
    pub new: Vec<String>,
    pub changed: Vec<String>,
    pub deleted: Vec<String>,
}

impl Brought {
    /// Adds what `after`, a new listing of `profile`, changes in the rows on screen.
    pub(super) fn add(&mut self, state: &State, profile: usize, after: &[Secret]) {
        let before: HashMap<&str, &Secret> = state
            .table
            .rows()
            .iter()
            .filter(|r| r.profile == profile)
            .map(|r| (r.secret.name.as_str(), &r.secret))
            .collect();
        let mut seen = 0;
        for now_is in after {
            let Some(was) = before.get(now_is.name.as_str()) else {
                self.new.push(now_is.name.clone());
                continue;
            };
            seen += 1;
            if was.state_label() != now_is.state_label() {
                self.changed.push(format!("{} {} → {}", now_is.name, was.state_label(), now_is.state_label()));
            } else if was.description != now_is.description {
                self.changed.push(format!("{} (description)", now_is.name));
            }
        }
        if seen < before.len() {
            let names: std::collections::HashSet<&str> = after.iter().map(|s| s.name.as_str()).collect();
            self.deleted.extend(before.keys().filter(|n| !names.contains(*n)).map(|n| n.to_string()));
        }
    }

    /// `new a, b, c and 2 more · changed x (description) · deleted y`, or that nothing changed.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [("new", &self.new), ("changed", &self.changed), ("deleted", &self.deleted)]
            .into_iter()
            .filter(|(_, names)| !names.is_empty())
            .map(|(what, names)| format!("{what} {}", some_names(names)))
            .collect();
        if parts.is_empty() { "nothing changed".into() } else { parts.join(" · ") }
    }
}

/// The first few of `names` (in name order), then how many more.
fn some_names(names: &[String]) -> String {
    let mut sorted: Vec<&str> = names.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let shown = sorted[..sorted.len().min(NAMES_SHOWN)].join(", ");
    match sorted.len().saturating_sub(NAMES_SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}
