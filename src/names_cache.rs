//! The secret names of the last `csms list`, per target, for the shell's Tab
//! (`names.json` in the state dir, mode 0600: names only, never a value).
//! Completion reads this file alone, so Tab never waits for the network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names kept per target, and offered in all, at most: a completion list is for reading.
const MAX_NAMES: usize = 5_000;

/// The most of `names.json` read: several targets' full lists fit with room.
/// A larger file, or one that is not a regular file, counts as no cache.
const FILE_LIMIT: usize = 8 << 20;

fn path() -> Option<PathBuf> {
    crate::state_dir::state_dir().map(|d| d.join("names.json"))
}

/// Whether a shell can take `name` as plain text and a command as a name:
/// letters, digits and `_ - . /` (the rule of the completion scripts), not
/// starting with `-` (an option to the command) and not only dots (a path).
pub fn completable(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        && !name.starts_with('-')
        && !name.bytes().all(|b| b == b'.')
}

/// The cache as kept, each target's list cut to `MAX_NAMES`; a file that is
/// missing, too large, not a regular file or not the cache counts as empty.
fn read(path: &Path) -> BTreeMap<String, Vec<String>> {
    let bytes = crate::bounded::read_file(path, FILE_LIMIT).ok();
    let mut all: BTreeMap<String, Vec<String>> =
        bytes.and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
    for names in all.values_mut() {
        names.truncate(MAX_NAMES);
    }
    all
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
    names.truncate(MAX_NAMES);
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

    #[test]
    fn names_that_read_as_options_or_paths_are_never_offered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("names.json");
        let names = ["-rf", "--help", ".", "..", "...", "a-b", ".env", "x..y"].map(String::from);
        std::fs::write(&path, serde_json::to_vec(&BTreeMap::from([("prod", names.clone())])).unwrap()).unwrap();
        assert_eq!(names_at(&path), [".env", "a-b", "x..y"]);
        remember_at(&path, "prod", names).unwrap();
        assert_eq!(names_at(&path), [".env", "a-b", "x..y"]);
    }

    #[test]
    fn a_cache_written_elsewhere_is_read_within_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("names.json");
        let many: Vec<String> = (0..3 * MAX_NAMES).map(|i| format!("s{i:05}")).collect();
        let all = BTreeMap::from([("prod", many.clone()), ("staging", many)]);
        std::fs::write(&path, serde_json::to_vec(&all).unwrap()).unwrap();
        let names = names_at(&path);
        assert_eq!(names.len(), MAX_NAMES, "candidates are capped on reading too");
        std::fs::write(&path, vec![b' '; FILE_LIMIT + 1]).unwrap();
        assert!(names_at(&path).is_empty(), "an oversized file is no cache");
        remember_at(&path, "prod", ["db-pass".into()]).unwrap();
        assert_eq!(names_at(&path), ["db-pass"], "the next listing replaces it");
    }
}
