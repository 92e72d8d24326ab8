//! The scriptable face: `csms list`, `cancel-deletion`, `watch`, ... with
//! `-o json`, and `csms serve`.

pub mod args;
mod serve;
pub mod table;

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use clap::CommandFactory;
use serde_json::{Value, json};

use crate::config::Profile;
use crate::csms::bulk::{BulkResult, cancel_many};
use crate::csms::{self, CancelOutcome, CancelReport, Secret};
use crate::listing::{deletes_within, parse_state, pending_first};
use crate::timefmt::{age, countdown, local_time, parse_duration};
use crate::workspace::Workspace;
use args::{Cli, Command, ListArgs, Output};
use table::{Table, truncate};

pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const PENDING_FOUND: i32 = 3;
    pub const AUTH: i32 = 4;
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Prints an error and gives its exit status.
fn fail(err: &csms::Error) -> i32 {
    eprintln!("error: {err}");
    error_status(err)
}

fn error_status(err: &csms::Error) -> i32 {
    match err {
        e if e.is_auth() => exit::AUTH,
        csms::Error::Invalid(_) | csms::Error::ReadOnly { .. } => exit::USAGE,
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
    eprintln!("error: {msg}");
    exit::USAGE
}

/// Runs a subcommand and returns the process exit status.
pub async fn run(cli: Cli, command: Command) -> i32 {
    let g = &cli.global;
    match command {
        Command::Serve(args) => return serve::run(args).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "csms", &mut std::io::stdout());
            return exit::OK;
        }
        _ => {}
    }
    let ws = match Workspace::open(g.config.as_deref(), g.demo, false).await {
        Ok(ws) => ws,
        Err(e) => return usage(e),
    };
    if ws.is_demo() && g.output == Output::Table {
        eprintln!("DEMO: sample data on a local emulator. Configure a real account in {}.", config_hint());
    }
    let profile = g.profile.as_deref();
    match command {
        Command::List(args) => list(&ws, profile, g.output, &args).await,
        Command::Show { name } => show(&ws, profile, g.output, &name).await,
        Command::ScheduleDeletion { name, days, yes } => schedule(&ws, profile, g.output, &name, days, yes).await,
        Command::CancelDeletion { names, concurrency } => {
            cancel(&ws, profile, g.output, names, usize::from(concurrency)).await
        }
        Command::Watch { within, all_profiles } => watch(&ws, profile, g.output, &within, all_profiles).await,
        Command::Profiles { check } => profiles(&ws, g.output, check).await,
        Command::Serve(_) | Command::Completions { .. } => unreachable!("handled above"),
    }
}

/// Where a configuration would go, with the home directory as `~`.
pub fn config_hint() -> String {
    let Some(path) = crate::config::default_path() else { return "config.toml".into() };
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    match home.as_deref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// A client for a profile; says so on stderr when it does not verify TLS.
fn client_for(ws: &Workspace, profile: &Profile) -> csms::Result<Arc<csms::Client>> {
    if profile.insecure_skip_tls_verify {
        eprintln!("warning: profile {} does not verify TLS certificates (insecure_skip_tls_verify)", profile.name);
    }
    ws.client(profile)
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
        Ok(vec![ws.profile(name)?])
    }
}

/// Every secret of each profile, the profiles fetched concurrently.
async fn fetch_all(ws: &Workspace, profiles: &[&Profile], page_size: u32) -> Vec<(String, csms::Result<Vec<Secret>>)> {
    let jobs = profiles.iter().map(|p| async move {
        let result = match client_for(ws, p) {
            Ok(client) => client.list_secrets(page_size).await,
            Err(e) => Err(e),
        };
        (p.name.clone(), result)
    });
    futures::future::join_all(jobs).await
}

fn secret_json(profile: &str, s: &Secret) -> Value {
    let mut v = serde_json::to_value(s).expect("serializable");
    v["profile"] = json!(profile);
    v
}

fn deletes_in(s: &Secret, now: i64) -> String {
    match (s.is_pending_delete(), s.scheduled_delete_time) {
        (true, Some(t)) => countdown(t - now),
        _ => String::new(),
    }
}

