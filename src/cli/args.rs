//! The command line, as clap sees it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_STATUSES: &str = "\
Exit status:
  0  success (watch: no deletion falls inside the window)
  1  an operation failed: server or network error, or a secret that is still pending deletion
  2  usage or configuration error
  3  watch: at least one deletion falls inside the window
  4  authentication failed";

#[derive(Debug, Parser)]
#[command(
    name = "csms",
    version,
    about = "Secrets of Huawei Cloud CSMS: a terminal UI, a scriptable CLI and a local emulator",
    long_about = "Secrets of Huawei Cloud CSMS at a glance, pending deletions impossible to miss.\n\n\
                  Without a subcommand, opens the terminal UI (on the embedded demo when nothing is configured).",
    after_help = EXIT_STATUSES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Config file (default: the platform config dir's csms-tui/config.toml)
    #[arg(long, global = true, env = "CSMS_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Profile to use (default: default_profile from the config)
    #[arg(long, short = 'p', global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Output format
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Use the embedded demo (a local emulator with sample data)
    #[arg(long, global = true)]
    pub demo: bool,
}

/// The shells `csms completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
    Nushell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List secrets with their state and the time left before a scheduled deletion
    List(ListArgs),
    /// Show every field of one secret and its versions
    Show {
        #[arg(add = secret_names())]
        name: String,
    },
    /// Print a secret's value: the one command that shows one
    Reveal {
        #[arg(add = secret_names())]
        name: String,
        /// `latest`, or a version id such as v3
        #[arg(long, default_value = "latest")]
        version: String,
    },
    /// Schedule a secret's deletion after a recovery window of 7 to 30 days
    ScheduleDeletion {
        #[arg(add = secret_names())]
        name: String,
        /// Recovery window in days (7..30)
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(7..=30))]
        days: u32,
        /// Do not ask for confirmation (required without a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
        /// Write a backup (as `csms backup`) first; schedule only if it was written
        #[arg(long, value_name = "FILE")]
        backup: Option<PathBuf>,
    },
    /// Create a secret; the value comes from stdin, a file or the service's generator, never the command line
    Create {
        name: String,
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
        #[command(flatten)]
        value: ValueSource,
        #[command(flatten)]
        generate: GenerateArgs,
    },
    /// Put a new value: it becomes SYSCURRENT and the current one SYSPREVIOUS; prints the new version id
    PutValue {
        #[arg(add = secret_names())]
        name: String,
        #[command(flatten)]
        value: ValueSource,
        #[command(flatten)]
        generate: GenerateArgs,
    },
    /// Move SYSCURRENT back to an earlier version (default: the SYSPREVIOUS one)
    Rollback {
        #[arg(add = secret_names())]
        name: String,
        /// The version to make current, e.g. v2
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
    /// Change a secret's description
    Update {
        #[arg(add = secret_names())]
        name: String,
        #[arg(long, value_name = "TEXT")]
        description: String,
    },
    /// Add or change tags (KEY=VALUE) and remove tags (--remove KEY)
    Tag {
        #[arg(add = secret_names())]
        name: String,
        #[arg(value_name = "KEY=VALUE", required_unless_present = "remove")]
        set: Vec<String>,
        #[arg(long, value_name = "KEY")]
        remove: Vec<String>,
    },
    /// A secret's versions: id, stages, created, expires
    Versions {
        #[arg(add = secret_names())]
        name: String,
    },
    /// Write the service's backup of a secret to a new file (mode 0600)
    Backup {
        #[arg(add = secret_names())]
        name: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Bring a secret back from a backup file
    Restore { file: PathBuf },
    /// Delete a secret at once, without a recovery window; give its name twice
    DeleteNow {
        #[arg(add = secret_names())]
        name: String,
        /// The secret's name again
        #[arg(long, value_name = "NAME")]
        confirm: String,
    },
    /// The changes csms made, newest last, from the journal
    History {
        /// Only this secret's
        #[arg(long, value_name = "NAME", add = secret_names())]
        secret: Option<String>,
        /// Only those within this duration, e.g. 24h
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
    },
    /// Cancel the scheduled deletion of one or more secrets
    CancelDeletion {
        /// Secret names; `-` reads them from stdin, one a line
        #[arg(
            value_name = "NAME",
            required_unless_present = "all_pending",
            conflicts_with = "all_pending",
            add = secret_names()
        )]
        names: Vec<String>,
        /// Every secret of the profile that is pending deletion
        #[arg(long)]
        all_pending: bool,
        /// With --all-pending: only those whose deletion falls within this duration, e.g. 3d
        #[arg(long, value_name = "DURATION", requires = "all_pending")]
        within: Option<String>,
        /// Requests in flight at first
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
        /// Requests in flight at most, grown to while the service does not throttle
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=256))]
        max_concurrency: u16,
    },
    /// List the secrets whose deletion falls inside a window; exit 3 when there are any
    Watch {
        /// The window, e.g. 24h, 3d, 2d12h
        #[arg(long, value_name = "DURATION", default_value = "7d")]
        within: String,
        /// Every configured profile
        #[arg(long)]
        all_profiles: bool,
        /// Say so when no deletion falls inside the window (quiet by default, for cron)
        #[arg(long, short = 'v')]
        verbose: bool,
        /// Check again at this interval until interrupted, printing only what changed, e.g. 5m
        #[arg(long, value_name = "DURATION")]
        every: Option<String>,
    },
    /// The configured profiles (a profile with regions: its projects); --check authenticates each
    Profiles {
        #[arg(long)]
        check: bool,
        /// Ask IAM again for the projects of profiles with regions, rather than take what was found last
        #[arg(long)]
        refresh: bool,
    },
    /// The configuration file: `config init` writes a profile
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Shell completions; profile names of the configuration are completed too
    Completions { shell: CompletionShell },
    /// Run a local CSMS-compatible emulator
    Serve(ServeArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Write a profile, asking for what it needs (offering the official SDK's credentials when
    /// present) and checking it live first; secrets stay out of the file
    Init,
}

/// Where a value comes from: exactly one of these.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ValueSource {
    /// Read the value from standard input (one trailing newline is dropped)
    #[arg(long)]
    pub value_stdin: bool,
    /// Read the value from a file (one trailing newline is dropped)
    #[arg(long, value_name = "FILE")]
    pub value_file: Option<PathBuf>,
    /// Let the service generate a password
    #[arg(long)]
    pub generate: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Length of the generated password
    #[arg(long, requires = "generate", value_parser = clap::value_parser!(u32).range(8..=4096))]
    pub length: Option<u32>,
    /// A generated password of letters and digits only
    #[arg(long, requires = "generate")]
    pub no_symbols: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Every configured profile, fetched concurrently
    #[arg(long)]
    pub all_profiles: bool,
    /// Only secrets in this state (case does not matter)
    #[arg(long, value_name = "STATE", value_parser = clap::builder::PossibleValuesParser::new(
        ["ENABLED", "DISABLED", "PENDING_DELETE", "FROZEN", "enabled", "disabled", "pending_delete", "pending-delete", "frozen"]
    ), hide_possible_values = false)]
    pub state: Option<String>,
    /// Only secrets whose deletion falls within this duration, e.g. 7d
    #[arg(long, value_name = "DURATION")]
    pub pending_within: Option<String>,
    /// Secrets per request (default: the profile's page_size, else 1000, the service's most)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// Allow a non-loopback listen address
    ///
    /// The server speaks plain HTTP (no TLS): anyone on the network path can read the secret
    /// values it answers with and the signed requests sent to it, and anyone holding the printed
    /// key (or the accounts file's) can read and change every secret; the admin routes stay
    /// loopback-only. Keep it to a trusted network and test data.
    #[arg(long)]
    pub allow_remote: bool,
    /// SQLite database (default: the platform data dir's csms-tui/emulator.db)
    #[arg(long, value_name = "PATH", conflicts_with = "in_memory")]
    pub db: Option<PathBuf>,
    /// Keep nothing: an in-memory database
    #[arg(long)]
    pub in_memory: bool,
    /// Accounts file (TOML: projects, credentials, users)
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    /// Enable the admin API (/_emulator/...) with this token
    #[arg(long, value_name = "TOKEN", env = "CSMS_EMULATOR_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Seconds a client may take to send a request's headers, and then its body
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub read_timeout: u64,
    /// Answer with shapes the real service is known to send: nulls, numbers, unreadable (comma-separated), or all
    #[arg(long, value_name = "LIST", value_parser = crate::emulator::quirks::Quirks::parse)]
    pub quirks: Option<crate::emulator::quirks::Quirks>,
}

impl Cli {
    /// The command line, with the client's flags out of `csms serve --help`:
    /// the server takes none of them. A subcommand that defines an argument
    /// itself does not get the global one, so `serve` gets hidden stand-ins.
    pub fn command_without_client_flags_on_serve() -> clap::Command {
        use clap::{Arg, ArgAction, CommandFactory};
        Cli::command().mut_subcommand("serve", |serve| {
            serve
                .arg(Arg::new("config").long("config").num_args(1).hide(true))
                .arg(Arg::new("profile").long("profile").short('p').num_args(1).hide(true))
                .arg(Arg::new("output").long("output").short('o').num_args(1).hide(true))
                .arg(Arg::new("demo").long("demo").action(ArgAction::SetTrue).hide(true))
        })
    }

    /// Parses the process's arguments (clap's own message and exit on a usage error).
    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        let matches = Cli::command_without_client_flags_on_serve().get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// Tab on a secret's name (the shell's `COMPLETE` hook): the names of the
/// last `csms list`, read from disk, never asked of the network.
fn secret_names() -> clap_complete::engine::ArgValueCandidates {
    clap_complete::engine::ArgValueCandidates::new(crate::names_cache::candidates)
}
