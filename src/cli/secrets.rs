//! Reading secrets: `list`, `show` and `watch`.

use serde_json::{Value, json};

use super::args::{ListArgs, Output};
use super::list_stream::{report_failure, stream_json};
use super::table::{Table, truncate};
use super::{chosen, client_apart, error_status, exit, fail, note_clock, profile_client, server_now, usage};
use crate::config::Profile;
use crate::csms::model::Millis;
use crate::csms::{self, Secret};
use crate::listing::{TIME_UNKNOWN, deletes_within, parse_state, pending_first, time_left, time_unknown};
use crate::printable::printable;
use crate::timefmt::{age, countdown, local_time, now_ms, parse_duration};
use crate::workspace::Workspace;

/// Every secret of each profile, the profiles fetched concurrently, with
/// each profile's server clock offset and project id.
async fn fetch_all(
    ws: &Workspace,
    profiles: &[&Profile],
    page_size: Option<u32>,
) -> Vec<(String, csms::Result<(Vec<Secret>, Millis, Option<String>)>)> {
    let limits = crate::csms::host_limit::HostLimits::default();
    let jobs = profiles.iter().map(|p| async {
        let _room = limits.acquire(&p.endpoint).await;
        let result = match client_apart(ws, p).await {
            Ok(client) => client.list_secrets(page_size.unwrap_or(p.page_size)).await.map(|secrets| {
                note_clock(&p.name, &client);
                (secrets, server_now(&client) - now_ms(), client.known_project_id().map(str::to_string))
            }),
            Err(e) => Err(e),
        };
        (p.name.clone(), result)
    });
    futures::future::join_all(jobs).await
}

/// A secret as JSON: the API's fields, plus where it lives (a target of a
/// profile with `regions` is `PROFILE/PROJECT`). `project_id` is the id the
/// client used (configured, or found by IAM at run time).
pub(super) fn secret_json(profile: &Profile, project_id: Option<&str>, s: &Secret) -> Value {
    let mut v = serde_json::to_value(s).expect("serializable");
    v["profile"] = json!(profile.name);
    v["region"] = json!(profile.region);
    v["project_id"] = json!(project_id.or(profile.project_id.as_deref()));
    // A pending deletion's time may be unreadable: `null` alone would read
    // as "not scheduled".
    if s.is_pending_delete() {
        v["deletion_time_known"] = json!(!time_unknown(s));
    }
    v
}

fn deletes_in(s: &Secret, now: i64) -> String {
    match time_left(s, now) {
        Some(left) => countdown(left),
        None if time_unknown(s) => TIME_UNKNOWN.into(),
        None => String::new(),
    }
}

/// The description, or for an entry that could not be read, why.
fn description_cell(s: &Secret) -> String {
    match &s.unreadable {
        Some(reason) => format!("unreadable: {reason}"),
        None => s.description.clone().unwrap_or_default(),
    }
}

/// `now` gives the time on a profile's server clock.
fn secrets_table(rows: &[(String, Secret)], with_profile: bool, now: impl Fn(&str) -> Millis) -> String {
    let mut headers = vec!["NAME", "STATE", "DELETES IN", "DESCRIPTION", "UPDATED"];
    if with_profile {
        headers.insert(0, "PROFILE");
    }
    let mut t = Table::new(headers);
    for (profile, s) in rows {
        let now = now(profile);
        let mut cells = vec![
            s.name.clone(),
            s.state_label().to_string(),
            deletes_in(s, now),
            truncate(&printable(&description_cell(s)), 48),
            s.update_time.map(|u| age(now, u)).unwrap_or_default(),
        ];
        if with_profile {
            cells.insert(0, profile.clone());
        }
        t.row(cells);
    }
    t.render()
}

