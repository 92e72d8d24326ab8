//! The scriptable face: `csms list`, `cancel-deletion`, `watch`, ... with
//! `-o json`, and `csms serve`.

/// `println!` for results: a closed stdout (`csms list | head -1`) ends the
/// output quietly instead of panicking, and the command still finishes.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `outln!` for lines people read: server and config text in them (names,
/// descriptions, error messages) cannot reach the terminal as control codes.
macro_rules! sayln {
    ($($arg:tt)*) => {
        outln!("{}", crate::printable::printable(&format!($($arg)*)))
    };
}

/// `eprintln!` for diagnostics, made printable as `sayln!` does.
macro_rules! esayln {
    ($($arg:tt)*) => {
        eprintln!("{}", crate::printable::printable(&format!($($arg)*)))
    };
}

/// `print!` for results; see `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub mod args;
mod backups;
mod deletion;
mod history;
mod init;
mod lifecycle;
mod list_stream;
mod profiles;
mod secrets;
mod serve;
pub mod table;

use std::sync::Arc;

use clap::CommandFactory;

use crate::config::Profile;
use crate::csms::{self};
use crate::discovery::Freshness;
use crate::workspace::{Scope, Workspace};
use args::{Cli, Command, Output};

pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const PENDING_FOUND: i32 = 3;
    pub const AUTH: i32 = 4;
}

/// Prints an error and gives its exit status.
fn fail(err: &csms::Error) -> i32 {
    esayln!("error: {err}");
    error_status(err)
}

fn error_status(err: &csms::Error) -> i32 {
    match err {
        e if e.is_auth() => exit::AUTH,
        csms::Error::Invalid(_) | csms::Error::ReadOnly { .. } | csms::Error::Config { .. } => exit::USAGE,
        _ => exit::FAILED,
    }
}

/// A command's exit status from the worst of its parts: an authentication
/// failure says so (4); any other failure is a failure (1).
fn overall(status: i32) -> i32 {
    match status {
        exit::OK => exit::OK,
        exit::AUTH => exit::AUTH,
        _ => exit::FAILED,
    }
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    esayln!("error: {msg}");
    exit::USAGE
}

/// Runs a subcommand and returns the process exit status.
pub async fn run(cli: Cli, command: Command) -> i32 {
    let g = &cli.global;
    match command {
        Command::Serve(args) => return serve::run(args).await,
        Command::Completions { shell } => {
            completions(shell, g.config.as_deref());
            return exit::OK;
        }
        _ => {}
    }
    if let Command::Config { action: args::ConfigAction::Init } = &command {
        return init::init(g.config.as_deref()).await;
    }
    if let Command::History { secret, since } = &command {
        if g.demo {
            crate::journal::use_demo_journal();
        }
        return history::history(g.output, g.profile.as_deref(), secret.as_deref(), since.as_deref());
    }
    let freshness = match &command {
        Command::Profiles { refresh: true, .. } => Freshness::Ask,
        _ => Freshness::Cached(crate::discovery::CLI_CACHE_MS),
    };
    let scope = match &command {
        Command::List(args) if args.all_profiles => Scope::Every,
        Command::Watch { all_profiles: true, .. } | Command::Profiles { .. } => Scope::Every,
        _ => Scope::One(g.profile.as_deref()),
    };
    let ws = match Workspace::open(g.config.as_deref(), g.demo, false, freshness, scope).await {
        Ok(ws) => ws,
        Err(e) => return usage(e),
    };
    if ws.is_demo() && g.output == Output::Table {
        eprintln!(
            "DEMO: sample data on a local emulator. Configure a real account in {}.",
            crate::config::default_path_display()
        );
    }
    // Failed discoveries are reported where their profile is used; skipped projects only here.
    for skipped in &ws.skipped {
        esayln!("warning: skipped {skipped}");
    }
    let profile = g.profile.as_deref();
    match command {
        Command::List(args) => secrets::list(&ws, profile, g.output, &args).await,
        Command::Show { name } => secrets::show(&ws, profile, g.output, &name).await,
        Command::Reveal { name, version } => secrets::reveal(&ws, profile, g.output, &name, &version).await,
        Command::ScheduleDeletion { name, days, yes, backup } => {
            deletion::schedule(&ws, profile, g.output, &name, days, yes, backup.as_deref()).await
        }
        Command::Create { name, description, value, generate } => {
            lifecycle::create(&ws, profile, g.output, &name, description, &value, &generate).await
        }
        Command::PutValue { name, value, generate } => {
            lifecycle::put_value(&ws, profile, g.output, &name, &value, &generate).await
        }
        Command::Rollback { name, to } => lifecycle::rollback(&ws, profile, g.output, &name, to.as_deref()).await,
        Command::Update { name, description } => lifecycle::update(&ws, profile, g.output, &name, &description).await,
        Command::Tag { name, set, remove } => lifecycle::tag(&ws, profile, g.output, &name, &set, &remove).await,
        Command::Versions { name } => lifecycle::versions(&ws, profile, g.output, &name).await,
        Command::Backup { name, out } => backups::backup(&ws, profile, g.output, &name, &out).await,
        Command::Restore { file } => backups::restore(&ws, profile, g.output, &file).await,
        Command::DeleteNow { name, confirm } => lifecycle::delete_now(&ws, profile, g.output, &name, &confirm).await,
        Command::CancelDeletion { names, all_pending, within, concurrency, max_concurrency } => {
            let selection = if all_pending {
                deletion::Selection::AllPending { within }
            } else {
                deletion::Selection::Names(names)
            };
            let limits = (usize::from(concurrency), usize::from(max_concurrency));
            deletion::cancel(&ws, profile, g.output, selection, limits).await
        }
        Command::Watch { within, all_profiles, verbose, every } => {
            let opts = secrets::WatchOptions { within, all_profiles, verbose, every };
            secrets::watch(&ws, profile, g.output, &opts).await
        }
        Command::Profiles { check, .. } => profiles::profiles(&ws, g.output, check).await,
        Command::Serve(_) | Command::Completions { .. } | Command::History { .. } | Command::Config { .. } => {
            unreachable!("handled above")
        }
    }
}

