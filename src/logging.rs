//! Logs go to a file in the platform state dir, never to the terminal the UI
//! draws on. `CSMS_LOG` sets the filter (default `info`).

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::{MakeExt, RecordFields};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{Writer, debug_fn};

pub fn log_path() -> Option<PathBuf> {
    crate::state_dir::state_dir().map(|d| d.join("csms.log"))
}

/// Logs to the file; if it cannot be opened (a FIFO or a device put in its
/// place among them), logs nowhere this run and says so once on stderr.
pub fn to_file() {
    let filter = EnvFilter::try_from_env("CSMS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let Some(path) = log_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let file = match crate::private_file::open_append(&path) {
        Ok(file) => file,
        Err(e) => {
            let path = path.display().to_string();
            let path = crate::printable::printable(&path);
            eprintln!("warning: {path}: {e}; nothing is logged this run");
            return;
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .fmt_fields(Inert)
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
        .fmt_fields(Inert)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Formats every field of every log line (the message too) through
/// `printable`: a field can hold a secret's name, a server's message or a
/// profile's setting, and the log is read with `cat` and `tail -f` on a
/// terminal. Done here, once, so that no call site can forget it.
pub struct Inert;

impl<'w> FormatFields<'w> for Inert {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'w>, fields: R) -> std::fmt::Result {
        let escaped = debug_fn(|w: &mut Writer<'_>, field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
            let text = format!("{value:?}");
            let text = crate::printable::printable(&text);
            match field.name() {
                "message" => w.write_str(&text),
                name => write!(w, "{}={text}", name.trim_start_matches("r#")),
            }
        });
        escaped.delimited(" ").format_fields(writer, fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What one event logs, formatted as the log file has it.
    fn logged(event: impl FnOnce()) -> String {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .fmt_fields(Inert)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, event);
        String::from_utf8(buffer.lock().unwrap().clone()).unwrap()
    }

    struct Sink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_field_and_the_message_are_written_inert() {
        let evil = "evil\u{1b}]52;c;UFdORUQ=\u{7}\u{1b}[31mRED\u{202e}LTR\nINFO forged";
        let line = logged(|| {
            tracing::info!(secret = %evil, code = evil, error = ?evil, "change of {evil}");
        });
        assert_eq!(line.matches('\n').count(), 1, "one line: {line:?}");
        for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!line.contains(raw), "{raw:?} written raw: {line:?}");
        }
        assert!(line.contains("change of evil\\u{1b}]52;c;UFdORUQ=\\u{7}"), "{line}");
        assert!(line.contains(" secret=evil\\u{1b}]52;"), "{line}");
        assert!(line.contains("RED\\u{202e}LTR"), "{line}");
    }
}
