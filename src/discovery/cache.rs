//! What discovery found, kept between runs: `targets.json` in the state dir,
//! mode 0600. Per profile: IAM's project list (names and ids only), who asked
//! (endpoint and credential's name, never a secret) and when. A missing or
//! broken file, or an entry another asker wrote, is simply not used. Only
//! the projects csms can use are kept (a name or id no project can have is
//! skipped, and not cached), so an entry holding such a name was altered: it
//! is dropped and reported.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::{AuthConfig, Profile, SecretSource};
use crate::csms::ProjectSummary;
use crate::csms::model::Millis;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    profiles: BTreeMap<String, Entry>,
    /// The profiles whose entry was dropped at load: altered, not used.
    #[serde(skip)]
    dropped: Vec<String>,
    /// Why the file was not read at all (too big, not a regular file).
    #[serde(skip)]
    unreadable: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    asker: String,
    found_at: Millis,
    projects: Vec<ProjectSummary>,
}

/// Who asked IAM, as far as the answer depends on it: the IAM endpoint and
/// the credential's public half (or where a secret comes from).
fn asker(p: &Profile) -> String {
    let source = |s: &SecretSource| match s.configured() {
        SecretSource::Env(name) => format!("env {name}"),
        SecretSource::Command(cmd) => format!("command {cmd}"),
        _ => "literal".to_string(),
    };
    let who = match &p.auth {
        AuthConfig::AkSk { access_key: Some(ak), .. } => format!("aksk {ak}"),
        AuthConfig::AkSk { access_key: None, .. } => "aksk from the SDK's settings".to_string(),
        AuthConfig::Password { domain, user, .. } => format!("password {domain}/{user}"),
        AuthConfig::Token(s) => format!("token from {}", source(s)),
    };
    format!("{} {who}", p.iam_endpoint)
}

/// A project csms keeps: a name and an id IAM could have given.
fn usable(p: &ProjectSummary) -> bool {
    crate::config::regions::is_project_name(&p.name) && crate::config::regions::is_project_id(&p.id)
}

pub fn path() -> Option<PathBuf> {
    crate::state_dir::state_dir().map(|d| d.join("targets.json"))
}

impl Cache {
    pub fn load() -> Cache {
        let Some(path) = path() else { return Cache::default() };
        let mut cache = match crate::bounded::read_file(&path, crate::bounded::FILE_LIMIT) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Cache::default(),
            Err(e) => {
                let why = format!("{}: {e}", path.display());
                tracing::warn!(%why, "the projects found last are not used");
                Cache { unreadable: Some(why), ..Cache::default() }
            }
        };
        cache.drop_altered();
        cache
    }

    /// Why the file was not read, when it was there but too big or not a
    /// regular file.
    pub fn unreadable(&self) -> Option<&str> {
        self.unreadable.as_deref()
    }

    /// Drops every entry with a project name csms never caches: its names
    /// become target names and its regions URLs, so it is not used at all.
    fn drop_altered(&mut self) {
        let altered = |e: &Entry| !e.projects.iter().all(usable);
        self.dropped = self.profiles.iter().filter(|(_, e)| altered(e)).map(|(name, _)| name.clone()).collect();
        for name in &self.dropped {
            self.profiles.remove(name);
            let profile = crate::printable::printable(name);
            tracing::warn!(%profile, "targets.json holds a project name or id csms never writes there: the entry is not used");
        }
    }

    /// The profiles whose entry was dropped at load as altered.
    pub fn dropped(&self) -> &[String] {
        &self.dropped
    }

    /// The projects last found for `profile`, unless another asker found
    /// them or they are older than `max_age`, or were found in the future
    /// (a clock set back, or an edited file): such an age proves nothing.
    pub fn get(&self, profile: &Profile, max_age: Option<Millis>, now: Millis) -> Option<&[ProjectSummary]> {
        let e = self.profiles.get(&profile.name)?;
        let age = now.checked_sub(e.found_at);
        let fresh = max_age.is_none_or(|max| age.is_some_and(|age| (0..=max).contains(&age)));
        (e.asker == asker(profile) && fresh).then_some(e.projects.as_slice())
    }

    /// Keeps what IAM listed for `profile`, less the names no project can
    /// have: those are skipped whenever IAM lists them, and the next load
    /// takes such a name for an altered entry.
    pub fn put(&mut self, profile: &Profile, mut projects: Vec<ProjectSummary>, now: Millis) {
        projects.retain(usable);
        self.profiles.insert(profile.name.clone(), Entry { asker: asker(profile), found_at: now, projects });
    }

    /// Writes the cache; a failure is logged, not fatal: the next run asks IAM.
    pub fn save(&self) {
        let Some(path) = path() else { return };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let bytes = serde_json::to_vec_pretty(self).expect("serializable");
        if let Err(e) = crate::private_file::replace(&path, &bytes) {
            tracing::warn!(path = %path.display(), error = %e, "the projects found were not cached");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, SdkDefaults};

    fn profile(key: &str) -> Profile {
        let text = format!("[profiles.acme]\nregions = [\"*\"]\naccess_key = \"{key}\"\nsecret_key_env = \"SK\"\n");
        Config::parse(std::path::Path::new("c.toml"), &text, &SdkDefaults::default()).unwrap().profiles["acme"].clone()
    }

    #[test]
    fn an_entry_with_a_name_or_id_iam_never_gives_is_dropped_whole() {
        let text = r#"{"profiles": {
            "acme": {"asker": "a", "found_at": 1, "projects": [
                {"id": "00000000000000000000000000000001", "name": "cn-north-4"},
                {"id": "00000000000000000000000000000002", "name": "x@127.0.0.1:47111#"}]},
            "ids": {"asker": "a", "found_at": 1, "projects": [{"id": "../../../v3/x", "name": "cn-north-4"}]},
            "solo": {"asker": "a", "found_at": 1, "projects": [
                {"id": "00000000000000000000000000000003", "name": "cn-north-4"}]}}}"#;
        let mut cache: Cache = serde_json::from_str(text).unwrap();
        cache.drop_altered();
        assert_eq!(cache.dropped(), ["acme", "ids"]);
        assert_eq!(cache.profiles.keys().collect::<Vec<_>>(), ["solo"]);
    }

    #[test]
    fn entries_serve_their_asker_while_young_enough() {
        let mut cache = Cache::default();
        let found = vec![ProjectSummary { id: "0".repeat(32), name: "cn-north-4".into() }];
        cache.put(&profile("AK1"), found.clone(), 1_000);
        assert_eq!(cache.get(&profile("AK1"), None, 999_999), Some(found.as_slice()));
        assert_eq!(cache.get(&profile("AK1"), Some(500), 1_400), Some(found.as_slice()));
        assert_eq!(cache.get(&profile("AK1"), Some(500), 1_600), None, "too old");
        assert_eq!(cache.get(&profile("AK2"), None, 1_000), None, "another key may reach other projects");
        assert_eq!(cache.get(&profile("AK1"), Some(500), 999), None, "found after now: not fresh");
        cache.put(&profile("AK1"), found.clone(), Millis::MIN);
        assert_eq!(cache.get(&profile("AK1"), Some(500), 1_000), None, "an age past counting: not fresh");
        let text = serde_json::to_string(&cache).unwrap();
        assert!(!text.contains("SK\""), "{text}");
        assert!(text.contains("aksk AK1"), "{text}");
    }
}