/// Writes the completion script; `--profile` completes the configured
/// profile names when the configuration can be read (quietly without), and
/// the targets of profiles with regions as last found (no network).
fn completions(shell: args::CompletionShell, config: Option<&std::path::Path>) {
    use args::CompletionShell as S;
    use clap_complete::Shell;
    let mut cmd = Cli::command();
    let config = crate::config::locate(config).and_then(|(path, _)| crate::config::Config::load(&path).ok());
    let cache = crate::discovery::cache::Cache::load();
    let mut names: Vec<String> = Vec::new();
    for p in config.iter().flat_map(|c| c.profiles.values()) {
        names.push(p.name.clone());
        if let Some(found) = cache.get(p, None, 0) {
            let targets = crate::discovery::targets(p, None, found).targets;
            names.extend(targets.into_iter().map(|t| t.name));
        }
    }
    let names = completable(names);
    if !names.is_empty() {
        cmd = cmd.mut_arg("profile", |a| a.value_parser(clap::builder::PossibleValuesParser::new(names)));
    }
    let out = &mut std::io::stdout();
    match shell {
        S::Bash => clap_complete::generate(Shell::Bash, &mut cmd, "csms", out),
        S::Zsh => clap_complete::generate(Shell::Zsh, &mut cmd, "csms", out),
        S::Fish => clap_complete::generate(Shell::Fish, &mut cmd, "csms", out),
        S::Elvish => clap_complete::generate(Shell::Elvish, &mut cmd, "csms", out),
        S::Powershell => clap_complete::generate(Shell::PowerShell, &mut cmd, "csms", out),
        S::Nushell => clap_complete::generate(clap_complete_nushell::Nushell, &mut cmd, "csms", out),
    }
}

/// The names a completion script may hold: letters, digits, `_`, `-`, `.`
/// and `/`, which no shell reads as anything but text. Clap writes values
/// into the scripts unquoted (bash runs `$(...)` in them at the next Tab;
/// a `"` ends fish's string), so any other name is left out, and said.
fn completable(names: Vec<String>) -> Vec<String> {
    let plain = |n: &String| n.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'));
    let (kept, left_out): (Vec<String>, Vec<String>) = names.into_iter().partition(plain);
    for name in left_out {
        esayln!("warning: profile '{name}' is not completed: only letters, digits and _ - . / are");
    }
    kept
}

