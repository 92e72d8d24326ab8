use clap::Parser;

use csms_tui::cli::{self, args::Cli, args::Command};

fn main() {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Serve(_)) => csms_tui::logging::to_stderr(),
        _ => csms_tui::logging::to_file(),
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let code = runtime.block_on(async {
        let mut cli = cli;
        match cli.command.take() {
            Some(command) => cli::run(cli, command).await,
            None => open_tui(&cli).await,
        }
    });
    // The demo emulator and stray tasks must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(code);
}

async fn open_tui(cli: &Cli) -> i32 {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("error: the terminal UI needs a terminal; in scripts use a subcommand, e.g. `csms list -o json`");
        return cli::exit::USAGE;
    }
    let g = &cli.global;
    let ws = match csms_tui::workspace::Workspace::open(g.config.as_deref(), g.demo, true).await {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {e}");
            return cli::exit::USAGE;
        }
    };
    match csms_tui::tui::run(ws, g.profile.as_deref()).await {
        Ok(()) => cli::exit::OK,
        Err(e) => {
            eprintln!("error: {e}");
            cli::exit::FAILED
        }
    }
}
