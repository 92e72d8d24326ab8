//! The secret names of the last `csms list`, per target, for the shell's Tab
//! (`names.json` in the state dir, mode 0600: names only, never a value).
//! Completion reads this file alone, so Tab never waits for the network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names kept per target at most: a completion list is for reading.
const MAX_NAMES: usize = 5_000;

fn path() -> Option<PathBuf> {
    crate::state_dir::state_dir().map(|d| d.join("names.json"))
}

/// Whether a shell can take `name` as plain text: letters, digits and
/// `_ - . /` (the rule of the completion scripts; anything else is left out).
pub fn completable(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
}

fn read(path: &Path) -> BTreeMap<String, Vec<String>> {
    std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

/// Keeps `names` as the listing of `target`, in the file at `path`.
pub fn remember_at(path: &Path, target: &str, names: impl IntoIterator<Item = String>) -> std::io::Result<()> {
    let mut all = read(path);
    let mut names: Vec<String> = names.into_iter().filter(|n| completable(n)).take(MAX_NAMES).collect();
    names.sort();
    all.insert(target.to_string(), names);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::private_file::replace(path, &serde_json::to_vec(&all).expect("serializable"))
}

/// Every name the file at `path` holds, over its targets, once each.
pub fn names_at(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = read(path).into_values().flatten().filter(|n| completable(n)).collect();
    names.sort();
    names.dedup();
    names
}

/// Keeps the names of a listing of `target`; a cache that cannot be written is only logged.
pub fn remember(target: &str, names: impl IntoIterator<Item = String>) {
    if let Some(path) = path()
        && let Err(e) = remember_at(&path, target, names)
    {
        tracing::warn!("cannot keep the secret names for completion: {e}");
    }
}

/// The candidates for a secret-name argument: the names of the last listings.
pub fn candidates() -> Vec<clap_complete::engine::CompletionCandidate> {
    path().map(|p| names_at(&p)).unwrap_or_default().into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kept_per_target_privately_and_unsafe_ones_never_offered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/names.json");
        remember_at(&path, "prod", ["db-pass".into(), "$(rm -rf ~)".into(), "api key".into()]).unwrap();
        remember_at(&path, "acme/cn-north-4", ["api-key".into(), "db-pass".into()]).unwrap();
        assert_eq!(names_at(&path), ["api-key", "db-pass"]);
        remember_at(&path, "prod", Vec::new()).unwrap();
        assert_eq!(names_at(&path), ["api-key", "db-pass"], "the other target's stay");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(names_at(&dir.path().join("missing.json")).is_empty());
    }
}