/// What a fetch over several profiles brought back.
struct Gathered {
    rows: Vec<(String, Secret)>,
    /// Each profile's server clock minus this machine's.
    offsets: std::collections::BTreeMap<String, Millis>,
    /// Each profile's project id, as its client knew it (IAM may have found it).
    project_ids: std::collections::BTreeMap<String, String>,
    /// The worst exit status of a failed profile (OK when none failed).
    status: i32,
    /// Whether any profile answered: without one there is nothing to print.
    any_answered: bool,
}

impl Gathered {
    /// The command's status: a profile's own failure when it was the only
    /// one; 1 when some answered and others failed.
    fn exit_status(&self) -> i32 {
        if self.any_answered && self.status != exit::OK { exit::FAILED } else { self.status }
    }

    fn project_id(&self, profile: &str) -> Option<&str> {
        self.project_ids.get(profile).map(String::as_str)
    }

    /// Now on `profile`'s server clock.
    fn now(&self, profile: &str) -> Millis {
        now_ms() + self.offsets.get(profile).copied().unwrap_or(0)
    }

    /// Where `profile`'s deletion windows start (see `window_now`).
    fn window_now(&self, profile: &str) -> Millis {
        super::window_now(self.offsets.get(profile).copied().unwrap_or(0))
    }
}

/// Fetches, reports failed profiles on stderr, and returns what came back.
async fn gather(ws: &Workspace, profiles: &[&Profile], page_size: Option<u32>) -> Gathered {
    let mut status = exit::OK;
    let mut rows = Vec::new();
    let mut any_answered = false;
    let mut offsets = std::collections::BTreeMap::new();
    let mut project_ids = std::collections::BTreeMap::new();
    for (profile, result) in fetch_all(ws, profiles, page_size).await {
        match result {
            Ok((secrets, offset, project_id)) => {
                any_answered = true;
                offsets.insert(profile.clone(), offset);
                project_ids.extend(project_id.map(|id| (profile.clone(), id)));
                crate::names_cache::remember(&profile, secrets.iter().map(|s| s.name.clone()));
                rows.extend(secrets.into_iter().map(|s| (profile.clone(), s)));
            }
            Err(e) => status = status.max(report_failure(&profile, &e)),
        }
    }
    Gathered { rows, offsets, project_ids, status, any_answered }
}

pub(super) async fn list(ws: &Workspace, profile: Option<&str>, output: Output, args: &ListArgs) -> i32 {
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
    let keep = |s: &Secret, now: Millis| {
        state.as_ref().is_none_or(|st| s.state.as_ref() == Some(st)) && window.is_none_or(|w| deletes_within(s, now, w))
    };
    if output == Output::Json {
        return stream_json(ws, &profiles, args.page_size, keep).await;
    }
    // A table is sorted, pending first, so it waits for every row.
    let mut gathered = gather(ws, &profiles, args.page_size).await;
    if !gathered.any_answered {
        // Nothing came back: an empty table would read as "no secrets".
        return gathered.exit_status();
    }
    let status = gathered.exit_status();
    let mut rows = std::mem::take(&mut gathered.rows);
    rows.retain(|(p, s)| keep(s, gathered.window_now(p)));
    rows.sort_by(|a, b| pending_first(&a.1, &b.1).then_with(|| a.0.cmp(&b.0)));
    // Rows of several targets say whose they are: names alone may repeat.
    out!("{}", secrets_table(&rows, args.all_profiles || profiles.len() > 1, |p| gathered.now(p)));
    status
}