fn secrets_table(rows: &[(String, Secret)], with_profile: bool, now: i64) -> String {
    let mut headers = vec!["NAME", "STATE", "DELETES IN", "DESCRIPTION", "UPDATED"];
    if with_profile {
        headers.insert(0, "PROFILE");
    }
    let mut t = Table::new(headers);
    for (profile, s) in rows {
        let mut cells = vec![
            s.name.clone(),
            s.state_label().to_string(),
            deletes_in(s, now),
            truncate(s.description.as_deref().unwrap_or(""), 48),
            s.update_time.map(|u| age(now, u)).unwrap_or_default(),
        ];
        if with_profile {
            cells.insert(0, profile.clone());
        }
        t.row(cells);
    }
    t.render()
}

/// Fetches, reports failed profiles on stderr, and returns what came back
/// with the worst exit status seen.
async fn gather(ws: &Workspace, profiles: &[&Profile], page_size: u32) -> (Vec<(String, Secret)>, i32) {
    let mut status = exit::OK;
    let mut rows = Vec::new();
    for (profile, result) in fetch_all(ws, profiles, page_size).await {
        match result {
            Ok(secrets) => rows.extend(secrets.into_iter().map(|s| (profile.clone(), s))),
            Err(e) => {
                eprintln!("error: profile {profile}: {e}");
                status = status.max(error_status(&e));
            }
        }
    }
    (rows, status)
}

