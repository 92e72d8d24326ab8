//! The journal: one JSON line per change csms made, from the TUI or the
//! CLI, whatever its outcome, in `journal.jsonl` (0600) in the state dir.
//! It answers "who cancelled the deletion of X, from which machine and
//! profile, and what did the server say". Never a value, a key or a token.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::bounded::Line;
use crate::csms::Error;
use crate::csms::reconcile::{CancelOutcome, ScheduleOutcome};

/// Where a change was made: a profile's region and project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub profile: String,
    pub region: String,
    pub project: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC, to the millisecond.
    pub time: String,
    pub host: String,
    pub user: String,
    pub profile: String,
    pub region: String,
    pub project: String,
    pub secret: String,
    /// create, put-value, rollback, update, tag, schedule, cancel, delete-now, restore.
    pub action: String,
    /// ok, failed or unknown; `sent` on the line written before the request
    /// went, which the line with its outcome (same `id`) follows.
    pub outcome: String,
    /// Ties a change's `sent` line to its outcome line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The version ids the change made or moved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// What else was asked: a window, a description's new length, tag keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Entry {
    /// A line for `action` on `secret`, stamped now, on this machine.
    pub fn new(target: &Target, secret: &str, action: &str) -> Entry {
        Entry {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            host: host_name(),
            user: user_name(),
            profile: target.profile.clone(),
            region: target.region.clone(),
            project: target.project.clone(),
            secret: secret.to_string(),
            action: action.to_string(),
            outcome: "ok".into(),
            id: None,
            error_code: None,
            error_msg: None,
            request_id: None,
            versions: Vec::new(),
            detail: None,
        }
    }

    /// The outcome: `ok`, or `failed`/`unknown` with what the server said.
    pub fn outcome(mut self, label: &str, error: Option<&Error>) -> Entry {
        self.outcome = label.to_string();
        if let Some(e) = error {
            self.error_code = e.code().map(str::to_string);
            self.error_msg = Some(match e {
                Error::Api { message, .. } => message.clone(),
                other => other.to_string(),
            });
            self.request_id = e.request_id().map(str::to_string);
        }
        self
    }

    pub fn versions(mut self, versions: impl IntoIterator<Item = String>) -> Entry {
        self.versions = versions.into_iter().collect();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Entry {
        self.detail = Some(detail.into());
        self
    }

    /// The line for one cancel of a scheduled deletion.
    pub fn cancel(target: &Target, secret: &str, outcome: &CancelOutcome) -> Entry {
        let entry = Entry::new(target, secret, "cancel");
        match outcome {
            CancelOutcome::Cancelled(_) => entry,
            CancelOutcome::NotPending(_) => entry.detail("was not pending deletion"),
            CancelOutcome::Failed(e) => entry.outcome("failed", Some(e)),
            CancelOutcome::Unknown { error, .. } => entry.outcome("unknown", Some(error)),
        }
    }

    /// The line for one scheduled deletion.
    pub fn schedule(target: &Target, secret: &str, days: u32, outcome: &ScheduleOutcome) -> Entry {
        let entry = Entry::new(target, secret, "schedule").detail(format!("{days} days"));
        match outcome {
            ScheduleOutcome::Scheduled(_) => entry,
            ScheduleOutcome::Failed(e) => entry.outcome("failed", Some(e)),
            ScheduleOutcome::Unknown { error, .. } => entry.outcome("unknown", Some(error)),
        }
    }

    /// Milliseconds since the epoch, for `--since` filters.
    pub fn millis(&self) -> Option<i64> {
        chrono::DateTime::parse_from_rfc3339(&self.time).ok().map(|t| t.timestamp_millis())
    }
}

