//! Changing deletions: `schedule-deletion` and `cancel-deletion`.

// `write!` into a String, which cannot fail.
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use serde_json::json;

use super::args::Output;
use super::secrets::{csms_context, secret_json};
use super::{error_status, exit, fail, overall, profile_client, usage};
use crate::csms::bulk::{BulkResult, ToCancel, cancel_many_noting};
use crate::csms::{self, CancelOutcome, CancelReport};
use crate::journal::{self, Entry, Journal};
use crate::timefmt::local_time;
use crate::workspace::Workspace;

pub(super) async fn schedule(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    days: u32,
    yes: bool,
    backup: Option<&std::path::Path>,
) -> i32 {
    let (profile, client) = match profile_client(ws, profile, Some("schedule deletion")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return usage("not on a terminal: add --yes to schedule a deletion without a prompt");
        }
        eprint!(
            "{}",
            crate::printable::printable(&format!(
                "Schedule deletion of '{name}' in profile {}? It is deleted for good after {days} days. Type its name to confirm: ",
                profile.name
            ))
        );
        let _ = std::io::stderr().flush();
        let stdin = std::io::stdin();
        let answer = crate::bounded::lines(stdin.lock(), "standard input", NAME_LINE_LIMIT, 1).next();
        if !matches!(answer, Some(Ok(a)) if a.trim() == name) {
            eprintln!("not confirmed: nothing was changed");
            return exit::FAILED;
        }
    }
    if let Some(out) = backup {
        // The backup first: without it, nothing is scheduled.
        if let Err(status) = super::backups::write_backup(&client, profile, name, out).await {
            eprintln!("not scheduled: the backup was not written");
            return status;
        }
        // A message, not the result: under `-o json` stdout holds one JSON document.
        esayln!("{name}: backed up to {} (mode 0600)", out.display());
    }
    let journal = Journal::open_default();
    let sent = Entry::new(&profile.journal_target(Some(&client)), name, "schedule").detail(format!("{days} days"));
    journal::attempt(journal.as_ref(), sent);
    let outcome = csms::reconcile::schedule_deletion(&client, name, days).await;
    journal::record(journal.as_ref(), &Entry::schedule(&profile.journal_target(Some(&client)), name, days, &outcome));
    super::note_clock(&profile.name, &client);
    match outcome {
        csms::reconcile::ScheduleOutcome::Scheduled(s) => {
            if output == Output::Json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&secret_json(profile, client.known_project_id(), &s)).unwrap()
                );
            } else {
                let when = s.scheduled_delete_time.map(local_time).unwrap_or_default();
                sayln!("{name}: {} until {when}; {}", s.state_label(), undo_hint(ws, &profile.name, name));
            }
            exit::OK
        }
        csms::reconcile::ScheduleOutcome::Failed(e) => fail(&csms_context(e, name)),
        csms::reconcile::ScheduleOutcome::Unknown { error, seen } => {
            esayln!(
                "error: {name}: outcome unknown ({error}); last seen {}",
                seen.as_ref().map_or("nothing", |s| s.state_label())
            );
            exit::FAILED
        }
    }
}

/// How to undo a scheduled deletion. The profile is named: the default one
/// may hold a secret of the same name. The demo's data is rebuilt on every
/// run, so no later command can reach this deletion.
fn undo_hint(ws: &Workspace, profile: &str, name: &str) -> String {
    if ws.is_demo() {
        "demo data starts afresh each run, so there is nothing to undo".to_string()
    } else {
        format!("undo with `csms --profile {profile} cancel-deletion {name}`")
    }
}

fn report_line(r: &CancelReport) -> String {
    let mut line = format!("{}: {}", r.name, r.result);
    if let Some(state) = &r.state {
        let _ = write!(line, " (state {state})");
    }
    if r.error_msg.is_some() || r.error_code.is_some() {
        let _ = write!(
            line,
            ": {}{}",
            r.error_code.as_deref().map(|c| format!("{c} ")).unwrap_or_default(),
            r.error_msg.as_deref().unwrap_or("")
        );
    }
    if let Some(id) = &r.request_id {
        let _ = write!(line, " [request id {id}]");
    }
    line
}

/// Which secrets a cancel is for.
pub(super) enum Selection {
    /// As named; `-` alone reads names from stdin.
    Names(Vec<String>),
    /// Every pending one of the profile (within a window, if given).
    AllPending { within: Option<String> },
}

/// The longest line of names read: a secret's name is at most 64 characters;
/// the rest is room for a comment.
const NAME_LINE_LIMIT: usize = 4096;

/// The most lines of names read: many times the 500 secrets an account holds.
const NAME_LINES: usize = 10_000;

