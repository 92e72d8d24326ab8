//! What the UI remembers between runs: the last profile, view and sort
//! (`ui.json` in the state dir). Nothing secret, and nothing that must be
//! there: a missing or broken file is a first run.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::app::{SortKey, State, View};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub profile: Option<String>,
    #[serde(default)]
    pub all_profiles: bool,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub reversed: bool,
}

fn path() -> Option<PathBuf> {
    crate::state_dir::state_dir().map(|d| d.join("ui.json"))
}

pub fn load() -> Remembered {
    let Some(path) = path() else { return Remembered::default() };
    match crate::bounded::read_file(&path, crate::bounded::FILE_LIMIT) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Remembered::default(),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "the last run's view is not used");
            Remembered::default()
        }
    }
}

pub fn save(r: &Remembered) {
    if let Some(path) = path() {
        save_at(&path, r);
    }
}

/// Writes `r` to `path`, mode 0600 like every file csms writes: profile
/// names say which accounts this user reaches.
fn save_at(path: &Path, r: &Remembered) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = crate::private_file::replace(path, &serde_json::to_vec_pretty(r).expect("serializable")) {
        tracing::warn!(path = %path.display(), error = %e, "the UI's state was not saved");
    }
}

impl Remembered {
    pub fn of(state: &State) -> Remembered {
        let home = state.profiles.get(state.home).map(|p| match state.view {
            // A group comes back as its profile's name.
            View::Group(_) => p.group().unwrap_or(&p.name).to_string(),
            _ => p.name.clone(),
        });
        Remembered {
            profile: home,
            all_profiles: state.view == View::All,
            sort: Some(state.table.sort().label().to_string()),
            reversed: state.table.reversed(),
        }
    }

    pub fn sort_key(&self) -> Option<SortKey> {
        [SortKey::TimeLeft, SortKey::Name, SortKey::State, SortKey::Updated]
            .into_iter()
            .find(|k| self.sort.as_deref() == Some(k.label()))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn the_file_is_written_for_its_owner_alone_even_over_a_wider_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ui.json");
        std::fs::write(&path, "{}").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let r = Remembered { profile: Some("prod".into()), ..Remembered::default() };
        save_at(&path, &r);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let read: Remembered = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(read, r);
    }
}