pub(super) async fn show(ws: &Workspace, profile: Option<&str>, output: Output, name: &str) -> i32 {
    let (profile, client) = match profile_client(ws, profile, None) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let secret = match client.show_secret(name).await {
        Ok(s) => s,
        Err(e) => return fail(&csms_context(e, name)),
    };
    // On stderr: said under `-o json` too, whose times are the server's.
    note_clock(&profile.name, &client);
    let versions = client.list_versions(name).await;
    if output == Output::Json {
        let mut v = secret_json(profile, client.known_project_id(), &secret);
        if let Ok(vs) = &versions {
            v["versions"] = serde_json::to_value(vs).expect("serializable");
        }
        outln!("{}", serde_json::to_string_pretty(&v).expect("serializable"));
        return exit::OK;
    }
    let now = server_now(&client);
    let time = |t: Option<i64>| t.map(local_time).unwrap_or_default();
    let mut out = Table::new(vec!["FIELD", "VALUE"]);
    let mut field = |k: &'static str, v: String| out.row(vec![k.to_string(), v]);
    field("name", secret.name.clone());
    field("profile", profile.name.clone());
    field("state", secret.state_label().to_string());
    if let Some(reason) = &secret.unreadable {
        field("unreadable", reason.clone());
    }
    if let Some(t) = secret.scheduled_delete_time {
        field("scheduled_delete_time", format!("{} (in {})", local_time(t), countdown(t - now)));
    } else if time_unknown(&secret) {
        field("scheduled_delete_time", TIME_UNKNOWN.into());
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
    out!("{}", out.render());
    match versions {
        Ok(vs) => {
            let mut t = Table::new(vec!["VERSION", "STAGES", "CREATED"]);
            for v in vs {
                t.row(vec![v.id.clone(), v.version_stages.join(","), time(v.create_time)]);
            }
            out!("\n{}", t.render());
            exit::OK
        }
        Err(e) => {
            esayln!("error: versions of {name}: {e}");
            error_status(&e)
        }
    }
}

/// Prints a value, asked for by name: the one place the CLI shows one.
pub(super) async fn reveal(ws: &Workspace, profile: Option<&str>, output: Output, name: &str, version: &str) -> i32 {
    if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) {
        return usage(format!("'{version}' is not a version id: versions are named v1, v2…; did you mean v{version}?"));
    }
    let (profile, client) = match profile_client(ws, profile, None) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let v = match client.show_version(name, version).await {
        Ok(v) => v,
        Err(e) => return fail(&csms_context(e, name)),
    };
    match output {
        Output::Json => {
            let mut doc = json!({
                "name": name,
                "profile": profile.name,
                "version": v.version_metadata.id,
                "version_stages": v.version_metadata.version_stages,
            });
            if let Some(s) = &v.secret_string {
                doc["secret_string"] = json!(s);
            }
            if let Some(b) = &v.secret_binary {
                doc["secret_binary"] = json!(b);
            }
            outln!("{}", serde_json::to_string_pretty(&doc).expect("serializable"));
        }
        Output::Table => match (&v.secret_string, &v.secret_binary) {
            (Some(s), _) => outln!("{s}"),
            (None, Some(b)) => {
                esayln!("{name} {}: a binary value, printed as base64", v.version_metadata.id);
                outln!("{b}");
            }
            (None, None) => esayln!("{name} {}: the version has no value", v.version_metadata.id),
        },
    }
    exit::OK
}

/// Names the secret in a not-found error (known by its code, whatever the status).
pub(super) fn csms_context(e: csms::Error, name: &str) -> csms::Error {
    match e {
        csms::Error::Api { status, code, message, request_id, attempts } if e.is_not_found() => {
            csms::Error::Api { status, code, message: format!("secret '{name}': {message}"), request_id, attempts }
        }
        other => other,
    }
}

/// What `watch` was asked.
pub(super) struct WatchOptions {
    pub within: String,
    pub all_profiles: bool,
    pub verbose: bool,
    pub every: Option<String>,
}

/// The deletions inside the window now (on the later of each profile's
/// server clock and this machine's), soonest first; `None` when no profile answered (never read as "no
/// deletion").
async fn deletions_within(ws: &Workspace, profiles: &[&Profile], window: i64) -> (Option<Gathered>, i32) {
    let mut gathered = gather(ws, profiles, None).await;
    if !gathered.any_answered {
        return (None, gathered.exit_status());
    }
    let status = gathered.exit_status();
    let mut rows = std::mem::take(&mut gathered.rows);
    rows.retain(|(p, s)| deletes_within(s, gathered.window_now(p), window));
    rows.sort_by(|a, b| pending_first(&a.1, &b.1));
    gathered.rows = rows;
    (Some(gathered), status)
}

