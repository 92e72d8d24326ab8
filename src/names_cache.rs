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

/// Keeps the names of a listing of `target`; a cache that cannot be written is only logged.
pub fn remember(target: &str, names: impl IntoIterator<Item = String>) {
    if let Some(path) = path()
        && let Err(e) = remember_at(&path, target, names)
    {
        tracing::warn!("cannot keep the secret names for completion: {e}");
    }
}

/// The names the file at `path` holds for `profile` (a target, or a profile
/// whose targets are `profile/...`), or for every target without one.
pub fn names_for(path: &Path, profile: Option<&str>) -> Vec<String> {
    let of_profile = |target: &str| {
        profile.is_none_or(|p| target == p || target.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')))
    };
    let all = read(path).into_iter().filter(|(target, _)| of_profile(target));
    let mut names: Vec<String> = all.flat_map(|(_, names)| names).filter(|n| completable(n)).collect();
    names.sort();
    names.dedup();
    names.truncate(MAX_NAMES);
    names
}

/// The value of `--NAME VALUE`, `--NAME=VALUE`, `-S VALUE` or `-SVALUE` among
/// the words of a command line being completed (what follows a `--` of
/// its own is positional).
fn option_value(words: &[String], long: &str, short: Option<char>) -> Option<String> {
    let long_eq = format!("{long}=");
    let short = short.map(|c| format!("-{c}"));
    let mut words = words.iter().take_while(|w| *w != "--");
    let mut found = None;
    while let Some(word) = words.next() {
        if *word == long || Some(word) == short.as_ref() {
            found = words.next().cloned();
        } else if let Some(value) = word.strip_prefix(&long_eq) {
            found = Some(value.to_string());
        } else if let Some(value) = short.as_deref().and_then(|s| word.strip_prefix(s)).filter(|v| !v.is_empty()) {
            found = Some(value.to_string());
        }
    }
    found
}

/// The profile a config file makes the default: `default_profile`, else its
/// only profile. Read with a bound, parsed for these keys alone (no
/// credential is resolved, nothing is asked of the network).
fn default_profile(config: &Path) -> Option<String> {
    let text = crate::bounded::read_file_string(config, crate::bounded::FILE_LIMIT).ok()?;
    let table = toml::from_str::<toml::Table>(&text).ok()?;
    if let Some(name) = table.get("default_profile").and_then(toml::Value::as_str) {
        return Some(name.to_string());
    }
    match table.get("profiles").and_then(toml::Value::as_table)?.keys().collect::<Vec<_>>().as_slice() {
        [only] => Some(only.to_string()),
        _ => None,
    }
}

/// The profile whose names a command line completes: the one `--profile`
/// names, else the default of the config it names (`--config`, else
/// `CSMS_CONFIG`, else the platform's); none when no single one is known.
fn completed_profile(words: &[String]) -> Option<String> {
    if let Some(profile) = option_value(words, "--profile", Some('p')) {
        return Some(profile);
    }
    let config = option_value(words, "--config", None)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CSMS_CONFIG").map(PathBuf::from))
        .or_else(crate::config::default_path)?;
    default_profile(&config)
}

/// The candidates for a secret-name argument: the names of the last
/// listings of the profile the command line acts on. The shell's hook runs
/// `csms -- WORDS...`: the words are the arguments after the first `--`.
pub fn candidates() -> Vec<clap_complete::engine::CompletionCandidate> {
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(1).collect();
    let profile = completed_profile(&words);
    path().map(|p| names_for(&p, profile.as_deref())).unwrap_or_default().into_iter().map(Into::into).collect()
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
        assert_eq!(names_for(&path, None), ["api-key", "db-pass"]);
        remember_at(&path, "prod", Vec::new()).unwrap();
        assert_eq!(names_for(&path, None), ["api-key", "db-pass"], "the other target's stay");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(names_for(&dir.path().join("missing.json"), None).is_empty());
    }

    #[test]
    fn a_profile_is_read_from_any_spelling_of_its_option() {
        let words = |line: &str| line.split(' ').map(String::from).collect::<Vec<_>>();
        let profile = |line: &str| option_value(&words(line), "--profile", Some('p'));
        assert_eq!(profile("csms --profile lab/cn-north-4 reveal").as_deref(), Some("lab/cn-north-4"));
        assert_eq!(profile("csms reveal --profile=lab x").as_deref(), Some("lab"));
        assert_eq!(profile("csms -p prod show").as_deref(), Some("prod"));
        assert_eq!(profile("csms -pprod show").as_deref(), Some("prod"));
        assert_eq!(profile("csms show -- --profile x"), None, "after `--`, words are names");
    }

    #[test]
    fn names_that_read_as_options_or_paths_are_never_offered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("names.json");
        let names = ["-rf", "--help", ".", "..", "...", "a-b", ".env", "x..y"].map(String::from);
        std::fs::write(&path, serde_json::to_vec(&BTreeMap::from([("prod", names.clone())])).unwrap()).unwrap();
        assert_eq!(names_for(&path, None), [".env", "a-b", "x..y"]);
        remember_at(&path, "prod", names).unwrap();
        assert_eq!(names_for(&path, None), [".env", "a-b", "x..y"]);
    }

    #[test]
    fn a_cache_written_elsewhere_is_read_within_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("names.json");
        let many: Vec<String> = (0..3 * MAX_NAMES).map(|i| format!("s{i:05}")).collect();
        let all = BTreeMap::from([("prod", many.clone()), ("staging", many)]);
        std::fs::write(&path, serde_json::to_vec(&all).unwrap()).unwrap();
        let names = names_for(&path, None);
        assert_eq!(names.len(), MAX_NAMES, "candidates are capped on reading too");
        std::fs::write(&path, vec![b' '; FILE_LIMIT + 1]).unwrap();
        assert!(names_for(&path, None).is_empty(), "an oversized file is no cache");
        remember_at(&path, "prod", ["db-pass".into()]).unwrap();
        assert_eq!(names_for(&path, None), ["db-pass"], "the next listing replaces it");
    }
}