/// Set when the process runs on the embedded demo: its changes are made to
/// sample data, not to the user's secrets, so they go to a journal of their own.
static DEMO: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on the default journal is the demo's (`demo-journal.jsonl`).
pub fn use_demo_journal() {
    DEMO.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The longest line read back: a change's line is a few hundred bytes, a
/// server's long message included; a line past this is counted unreadable.
const LINE_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// `journal.jsonl` in the state dir (`demo-journal.jsonl` on the demo).
    pub fn open_default() -> Option<Journal> {
        let file = if DEMO.load(std::sync::atomic::Ordering::Relaxed) { "demo-journal.jsonl" } else { "journal.jsonl" };
        crate::state_dir::state_dir().map(|d| Journal { path: d.join(file) })
    }

    pub fn at(path: &Path) -> Journal {
        Journal { path: path.to_path_buf() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line, in one write, to a 0600 file.
    pub fn append(&self, entry: &Entry) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = Vec::new();
        entry.serialize(&mut serde_json::Serializer::with_formatter(&mut line, InertJson)).expect("serializable");
        line.push(b'\n');
        let mut file = crate::private_file::open_append(&self.path)?;
        file.write_all(&line)?;
        file.flush()
    }

    /// Every readable line, oldest first; the count of lines that were not
    /// (a line longer than `LINE_LIMIT` among them). Read a line at a time:
    /// the journal only grows. Anything but a regular file is refused.
    pub fn read(&self) -> std::io::Result<(Vec<Entry>, usize)> {
        let file = match crate::bounded::open_regular(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(e),
        };
        let mut reader = std::io::BufReader::new(file);
        let mut entries = Vec::new();
        let mut unreadable = 0;
        loop {
            match crate::bounded::next_line(&mut reader, LINE_LIMIT)? {
                Line::End => break,
                Line::TooLong => {
                    unreadable += 1;
                    // A regular file ends, so the rest of the line does too.
                    reader.skip_until(b'\n')?;
                }
                Line::Text(line) if line.trim_ascii().is_empty() => {}
                Line::Text(line) => match serde_json::from_slice(&line) {
                    Ok(e) => entries.push(e),
                    Err(_) => unreadable += 1,
                },
            }
        }
        Ok((settle(entries), unreadable))
    }
}

/// The outcome a `sent` line stands for when no outcome line follows it.
const SENT: &str = "sent";

/// One line per change: a `sent` line followed by its outcome is dropped
/// (the outcome line says it all); one with no outcome reads as unknown,
/// as csms ended before the answer, unless this process still waits for it.
fn settle(entries: Vec<Entry>) -> Vec<Entry> {
    let answered: std::collections::HashSet<String> =
        entries.iter().filter(|e| e.outcome != SENT).filter_map(|e| e.id.clone()).collect();
    entries
        .into_iter()
        .filter(|e| e.outcome != SENT || e.id.as_ref().is_none_or(|id| !answered.contains(id)))
        .map(|mut e| {
            if e.outcome == SENT {
                let waiting = e.id.as_deref().is_some_and(in_flight);
                e.outcome = if waiting { "waiting" } else { "unknown" }.into();
                e.error_msg =
                    Some(if waiting { "waiting for the answer" } else { "csms ended before the answer" }.into());
            }
            e
        })
        .collect()
}

/// The changes this process has sent and not yet journaled the outcome of:
/// each one's `id`, by profile, secret and action.
static IN_FLIGHT: std::sync::Mutex<Vec<(Key, String)>> = std::sync::Mutex::new(Vec::new());

/// A change's profile, secret and action.
type Key = (String, String, String);

fn key(entry: &Entry) -> Key {
    (entry.profile.clone(), entry.secret.clone(), entry.action.clone())
}

fn in_flight(id: &str) -> bool {
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|(_, i)| i == id)
}

/// Journals a change about to be sent, before it is: a process killed
/// while waiting for the answer leaves this line, read back as unknown.
/// The outcome line `record` writes for the same profile, secret and action
/// carries the id returned here (set it on the entry when its secret differs).
pub fn attempt(journal: Option<&Journal>, mut entry: Entry) -> String {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = format!(
        "{}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis(),
        COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    entry.outcome = SENT.into();
    entry.id = Some(id.clone());
    IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()).push((key(&entry), id.clone()));
    if let Some(journal) = journal
        && let Err(e) = journal.append(&entry)
    {
        tracing::error!(path = %journal.path.display(), error = %e, action = %entry.action, "journal not written");
    }
    id
}

/// The id of the oldest change in flight that `entry` is the outcome of,
/// taken off the list: by its id when it has one, else by its key.
fn answered(entry: &Entry) -> Option<String> {
    let mut flying = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
    let at = match &entry.id {
        Some(id) => flying.iter().position(|(_, i)| i == id),
        None => flying.iter().position(|(k, _)| *k == key(entry)),
    }?;
    Some(flying.remove(at).1)
}

/// serde's compact JSON, with every character `printable` escapes also
/// written as a `\uXXXX` escape: serde escapes the C0 controls only, and a
/// bidi override in a secret's name would reorder what `cat journal.jsonl`
/// shows. Still JSON that reads back to the same text.
struct InertJson;

impl serde_json::ser::Formatter for InertJson {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut plain = 0;
        for (i, c) in fragment.char_indices().filter(|(_, c)| crate::printable::is_unsafe(*c)) {
            writer.write_all(&fragment.as_bytes()[plain..i])?;
            for unit in c.encode_utf16(&mut [0; 2]) {
                write!(writer, "\\u{unit:04x}")?;
            }
            plain = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[plain..])
    }
}

