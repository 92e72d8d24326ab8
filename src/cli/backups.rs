//! `backup` and `restore`: the service's own backup of a secret
//! (DownloadSecretBlob / UploadSecretBlob) in a file only its owner reads.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::args::Output;
use super::secrets::{csms_context, secret_json};
use super::{exit, fail, profile_client, usage};
use crate::config::Profile;
use crate::csms::reconcile::Outcome;
use crate::csms::{Client, Redacted, changes};
use crate::journal::{self, Entry, Journal};
use crate::workspace::Workspace;

const FORMAT: &str = "csms-backup/1";

/// The largest backup file read. A blob goes back in one request body, and
/// the largest a secret makes (20 versions of 32 KiB, base64) fits in 1 MiB,
/// the most `csms serve` takes in a body.
const MAX_BACKUP_BYTES: usize = 1 << 20;

/// A backup file's text, refused past `MAX_BACKUP_BYTES` without reading on.
fn read_backup_file(path: &Path) -> Result<String, i32> {
    let file = std::fs::File::open(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    match super::lifecycle::read_at_most(file, MAX_BACKUP_BYTES) {
        Ok(Some(bytes)) => {
            String::from_utf8(bytes).map_err(|_| usage(format!("{}: not a backup file (not text)", path.display())))
        }
        Ok(None) => Err(usage(format!("{}: more than {MAX_BACKUP_BYTES} bytes: not a backup file", path.display()))),
        Err(e) => Err(usage(format!("{}: {e}", path.display()))),
    }
}

/// A backup file: the service's blob, and where it came from so that a
/// restore knows the secret's name and id (and can read it back after a
/// lost answer).
#[derive(Serialize, Deserialize)]
struct BackupFile {
    format: String,
    name: String,
    /// The secret's id, which its restore keeps; absent from older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    profile: String,
    region: String,
    project_id: String,
    created: String,
    secret_blob: String,
}

/// Takes the backup and writes it to a new file (never over an existing
/// one), mode 0600. The error is printed; the exit status returned.
pub(super) async fn write_backup(client: &Client, profile: &Profile, name: &str, out: &Path) -> Result<(), i32> {
    let secret = client.show_secret(name).await.map_err(|e| fail(&csms_context(e, name)))?;
    let blob = client.backup(name).await.map_err(|e| fail(&csms_context(e, name)))?;
    let file = BackupFile {
        format: FORMAT.into(),
        name: name.to_string(),
        id: secret.id,
        profile: profile.name.clone(),
        region: profile.region.clone(),
        project_id: profile.project_id.clone().unwrap_or_default(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        secret_blob: blob.expose().to_string(),
    };
    let mut text = serde_json::to_vec_pretty(&file).expect("serializable");
    text.push(b'\n');
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(out).and_then(|mut f| f.write_all(&text).and_then(|_| f.sync_all()));
    written.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => usage(format!("{} exists: a backup is never written over", out.display())),
        _ => usage(format!("{}: {e}", out.display())),
    })
}

pub(super) async fn backup(ws: &Workspace, profile: Option<&str>, output: Output, name: &str, out: &Path) -> i32 {
    // A backup changes nothing: read-only profiles may take one.
    let (profile, client) = match profile_client(ws, profile, None) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    if let Err(status) = write_backup(&client, profile, name, out).await {
        return status;
    }
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "name": name, "profile": profile.name, "file": out })).unwrap()
        ),
        Output::Table => sayln!("{name}: backed up to {} (mode 0600)", out.display()),
    }
    exit::OK
}

pub(super) async fn restore(ws: &Workspace, profile: Option<&str>, output: Output, path: &Path) -> i32 {
    let text = match read_backup_file(path) {
        Ok(t) => t,
        Err(status) => return status,
    };
    // A file of ours names the secret; a bare blob (from another tool) does not.
    let (blob, name, id) = match serde_json::from_str::<BackupFile>(&text) {
        Ok(f) if f.format == FORMAT => (f.secret_blob, Some(f.name), f.id),
        Ok(f) => return usage(format!("{}: unknown backup format '{}'", path.display(), f.format)),
        Err(_) if text.trim_start().starts_with('{') => {
            return usage(format!("{}: not a backup file written by csms backup", path.display()));
        }
        Err(_) => (text.trim().to_string(), None, None),
    };
    if blob.is_empty() {
        return usage(format!("{}: the file is empty", path.display()));
    }
    let (profile, client) = match profile_client(ws, profile, Some("restore secret")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let blob = Redacted::new(blob);
    let holds = name.as_deref().zip(id.as_deref()).map(|(name, id)| changes::BackupOf { name, id });
    let label = name.clone().unwrap_or_else(|| path.display().to_string());
    let journal = Journal::open_default();
    let sent = Entry::new(&profile.journal_target(Some(&client)), &label, "restore");
    let id = journal::attempt(journal.as_ref(), sent);
    let entry = Entry { id: Some(id), ..Entry::new(&profile.journal_target(Some(&client)), &label, "restore") };
    let outcome = match changes::restore(&client, &blob, holds).await {
        Ok(outcome) => outcome,
        // The journal names the secret the backup holds, as the message does, not the file's name for it.
        Err(refused) => {
            let entry = Entry { secret: refused.secret, ..entry }.outcome("failed", Some(&refused.error));
            journal::record(journal.as_ref(), &entry);
            return fail(&refused.error);
        }
    };
    let entry = entry.outcome(outcome.label(), outcome.error());
    let secret = match outcome {
        Outcome::Done(s) => {
            if name.as_deref().is_some_and(|n| n != s.name) {
                esayln!(
                    "warning: {}: the file names the secret {label}, but the backup holds {}",
                    path.display(),
                    s.name
                );
            }
            journal::record(journal.as_ref(), &Entry { secret: s.name.clone(), ..entry });
            s
        }
        Outcome::Failed(e) => {
            journal::record(journal.as_ref(), &entry);
            return fail(&e);
        }
        Outcome::Unknown(e) => {
            journal::record(journal.as_ref(), &entry);
            esayln!("error: {label}: restore: the outcome is unknown ({e})");
            return exit::FAILED;
        }
    };
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&secret_json(profile, client.known_project_id(), &secret)).unwrap()
        ),
        Output::Table => sayln!("{}: restored ({})", secret.name, secret.state_label()),
    }
    exit::OK
}
