//! Where csms keeps what it writes about itself: the log and the journal
//! (Linux: `$XDG_STATE_HOME/csms-tui`, `~/.local/state/csms-tui`).

use std::path::PathBuf;

pub fn state_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "csms-tui")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}
