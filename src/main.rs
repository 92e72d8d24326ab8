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
            None => {
                cli::run(
                    cli,
                    Command::List(cli::args::ListArgs {
                        all_profiles: false,
                        state: None,
                        pending_within: None,
                        page_size: 200,
                    }),
                )
                .await
            }
        }
    });
    // The demo emulator and stray tasks must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    std::process::exit(code);
}
