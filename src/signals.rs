//! The signals that ask the process to stop: SIGINT (Ctrl-C), SIGTERM, and
//! SIGHUP (the terminal closed), each handled alike: the terminal restored,
//! the clipboard cleared, unanswered changes journaled.

/// Listens from the moment it is made, so a signal that arrives before
/// anyone waits is not lost (nor left to kill the process unhandled).
pub struct Termination {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Termination {
    /// Starts listening. Needs a tokio runtime.
    pub fn listen() -> std::io::Result<Termination> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Termination {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
                hup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Termination {})
        }
    }

    /// Resolves on the next SIGINT, SIGTERM or SIGHUP with the exit status a
    /// process that signal ended conventionally gives: 128 plus its number
    /// (130, 143, 129).
    pub async fn wait(&mut self) -> i32 {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => 128 + libc::SIGTERM,
            _ = self.int.recv() => 128 + libc::SIGINT,
            _ = self.hup.recv() => 128 + libc::SIGHUP,
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            130
        }
    }
}
