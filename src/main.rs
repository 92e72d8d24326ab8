use csms_tui::cli::{self, args::Cli, args::Command};
use csms_tui::config::source::running::stop_all;
// Errors carry config, IAM and server text (profile and project names, messages).
use csms_tui::printable::printable;

fn main() {
    // `COMPLETE=bash csms` (the shell's hook) answers a Tab and exits: names from the cache on disk only.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).bin("csms").complete();
    let cli = Cli::parse_args();
    match &cli.command {
        Some(Command::Serve(_)) => csms_tui::logging::to_stderr(),
        _ => csms_tui::logging::to_file(),
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let code = runtime.block_on(async {
        let mut cli = cli;
        match cli.command.take() {
            Some(command) => {
                if !matches!(command, Command::Serve(_) | Command::CancelDeletion { .. }) {
                    stop_on_signal();
                }
                cli::run(cli, command).await
            }
            None => open_tui(&cli).await,
        }
    });
    // A credential command still running (the UI quit while it hung) dies with us.
    stop_all();
    // The demo emulator and stray tasks must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(code);
}

/// Ctrl-C, SIGTERM or SIGHUP stops a command at once, and the credential commands
/// it started with it (they run in process groups of their own, out of the
/// terminal's reach). `serve`, `cancel-deletion` and the UI stop gracefully
/// by themselves.
fn stop_on_signal() {
    if let Ok(mut termination) = csms_tui::signals::Termination::listen() {
        tokio::spawn(async move {
            let status = termination.wait().await;
            stop_all();
            std::process::exit(status);
        });
    }
}

async fn open_tui(cli: &Cli) -> i32 {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("error: the terminal UI needs a terminal; in scripts use a subcommand, e.g. `csms list -o json`");
        return cli::exit::USAGE;
    }
    let g = &cli.global;
    // Opens at once, on the projects found last; IAM is asked behind the UI.
    let freshness = csms_tui::discovery::Freshness::Behind;
    let scope = csms_tui::workspace::Scope::Every;
    let ws = match csms_tui::workspace::Workspace::open(g.config.as_deref(), g.demo, true, freshness, scope).await {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {}", printable(&e.to_string()));
            return cli::exit::USAGE;
        }
    };
    // A profile that does not exist is a usage error, as in the CLI (several
    // profiles and no default open the picker instead; a profile with
    // regions opens on its targets together).
    let named = g.profile.as_deref().or(ws.config.default_profile.as_deref());
    let group = named.is_some_and(|n| ws.config.is_group(n));
    if let Err(e) = ws.profile(g.profile.as_deref())
        && !group
        && (g.profile.is_some() || ws.config.profiles.len() < 2)
    {
        eprintln!("error: {}", printable(&e.to_string()));
        return cli::exit::USAGE;
    }
    match csms_tui::tui::run(ws, g.profile.as_deref()).await {
        Ok(ended) => {
            // Quit before these were answered: say so, where the user will see it.
            for what in &ended.unfinished {
                let what = printable(what);
                eprintln!("unknown: {what}");
                tracing::warn!(%what, "quit before the answer");
            }
            // Ended by a signal: the status says which, as for any process a signal ends.
            match (ended.signal_status, ended.unfinished.is_empty()) {
                (Some(status), _) => status,
                (None, true) => cli::exit::OK,
                (None, false) => cli::exit::FAILED,
            }
        }
        Err(e) => {
            eprintln!("error: {}", printable(&e.to_string()));
            cli::exit::FAILED
        }
    }
}