/// Writes an entry; a journal that cannot be written is logged, never fatal
/// to the change it records (that change already happened).
pub fn record(journal: Option<&Journal>, entry: &Entry) {
    // The outcome of a change sent earlier carries the id of its `sent` line.
    let entry = &match answered(entry) {
        Some(id) => Entry { id: Some(id), ..entry.clone() },
        None => entry.clone(),
    };
    // The log says it too: a failure stays findable even where no journal can be written.
    tracing::info!(
        action = %entry.action,
        secret = %entry.secret,
        profile = %entry.profile,
        outcome = %entry.outcome,
        code = entry.error_code.as_deref().unwrap_or("-"),
        request_id = entry.request_id.as_deref().unwrap_or("-"),
        "change"
    );
    let Some(journal) = journal else { return };
    if let Err(e) = journal.append(entry) {
        tracing::error!(path = %journal.path.display(), error = %e, action = %entry.action, "journal not written");
    }
}

fn host_name() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; gethostname writes at most that much.
        if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
    }
    std::env::var("HOSTNAME").unwrap_or_else(|_| "unknown".into())
}

fn user_name() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_reorders_or_controls_a_terminal_is_written_escaped_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(&dir.path().join("journal.jsonl"));
        let target = Target { profile: "prod".into(), region: "cn-north-4".into(), project: "p1".into() };
        let name = "evil\u{1b}]52;c;UFdORUQ=\u{7}\u{9b}31m\u{202e}LTR\u{2066}测试";
        journal.append(&Entry::new(&target, name, "cancel")).unwrap();
        let text = std::fs::read_to_string(journal.path()).unwrap();
        assert!(!text.trim_end().chars().any(crate::printable::is_unsafe), "{text:?}");
        assert!(text.contains(r"\u202eLTR\u2066测试"), "{text}");
        let (entries, unreadable) = journal.read().unwrap();
        assert_eq!((entries[0].secret.as_str(), unreadable), (name, 0));
    }

    #[test]
    fn a_sent_line_reads_as_its_outcome_or_as_unknown_when_none_followed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(&dir.path().join("journal.jsonl"));
        let target = Target { profile: "prod".into(), region: "cn-north-4".into(), project: "p1".into() };
        let old = Entry::new(&target, "old", "cancel");
        journal.append(&old).unwrap();
        attempt(Some(&journal), Entry::new(&target, "answered", "cancel"));
        attempt(Some(&journal), Entry::new(&target, "lost", "schedule"));
        record(Some(&journal), &Entry::new(&target, "answered", "cancel"));
        let (entries, _) = journal.read().unwrap();
        assert_eq!(entries[1].outcome, "waiting", "this process still waits for it");
        // As a later run reads it: this process no longer waits for its answer.
        answered(&Entry::new(&target, "lost", "schedule"));
        let (entries, _) = journal.read().unwrap();
        let read: Vec<(&str, &str)> = entries.iter().map(|e| (e.secret.as_str(), e.outcome.as_str())).collect();
        assert_eq!(read, [("old", "ok"), ("lost", "unknown"), ("answered", "ok")]);
        assert!(entries[2].id.is_some() && entries[0].id.is_none());
        assert_eq!(entries[1].error_msg.as_deref(), Some("csms ended before the answer"));
    }

    #[test]
    fn appends_lines_that_read_back_and_skips_broken_ones() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::at(&dir.path().join("state/journal.jsonl"));
        let target = Target { profile: "prod".into(), region: "cn-north-4".into(), project: "p1".into() };
        journal.append(&Entry::new(&target, "db", "cancel")).unwrap();
        let err = Error::Api {
            status: 400,
            code: Some("CSMS.0108".into()),
            message: "not scheduled".into(),
            request_id: Some("r1".into()),
            attempts: 1,
        };
        journal.append(&Entry::new(&target, "db", "cancel").outcome("failed", Some(&err))).unwrap();
        std::fs::OpenOptions::new().append(true).open(journal.path()).unwrap().write_all(b"{broken\n").unwrap();
        let (entries, unreadable) = journal.read().unwrap();
        assert_eq!((entries.len(), unreadable), (2, 1));
        assert_eq!(entries[1].error_code.as_deref(), Some("CSMS.0108"));
        assert_eq!(entries[1].request_id.as_deref(), Some("r1"));
        assert!(entries[0].millis().is_some() && !entries[0].host.is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(journal.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