async fn list(ws: &Workspace, profile: Option<&str>, output: Output, args: &ListArgs) -> i32 {
    let state = match args.state.as_deref().map(parse_state).transpose() {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let window = match args.pending_within.as_deref().map(parse_duration).transpose() {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    let profiles = match chosen(ws, profile, args.all_profiles) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let (mut rows, status) = gather(ws, &profiles, args.page_size).await;
    let now = now_ms();
    rows.retain(|(_, s)| {
        state.as_ref().is_none_or(|st| s.state.as_ref() == Some(st)) && window.is_none_or(|w| deletes_within(s, now, w))
    });
    match output {
        Output::Json => {
            let arr: Vec<Value> = rows.iter().map(|(p, s)| secret_json(p, s)).collect();
            println!("{}", serde_json::to_string_pretty(&arr).expect("serializable"));
        }
        Output::Table => {
            rows.sort_by(|a, b| pending_first(&a.1, &b.1).then_with(|| a.0.cmp(&b.0)));
            print!("{}", secrets_table(&rows, args.all_profiles, now));
        }
    }
    status
}

async fn show(ws: &Workspace, profile: Option<&str>, output: Output, name: &str) -> i32 {
    let (profile, client) = match profile_client(ws, profile, None) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let secret = match client.show_secret(name).await {
        Ok(s) => s,
        Err(e) => return fail(&csms_context(e, name)),
    };
    let versions = client.list_versions(name).await;
    if output == Output::Json {
        let mut v = secret_json(&profile.name, &secret);
        if let Ok(vs) = &versions {
            v["versions"] = serde_json::to_value(vs).expect("serializable");
        }
        println!("{}", serde_json::to_string_pretty(&v).expect("serializable"));
        return exit::OK;
    }
    let now = now_ms();
    let time = |t: Option<i64>| t.map(local_time).unwrap_or_default();
    let mut out = Table::new(vec!["FIELD", "VALUE"]);
    let mut field = |k: &'static str, v: String| out.row(vec![k.to_string(), v]);
    field("name", secret.name.clone());
    field("profile", profile.name.clone());
    field("state", secret.state_label().to_string());
    if let Some(t) = secret.scheduled_delete_time {
        field("scheduled_delete_time", format!("{} (in {})", local_time(t), countdown(t - now)));
    }
    field("id", secret.id.clone().unwrap_or_default());
    field("description", secret.description.clone().unwrap_or_default());
    field("secret_type", secret.secret_type.clone().unwrap_or_default());
    field("kms_key_id", secret.kms_key_id.clone().unwrap_or_default());
    field("create_time", time(secret.create_time));
    field("update_time", time(secret.update_time));
    field("auto_rotation", secret.auto_rotation.map(|b| b.to_string()).unwrap_or_default());
    field("rotation_period", secret.rotation_period.clone().unwrap_or_default());
    field("rotation_time", time(secret.rotation_time));
    field("next_rotation_time", time(secret.next_rotation_time));
    field("event_subscriptions", secret.event_subscriptions.clone().unwrap_or_default().join(", "));
    field("enterprise_project_id", secret.enterprise_project_id.clone().unwrap_or_default());
    print!("{}", out.render());
    match versions {
        Ok(vs) => {
            let mut t = Table::new(vec!["VERSION", "STAGES", "CREATED"]);
            for v in vs {
                t.row(vec![v.id.clone(), v.version_stages.join(","), time(v.create_time)]);
            }
            print!("\n{}", t.render());
            exit::OK
        }
        Err(e) => {
            eprintln!("error: versions of {name}: {e}");
            error_status(&e)
        }
    }
}

/// Names the secret in a not-found error.
fn csms_context(e: csms::Error, name: &str) -> csms::Error {
    match e {
        csms::Error::Api { status: 404, code, message, request_id, attempts } => {
            csms::Error::Api { status: 404, code, message: format!("secret '{name}': {message}"), request_id, attempts }
        }
        other => other,
    }
}

async fn schedule(ws: &Workspace, profile: Option<&str>, output: Output, name: &str, days: u32, yes: bool) -> i32 {
    let (profile, client) = match profile_client(ws, profile, Some("schedule deletion")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return usage("not on a terminal: add --yes to schedule a deletion without a prompt");
        }
        eprint!(
            "Schedule deletion of '{name}' in profile {}? It is deleted for good after {days} days. Type its name to confirm: ",
            profile.name
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() || answer.trim() != name {
            eprintln!("not confirmed: nothing was changed");
            return exit::FAILED;
        }
    }
    match csms::reconcile::schedule_deletion(&client, name, days).await {
        csms::reconcile::ScheduleOutcome::Scheduled(s) => {
            if output == Output::Json {
                println!("{}", serde_json::to_string_pretty(&secret_json(&profile.name, &s)).unwrap());
            } else {
                let when = s.scheduled_delete_time.map(local_time).unwrap_or_default();
                println!("{name}: {} until {when}; undo with `csms cancel-deletion {name}`", s.state_label());
            }
            exit::OK
        }
        csms::reconcile::ScheduleOutcome::Failed(e) => fail(&csms_context(e, name)),
        csms::reconcile::ScheduleOutcome::Unknown { error, seen } => {
            eprintln!(
                "error: {name}: outcome unknown ({error}); last seen {}",
                seen.as_ref().map_or("nothing", |s| s.state_label())
            );
            exit::FAILED
        }
    }
}

fn report_line(r: &CancelReport) -> String {
    let mut line = format!("{}: {}", r.name, r.result);
    if let Some(state) = &r.state {
        line.push_str(&format!(" (state {state})"));
    }
    if r.error_msg.is_some() || r.error_code.is_some() {
        line.push_str(&format!(
            ": {}{}",
            r.error_code.as_deref().map(|c| format!("{c} ")).unwrap_or_default(),
            r.error_msg.as_deref().unwrap_or("")
        ));
    }
    if let Some(id) = &r.request_id {
        line.push_str(&format!(" [request id {id}]"));
    }
    line
}

async fn cancel(ws: &Workspace, profile: Option<&str>, output: Output, names: Vec<String>, concurrency: usize) -> i32 {
    let (profile, client) = match profile_client(ws, profile, Some("cancel deletion")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let termination = crate::signals::Termination::listen();
    let total = names.len();
    let mut done = 0usize;
    let table = output == Output::Table;
    let show_progress = table && total > 1 && std::io::stderr().is_terminal();
    let report = cancel_many(
        Arc::clone(&client),
        names,
        concurrency,
        |name, outcome, _limit| {
            done += 1;
            if table {
                println!("{}", report_line(&CancelReport::new(&profile.name, name, outcome)));
                if show_progress {
                    eprint!("\r[{done}/{total}]");
                }
            }
        },
        async move {
            match termination {
                Ok(mut t) => t.wait().await,
                // Without signal handling the run simply cannot be stopped early.
                Err(_) => std::future::pending().await,
            }
        },
    )
    .await;
    if show_progress {
        eprintln!();
    }
    let mut status = exit::OK;
    let mut lines = Vec::new();
    let (mut ok, mut failed, mut skipped) = (0, 0, 0);
    for (name, result) in &report.results {
        match result {
            BulkResult::Done(outcome) => {
                if outcome.is_safe() {
                    ok += 1;
                } else {
                    failed += 1;
                    status = status.max(match &**outcome {
                        CancelOutcome::Failed(e) => error_status(e).max(exit::FAILED),
                        _ => exit::FAILED,
                    });
                }
                lines.push(serde_json::to_value(CancelReport::new(&profile.name, name, outcome)).unwrap());
            }
            BulkResult::NotStarted => {
                skipped += 1;
                status = status.max(exit::FAILED);
                if table {
                    println!("{name}: not attempted (stopped)");
                }
                lines.push(json!({ "name": name, "profile": profile.name, "result": "not attempted" }));
            }
        }
    }
    if output == Output::Json {
        println!("{}", serde_json::to_string_pretty(&lines).unwrap());
    }
    // The summary goes to stderr in either format: stdout stays one line per secret, or pure JSON.
    if total > 1 || report.stopped {
        let s = client.stats();
        let throttled = if report.min_concurrency < concurrency {
            format!("; throttled, so at most {} in flight at the slowest", report.min_concurrency)
        } else {
            String::new()
        };
        eprintln!(
            "{ok} not pending any more, {failed} failed or unknown, {skipped} not attempted; {} requests, {} retries{throttled}",
            s.requests.load(std::sync::atomic::Ordering::Relaxed),
            s.retries.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    overall(status)
}

async fn watch(ws: &Workspace, profile: Option<&str>, output: Output, within: &str, all: bool) -> i32 {
    let window = match parse_duration(within) {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    let profiles = match chosen(ws, profile, all) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let (mut rows, status) = gather(ws, &profiles, 200).await;
    let now = now_ms();
    rows.retain(|(_, s)| deletes_within(s, now, window));
    rows.sort_by(|a, b| pending_first(&a.1, &b.1));
    match output {
        Output::Json => {
            let arr: Vec<Value> = rows.iter().map(|(p, s)| secret_json(p, s)).collect();
            println!("{}", serde_json::to_string_pretty(&arr).unwrap());
        }
        Output::Table if rows.is_empty() => eprintln!("no deletion within {within}"),
        Output::Table => print!("{}", secrets_table(&rows, all, now)),
    }
    if !rows.is_empty() { exit::PENDING_FOUND } else { status }
}

async fn profiles(ws: &Workspace, output: Output, check: bool) -> i32 {
    let default = ws.profile(None).ok().map(|p| p.name.clone());
    let checks = futures::future::join_all(ws.config.profiles.values().map(|p| async move {
        if !check {
            return None;
        }
        Some(match client_for(ws, p) {
            Ok(c) => c.check().await.map(|_| ()),
            Err(e) => Err(e),
        })
    }))
    .await;
    let mut status = exit::OK;
    let mut t = Table::new(if check {
        vec!["NAME", "REGION", "PROJECT", "AUTH", "ENDPOINT", "FLAGS", "CHECK"]
    } else {
        vec!["NAME", "REGION", "PROJECT", "AUTH", "ENDPOINT", "FLAGS"]
    });
    let mut json_rows = Vec::new();
    for (p, result) in ws.config.profiles.values().zip(checks) {
        let mut flags = Vec::new();
        if default.as_deref() == Some(&p.name) {
            flags.push("default");
        }
        if p.read_only {
            flags.push("read-only");
        }
        if p.insecure_skip_tls_verify {
            flags.push("TLS-UNVERIFIED");
        }
        let check_text = match &result {
            None => None,
            Some(Ok(())) => Some("ok".to_string()),
            Some(Err(e)) => {
                status = status.max(error_status(e));
                Some(format!("FAILED: {e}"))
            }
        };
        let mut row = vec![
            p.name.clone(),
            p.region.clone(),
            p.project_id.clone().unwrap_or_default(),
            p.auth_mode().to_string(),
            p.endpoint.clone(),
            flags.join(","),
        ];
        if let Some(c) = &check_text {
            row.push(c.clone());
        }
        t.row(row);
        json_rows.push(json!({
            "name": p.name, "region": p.region, "project_id": p.project_id, "auth": p.auth_mode(),
            "endpoint": p.endpoint, "iam_endpoint": p.iam_endpoint, "read_only": p.read_only,
            "insecure_skip_tls_verify": p.insecure_skip_tls_verify, "default": default.as_deref() == Some(&p.name),
            "check": check_text,
        }));
    }
    match output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&json_rows).unwrap()),
        Output::Table => print!("{}", t.render()),
    }
    overall(status)
}