pub(super) async fn watch(ws: &Workspace, profile: Option<&str>, output: Output, opts: &WatchOptions) -> i32 {
    let window = match parse_duration(&opts.within) {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    let every = match opts.every.as_deref().map(parse_duration).transpose() {
        Ok(Some(ms)) if ms < 1000 => return usage("--every must be at least 1s"),
        Ok(e) => e,
        Err(e) => return usage(e),
    };
    let profiles = match chosen(ws, profile, opts.all_profiles) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    if let Some(every) = every {
        return watch_every(ws, &profiles, output, window, every).await;
    }
    let (gathered, status) = deletions_within(ws, &profiles, window).await;
    // Nothing could be checked: the errors are on stderr, and never a "no deletion".
    let Some(gathered) = gathered else { return status };
    let rows = &gathered.rows;
    match output {
        Output::Json => {
            let arr: Vec<Value> =
                rows.iter().map(|(p, s)| secret_json(&ws.config.profiles[p], gathered.project_id(p), s)).collect();
            outln!("{}", serde_json::to_string_pretty(&arr).unwrap());
        }
        // Quiet when there is nothing to say: cron mails only when there is.
        Output::Table if rows.is_empty() && status == exit::OK && opts.verbose => {
            eprintln!("no deletion within {}", opts.within)
        }
        Output::Table if rows.is_empty() => {}
        Output::Table => out!("{}", secrets_table(rows, opts.all_profiles || profiles.len() > 1, |p| gathered.now(p))),
    }
    // A deletion inside the window is the news; profiles that could not be
    // checked are named on stderr above.
    if !rows.is_empty() { exit::PENDING_FOUND } else { status }
}

/// Checks again and again, printing what entered or left the window; ends
/// with Ctrl-C or SIGTERM. In JSON, one object a line.
async fn watch_every(ws: &Workspace, profiles: &[&Profile], output: Output, window: i64, every: i64) -> i32 {
    let mut known: std::collections::BTreeMap<(String, String), Secret> = Default::default();
    loop {
        if let (Some(gathered), _) = deletions_within(ws, profiles, window).await {
            let now: std::collections::BTreeMap<(String, String), Secret> =
                gathered.rows.iter().map(|(p, s)| ((p.clone(), s.name.clone()), s.clone())).collect();
            for ((profile, name), s) in &now {
                if known.get(&(profile.clone(), name.clone())).map(|k| k.scheduled_delete_time)
                    != Some(s.scheduled_delete_time)
                {
                    match output {
                        Output::Json => {
                            let mut v = secret_json(&ws.config.profiles[profile], gathered.project_id(profile), s);
                            v["change"] = json!("within");
                            outln!("{}", serde_json::to_string(&v).unwrap());
                        }
                        Output::Table => match s.scheduled_delete_time {
                            Some(at) => sayln!(
                                "+ {profile}/{name}: deleted in {} (at {})",
                                deletes_in(s, gathered.now(profile)),
                                local_time(at)
                            ),
                            None => sayln!("+ {profile}/{name}: pending deletion, {TIME_UNKNOWN}"),
                        },
                    }
                }
            }
            for (profile, name) in known.keys().filter(|k| !now.contains_key(*k)) {
                match output {
                    Output::Json => outln!(
                        "{}",
                        serde_json::to_string(&json!({ "profile": profile, "name": name, "change": "left" })).unwrap()
                    ),
                    Output::Table => sayln!("- {profile}/{name}: no longer deleted within the window"),
                }
            }
            known = now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(every as u64)).await;
    }
}
