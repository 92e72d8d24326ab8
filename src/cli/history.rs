//! `history`: the changes csms made, from the journal.

use serde_json::Value;

use super::args::Output;
use super::table::Table;
use super::{exit, usage};
use crate::journal::Journal;
use crate::timefmt::{local_time, now_ms, parse_duration};

/// Whether a line was written for `profile`: that profile, or one of its
/// targets (`PROFILE/PROJECT`) when it is a profile with regions.
fn made_in(entry_profile: &str, profile: &str) -> bool {
    entry_profile == profile || entry_profile.strip_prefix(profile).is_some_and(|rest| rest.starts_with('/'))
}

pub(super) fn history(output: Output, profile: Option<&str>, secret: Option<&str>, since: Option<&str>) -> i32 {
    let window = match since.map(parse_duration).transpose() {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    let Some(journal) = Journal::open_default() else {
        return usage("no state directory on this platform: there is no journal");
    };
    let (entries, unreadable) = match journal.read() {
        Ok(r) => r,
        Err(e) => {
            esayln!("error: {}: {e}", journal.path().display());
            return exit::FAILED;
        }
    };
    if unreadable > 0 {
        eprintln!("warning: {}: {unreadable} lines could not be read", journal.path().display());
    }
    let now = now_ms();
    let entries: Vec<_> = entries
        .into_iter()
        .filter(|e| profile.is_none_or(|p| made_in(&e.profile, p)))
        .filter(|e| secret.is_none_or(|s| e.secret == s))
        .filter(|e| window.is_none_or(|w| e.millis().is_some_and(|t| now - t <= w)))
        .collect();
    if entries.is_empty() && output == Output::Table {
        eprintln!("no change in {}", journal.path().display());
        return exit::OK;
    }
    match output {
        Output::Json => {
            let rows: Vec<Value> = entries.iter().map(|e| serde_json::to_value(e).expect("serializable")).collect();
            outln!("{}", serde_json::to_string_pretty(&rows).unwrap());
        }
        Output::Table => {
            let mut t = Table::new(vec!["TIME", "PROFILE", "SECRET", "ACTION", "OUTCOME", "DETAIL", "WHO"]);
            for e in &entries {
                let mut detail: Vec<String> = e.detail.iter().cloned().collect();
                if !e.versions.is_empty() {
                    detail.push(e.versions.join(","));
                }
                if let Some(code) = &e.error_code {
                    detail.push(code.clone());
                }
                if let Some(msg) = &e.error_msg {
                    detail.push(msg.clone());
                }
                if let Some(id) = &e.request_id {
                    detail.push(format!("request id {id}"));
                }
                t.row(vec![
                    e.millis().map(local_time).unwrap_or_else(|| e.time.clone()),
                    e.profile.clone(),
                    e.secret.clone(),
                    e.action.clone(),
                    e.outcome.clone(),
                    detail.join("; "),
                    format!("{}@{}", e.user, e.host),
                ]);
            }
            out!("{}", t.render());
        }
    }
    exit::OK
}
