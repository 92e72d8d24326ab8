//! Logs go to a file in the platform state dir, never to the terminal the UI
//! draws on. `CSMS_LOG` sets the filter (default `info`).

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

pub fn log_path() -> Option<PathBuf> {
    crate::state_dir::state_dir().map(|d| d.join("csms.log"))
}

/// Logs to the file; silently logs nowhere if it cannot be opened.
pub fn to_file() {
    let filter = EnvFilter::try_from_env("CSMS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let Some(path) = log_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = crate::private_file::open_append(&path) else { return };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

/// For `csms serve`: logs to stderr like any server.
pub fn to_stderr() {
    let filter = EnvFilter::try_from_env("CSMS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