/// Now on the clock of the server `client` last heard from (its answers'
/// `Date`), as the TUI counts: countdowns and windows must not depend on
/// this machine's clock being right.
fn server_now(client: &csms::Client) -> csms::model::Millis {
    crate::timefmt::now_ms() + client.clock_offset().unwrap_or(0)
}

/// The "now" a deletion window is counted from: the later of this
/// machine's clock and the server's, so a deletion is inside the window when
/// either clock puts it there. A server whose `Date` is wrong (or forged)
/// cannot push a deletion out of the window, nor can a slow local clock.
fn window_now(offset: csms::model::Millis) -> csms::model::Millis {
    crate::timefmt::now_ms().saturating_add(offset.max(0))
}

/// How far a server's clock may be from this machine's before it is said.
const CLOCK_NOTE_MS: csms::model::Millis = 60_000;

/// Beyond this the offset is implausible for a real server: said as a
/// warning, since one of the two clocks is wrong.
const CLOCK_WARN_MS: csms::model::Millis = 24 * 3_600_000;

/// Says on stderr, once per profile and run, when the server's clock is
/// more than a minute from this machine's: times are counted on the
/// server's, and a user comparing with a local clock should know why.
fn note_clock(profile: &str, client: &csms::Client) {
    static NOTED: std::sync::Mutex<std::collections::BTreeSet<String>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let Some(offset) = client.clock_offset().filter(|o| o.abs() > CLOCK_NOTE_MS) else { return };
    if !NOTED.lock().unwrap_or_else(|e| e.into_inner()).insert(profile.to_string()) {
        return;
    }
    let way = if offset > 0 { "ahead of" } else { "behind" };
    let far = crate::timefmt::countdown(offset.saturating_abs());
    if offset.saturating_abs() > CLOCK_WARN_MS {
        esayln!(
            "warning: profile {profile}: the server's clock is {far} {way} this machine's: one of them is wrong; \
             countdowns show the server's, deletion windows count on whichever clock is later"
        );
    } else {
        esayln!(
            "note: profile {profile}: the server's clock is {far} {way} this machine's; times count on the server's"
        );
    }
}

/// A client for a profile; says so on stderr when it does not verify TLS.
fn client_for(ws: &Workspace, profile: &Profile) -> csms::Result<Arc<csms::Client>> {
    warn_insecure(profile);
    ws.client(profile)
}

/// As `client_for`, with the credentials resolved on a blocking thread: a
/// slow `*_command` holds up its own profile only, not those fetched beside it.
async fn client_apart(ws: &Workspace, profile: &Profile) -> csms::Result<Arc<csms::Client>> {
    warn_insecure(profile);
    ws.client_apart(profile).await
}

fn warn_insecure(profile: &Profile) {
    if profile.insecure_skip_tls_verify {
        esayln!("warning: profile {} does not verify TLS certificates (insecure_skip_tls_verify)", profile.name);
    }
}

/// The profile a command acts on and its client; with `mutation`, a
/// read-only profile is refused before anything is asked. On failure the
/// error is printed and its exit status returned.
fn profile_client<'a>(
    ws: &'a Workspace,
    name: Option<&str>,
    mutation: Option<&'static str>,
) -> Result<(&'a Profile, Arc<csms::Client>), i32> {
    let profile = ws.profile(name).map_err(usage)?;
    let client = client_for(ws, profile).map_err(|e| fail(&e))?;
    if let Some(operation) = mutation {
        client.check_writable(operation).map_err(|e| fail(&e))?;
    }
    Ok((profile, client))
}

/// The profiles a command acts on: one, or all of them.
fn chosen<'a>(ws: &'a Workspace, name: Option<&str>, all: bool) -> Result<Vec<&'a Profile>, String> {
    if all {
        if ws.config.profiles.is_empty() {
            return Err("no profiles configured".into());
        }
        Ok(ws.config.profiles.values().collect())
    } else {
        // A profile with regions: every project found under it.
        match name.or(ws.config.default_profile.as_deref()).map(|n| ws.config.group(n)) {
            Some(members) if members.len() > 1 => Ok(members),
            _ => Ok(vec![ws.profile(name)?]),
        }
    }
}