/// Names from stdin: one a line, blank lines and `#` comments skipped.
fn names_from_stdin() -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let stdin = std::io::stdin();
    for line in crate::bounded::lines(stdin.lock(), "standard input", NAME_LINE_LIMIT, NAME_LINES) {
        let line = line.map_err(|e| format!("{e}: nothing was changed"))?;
        let name = line.trim();
        if !name.is_empty() && !name.starts_with('#') {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

pub(super) async fn cancel(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    selection: Selection,
    (concurrency, ceiling): (usize, usize),
) -> i32 {
    let window = match &selection {
        Selection::AllPending { within: Some(w) } => match crate::timefmt::parse_duration(w) {
            Ok(w) => Some(w),
            Err(e) => return usage(e),
        },
        _ => None,
    };
    let (profile, client) = match profile_client(ws, profile, Some("cancel deletion")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    // Names are read before their cancel; a listing made just now already shows each pending.
    let names: Vec<ToCancel> = match selection {
        Selection::Names(names) if names == ["-"] => match names_from_stdin() {
            Ok(n) if n.is_empty() => return usage("no secret name on standard input"),
            Ok(n) => n.into_iter().map(ToCancel::from).collect(),
            Err(e) => return usage(e),
        },
        Selection::Names(names) => names.into_iter().map(ToCancel::from).collect(),
        Selection::AllPending { .. } => {
            let secrets = match client.list_secrets(profile.page_size).await {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            super::note_clock(&profile.name, &client);
            let now = super::window_now(client.clock_offset().unwrap_or(0));
            let names: Vec<ToCancel> = secrets
                .into_iter()
                .filter(|s| window.map_or(s.is_pending_delete(), |w| crate::listing::deletes_within(s, now, w)))
                .map(ToCancel::from)
                .collect();
            if names.is_empty() {
                esayln!(
                    "no secret of profile {} is pending deletion{}",
                    profile.name,
                    match window {
                        Some(_) => " within that window",
                        None => "",
                    }
                );
                if output == Output::Json {
                    outln!("[]");
                }
                return exit::OK;
            }
            names
        }
    };
    let termination = crate::signals::Termination::listen();
    let total = names.len();
    let mut done = 0usize;
    let table = output == Output::Table;
    let show_progress = table && total > 1 && std::io::stderr().is_terminal();
    let journal = Journal::open_default();
    let signalled = Arc::new(std::sync::OnceLock::new());
    let report = cancel_many_noting(
        Arc::clone(&client),
        names,
        (concurrency, ceiling),
        |name| {
            journal::attempt(journal.as_ref(), Entry::new(&profile.journal_target(Some(&client)), name, "cancel"));
        },
        |name, outcome, _limit| {
            done += 1;
            // Taken per outcome: the project id IAM gives is known once the first request went.
            let target = profile.journal_target(Some(&client));
            journal::record(journal.as_ref(), &Entry::cancel(&target, name, outcome));
            if table {
                sayln!("{}", report_line(&CancelReport::new(&profile.name, name, outcome)));
                if show_progress {
                    eprint!("\r[{done}/{total}]");
                }
            }
        },
        stop_on_signal(termination, Arc::clone(&signalled)),
    )
    .await;
    if show_progress {
        eprintln!();
    }
    let mut status = exit::OK;
    let mut lines = Vec::new();
    let (mut ok, mut failed, mut skipped) = (0, 0, 0);
    for (name, result) in &report.results {
        match result {
            BulkResult::Done(outcome) => {
                if outcome.is_safe() {
                    ok += 1;
                } else {
                    failed += 1;
                    status = status.max(match &**outcome {
                        CancelOutcome::Failed(e) => error_status(e).max(exit::FAILED),
                        _ => exit::FAILED,
                    });
                }
                lines.push(serde_json::to_value(CancelReport::new(&profile.name, name, outcome)).unwrap());
            }
            BulkResult::NotStarted => {
                skipped += 1;
                status = status.max(exit::FAILED);
                if table {
                    sayln!("{name}: not attempted (stopped)");
                }
                lines.push(json!({ "name": name, "profile": profile.name, "result": "not attempted" }));
            }
        }
    }
    if output == Output::Json {
        outln!("{}", serde_json::to_string_pretty(&lines).unwrap());
    }
    // The summary goes to stderr in either format: stdout stays one line per secret, or pure JSON.
    if total > 1 || report.stopped {
        let s = client.stats();
        let throttled = if report.min_concurrency < concurrency {
            format!("; throttled, so at most {} in flight at the slowest", report.min_concurrency)
        } else {
            String::new()
        };
        eprintln!(
            "{ok} not pending any more, {failed} failed or unknown, {skipped} not attempted; {} requests, {} retries{throttled}",
            s.requests.load(std::sync::atomic::Ordering::Relaxed),
            s.retries.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    // Stopped by a signal: the exit status says so, whatever the answers were.
    signalled.get().copied().unwrap_or_else(|| overall(status))
}

/// Resolves on the first signal, which stops new cancels: says at once that
/// csms waits for the answers under way, and keeps its exit status. A second
/// signal ends csms at once; the journal then holds those cancels as sent
/// with no outcome, which reads as unknown.
async fn stop_on_signal(
    termination: std::io::Result<crate::signals::Termination>,
    signalled: Arc<std::sync::OnceLock<i32>>,
) {
    // Without signal handling the run simply cannot be stopped early.
    let Ok(mut termination) = termination else { return std::future::pending().await };
    let _ = signalled.set(termination.wait().await);
    eprintln!(
        "stopping: no new cancel is sent; waiting for the answers of those under way (signal again to end now: their outcome is then unknown)"
    );
    tokio::spawn(async move {
        let status = termination.wait().await;
        crate::config::source::running::stop_all();
        std::process::exit(status);
    });
}
