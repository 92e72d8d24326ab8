//! Managing a secret's life: `create`, `put-value`, `rollback`, `update`,
//! `tag`, `versions` and `delete-now`. Values come from stdin, a file or the
//! service's generator, never from the command line (shell history, `ps`).
//! Every change is read back after a lost answer and written to the journal.

use std::io::Read;

use serde_json::json;

use super::args::{GenerateArgs, Output, ValueSource};
use super::secrets::{csms_context, secret_json};
use super::table::Table;
use super::{exit, fail, profile_client, usage};
use crate::config::Profile;
use crate::csms::model::{CreateSecretRequest, MAX_TAGS, PasswordRequest, Tag, check_tag, is_valid_secret_name};
use crate::csms::reconcile::Outcome;
use crate::csms::{Client, Redacted, changes};
use crate::journal::{self, Entry, Journal};
use crate::timefmt::local_time;
use crate::workspace::Workspace;

/// The largest value the service stores.
const MAX_VALUE_BYTES: usize = 32 * 1024;

/// Journals an outcome, then gives the value or prints the error and gives
/// the exit status. `decorate` adds versions or details to the entry.
fn settle<T>(
    profile: &Profile,
    client: &crate::csms::Client,
    secret: &str,
    action: &str,
    outcome: Outcome<T>,
    decorate: impl FnOnce(Entry, Option<&T>) -> Entry,
) -> Result<T, i32> {
    let entry =
        Entry::new(&profile.journal_target(Some(client)), secret, action).outcome(outcome.label(), outcome.error());
    let done = match &outcome {
        Outcome::Done(t) => Some(t),
        _ => None,
    };
    journal::record(Journal::open_default().as_ref(), &decorate(entry, done));
    match outcome {
        Outcome::Done(t) => Ok(t),
        Outcome::Failed(e) => Err(fail(&csms_context(e, secret))),
        Outcome::Unknown(e) => {
            esayln!(
                "error: {secret}: {action}: the outcome is unknown ({e}); check with `csms --profile {} show {secret}`",
                profile.name
            );
            Err(exit::FAILED)
        }
    }
}

/// Journals a change about to be sent; `settle` writes its outcome.
fn sending(profile: &Profile, client: &crate::csms::Client, secret: &str, action: &str) {
    journal::attempt(
        Journal::open_default().as_ref(),
        Entry::new(&profile.journal_target(Some(client)), secret, action),
    );
}

fn check_name(name: &str) -> Result<(), i32> {
    if is_valid_secret_name(name) {
        Ok(())
    } else {
        Err(usage(format!(
            "invalid secret name '{name}': 1 to 64 letters, digits, '_', '-' and '.', not only dots; nothing was sent"
        )))
    }
}

/// Drops one trailing newline: `echo value | csms create` means `value`.
fn chomp(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

/// Reads at most `max` bytes: `None` when there is more (`/dev/zero`, the
/// wrong file), so nothing past the limit is ever held in memory.
pub(super) fn read_at_most(reader: impl Read, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// A value's bytes from `reader` (named `from` in errors): the largest value
/// the service stores, with room for the line ending `chomp` drops.
fn value_bytes(reader: impl Read, from: &str) -> Result<Vec<u8>, i32> {
    match read_at_most(reader, MAX_VALUE_BYTES + 2) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(usage(format!(
            "{from}: more than {MAX_VALUE_BYTES} bytes; the service stores at most {MAX_VALUE_BYTES}: nothing was sent"
        ))),
        Err(e) => Err(usage(format!("{from}: {e}"))),
    }
}

/// The value to store, from where the user said; checked before anything is sent.
async fn read_value(client: &Client, source: &ValueSource, generate: &GenerateArgs) -> Result<Redacted, i32> {
    let text = if source.generate {
        let req = PasswordRequest {
            length: generate.length,
            exclude_punctuation: generate.no_symbols,
            require_each_included_type: true,
            ..Default::default()
        };
        return client.generate_password(&req).await.map_err(|e| fail(&e));
    } else if let Some(path) = &source.value_file {
        let file = std::fs::File::open(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        let bytes = value_bytes(file, &path.display().to_string())?;
        String::from_utf8(bytes).map_err(|_| usage(format!("{}: the value is not UTF-8 text", path.display())))?
    } else {
        let bytes = value_bytes(std::io::stdin(), "standard input")?;
        String::from_utf8(bytes).map_err(|_| usage("standard input: the value is not UTF-8 text"))?
    };
    let value = chomp(text);
    if value.is_empty() {
        return Err(usage("the value is empty: nothing was sent"));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(usage(format!(
            "the value is {} bytes; the service stores at most {MAX_VALUE_BYTES}: nothing was sent",
            value.len()
        )));
    }
    Ok(Redacted::new(value))
}

pub(super) async fn create(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    description: Option<String>,
    source: &ValueSource,
    generate: &GenerateArgs,
) -> i32 {
    if let Err(status) = check_name(name) {
        return status;
    }
    let (profile, client) = match profile_client(ws, profile, Some("create secret")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let value = match read_value(&client, source, generate).await {
        Ok(v) => v,
        Err(status) => return status,
    };
    let req = CreateSecretRequest {
        name: name.to_string(),
        secret_string: Some(value.expose().to_string()),
        description,
        ..Default::default()
    };
    // A create whose answer was lost is read back before it is ever sent again.
    sending(profile, &client, name, "create");
    let outcome = changes::create(&client, &req).await;
    let secret =
        match settle(profile, &client, name, "create", outcome, |e, made| e.versions(made.map(|_| "v1".to_string()))) {
            Ok(s) => s,
            Err(status) => return status,
        };
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&secret_json(profile, client.known_project_id(), &secret)).unwrap()
        ),
        Output::Table => sayln!("{name}: created ({}, v1)", secret.state_label()),
    }
    exit::OK
}

pub(super) async fn put_value(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    source: &ValueSource,
    generate: &GenerateArgs,
) -> i32 {
    let (profile, client) = match profile_client(ws, profile, Some("put value")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let value = match read_value(&client, source, generate).await {
        Ok(v) => v,
        Err(status) => return status,
    };
    // What exists before, so that a lost answer can be told from a new version.
    let before: Vec<String> = match client.list_versions(name).await {
        Ok(vs) => vs.into_iter().map(|v| v.id).collect(),
        Err(e) => return fail(&csms_context(e, name)),
    };
    sending(profile, &client, name, "put-value");
    let outcome = changes::put_value(&client, name, &value, &before).await;
    let meta = match settle(profile, &client, name, "put-value", outcome, |e, m| e.versions(m.map(|m| m.id.clone()))) {
        Ok(m) => m,
        Err(status) => return status,
    };
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "name": name, "profile": profile.name, "version": meta.id, "version_stages": meta.version_stages,
            }))
            .unwrap()
        ),
        Output::Table => sayln!("{}", meta.id),
    }
    exit::OK
}

pub(super) async fn rollback(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    to: Option<&str>,
) -> i32 {
    let (profile, client) = match profile_client(ws, profile, Some("roll back")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let current = match client.show_stage(name, "SYSCURRENT").await {
        Ok(s) => s.version_id.unwrap_or_default(),
        Err(e) => return fail(&csms_context(e, name)),
    };
    let target = match to {
        Some(v) => v.to_string(),
        None => match client.show_stage(name, "SYSPREVIOUS").await {
            Ok(s) => s.version_id.unwrap_or_default(),
            Err(e) if e.is_not_found() => {
                return usage(format!("{name} has no SYSPREVIOUS version to roll back to; name one with --to"));
            }
            Err(e) => return fail(&csms_context(e, name)),
        },
    };
    if target == current {
        sayln!("{name}: {target} is already SYSCURRENT; nothing was changed");
        return exit::OK;
    }
    sending(profile, &client, name, "rollback");
    let outcome = changes::rollback(&client, name, &target).await;
    let detail = format!("SYSCURRENT {current} -> {target}");
    if let Err(status) = settle(profile, &client, name, "rollback", outcome, |e, _| {
        e.versions([current.clone(), target.clone()]).detail(&detail)
    }) {
        return status;
    }
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "name": name, "profile": profile.name, "stage": "SYSCURRENT", "from": current, "to": target,
            }))
            .unwrap()
        ),
        Output::Table => sayln!("{name}: SYSCURRENT {current} -> {target} ({current} is now SYSPREVIOUS)"),
    }
    exit::OK
}

pub(super) async fn update(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    description: &str,
) -> i32 {
    if description.len() > 2048 {
        return usage(format!("the description is {} bytes; at most 2048: nothing was sent", description.len()));
    }
    let (profile, client) = match profile_client(ws, profile, Some("update secret")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    sending(profile, &client, name, "update");
    let outcome = changes::describe(&client, name, description).await;
    let detail = format!("description, {} characters", description.chars().count());
    let secret = match settle(profile, &client, name, "update", outcome, |e, _| e.detail(detail)) {
        Ok(s) => s,
        Err(status) => return status,
    };
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&secret_json(profile, client.known_project_id(), &secret)).unwrap()
        ),
        Output::Table => sayln!("{name}: description updated"),
    }
    exit::OK
}

/// `KEY=VALUE` pairs, checked as the service checks them.
fn parse_tags(set: &[String], remove: &[String]) -> Result<(Vec<Tag>, Vec<Tag>), String> {
    let mut create = Vec::new();
    for pair in set {
        let (k, v) = pair.split_once('=').ok_or_else(|| format!("'{pair}' is not KEY=VALUE"))?;
        check_tag(k, v)?;
        create.push(Tag { key: k.to_string(), value: Some(v.to_string()) });
    }
    let mut delete = Vec::new();
    for key in remove {
        check_tag(key, "")?;
        delete.push(Tag { key: key.clone(), value: None });
    }
    Ok((create, delete))
}

pub(super) async fn tag(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    set: &[String],
    remove: &[String],
) -> i32 {
    let (create, delete) = match parse_tags(set, remove) {
        Ok(t) => t,
        Err(e) => return usage(format!("{e}: nothing was sent")),
    };
    let (profile, client) = match profile_client(ws, profile, Some("change tags")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    // Tags are addressed by the secret's id.
    let id = match client.show_secret(name).await {
        Ok(s) => s.id.unwrap_or_default(),
        Err(e) => return fail(&csms_context(e, name)),
    };
    let existing = match client.list_tags(&id).await {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let mut after: std::collections::BTreeMap<String, Option<String>> =
        existing.into_iter().map(|t| (t.key, t.value)).collect();
    for t in &delete {
        after.remove(&t.key);
    }
    for t in &create {
        after.insert(t.key.clone(), t.value.clone());
    }
    if after.len() > MAX_TAGS {
        return usage(format!("{name} would carry {} tags; a secret carries at most {MAX_TAGS}", after.len()));
    }
    let mut detail: Vec<String> = create.iter().map(|t| format!("+{}", t.key)).collect();
    detail.extend(delete.iter().map(|t| format!("-{}", t.key)));
    sending(profile, &client, name, "tag");
    let outcome = changes::change_tags(&client, &id, &create, &delete).await;
    let tags = match settle(profile, &client, name, "tag", outcome, |e, _| e.detail(detail.join(" "))) {
        Ok(t) => t,
        Err(status) => return status,
    };
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "name": name, "profile": profile.name, "tags": tags })).unwrap()
        ),
        Output::Table => {
            let mut t = Table::new(vec!["KEY", "VALUE"]);
            for tag in tags {
                t.row(vec![tag.key, tag.value.unwrap_or_default()]);
            }
            out!("{}", t.render());
        }
    }
    exit::OK
}

pub(super) async fn versions(ws: &Workspace, profile: Option<&str>, output: Output, name: &str) -> i32 {
    let (profile, client) = match profile_client(ws, profile, None) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    let versions = match client.list_versions(name).await {
        Ok(v) => v,
        Err(e) => return fail(&csms_context(e, name)),
    };
    super::note_clock(&profile.name, &client);
    match output {
        Output::Json => {
            let rows: Vec<_> = versions
                .iter()
                .map(|v| {
                    let mut row = serde_json::to_value(v).expect("serializable");
                    row["profile"] = json!(profile.name);
                    row
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&rows).unwrap());
        }
        Output::Table => {
            let time = |t: Option<i64>| t.map(local_time).unwrap_or_default();
            let mut t = Table::new(vec!["VERSION", "STAGES", "CREATED", "EXPIRES"]);
            for v in versions.iter().rev() {
                t.row(vec![v.id.clone(), v.version_stages.join(","), time(v.create_time), time(v.expire_time)]);
            }
            out!("{}", t.render());
        }
    }
    exit::OK
}

pub(super) async fn delete_now(
    ws: &Workspace,
    profile: Option<&str>,
    output: Output,
    name: &str,
    confirm: &str,
) -> i32 {
    if confirm != name {
        return usage(format!("--confirm '{confirm}' is not '{name}': nothing was deleted"));
    }
    let (profile, client) = match profile_client(ws, profile, Some("delete secret")) {
        Ok(pc) => pc,
        Err(status) => return status,
    };
    sending(profile, &client, name, "delete-now");
    let outcome = changes::delete_now(&client, name).await;
    if let Err(status) = settle(profile, &client, name, "delete-now", outcome, |e, _| e) {
        return status;
    }
    match output {
        Output::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "name": name, "profile": profile.name, "result": "deleted" }))
                .unwrap()
        ),
        Output::Table => sayln!("{name}: deleted for good"),
    }
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lose_one_trailing_newline() {
        assert_eq!(chomp("v\n".into()), "v");
        assert_eq!(chomp("v\r\n".into()), "v");
        assert_eq!(chomp("v\n\n".into()), "v\n");
        assert_eq!(chomp("v".into()), "v");
    }

    #[test]
    fn tags_are_checked_before_sending() {
        let (c, d) = parse_tags(&["team=pay".into(), "env=a/b".into()], &["old".into()]).unwrap();
        assert_eq!((c.len(), d.len()), (2, 1));
        assert!(parse_tags(&["novalue".into()], &[]).unwrap_err().contains("KEY=VALUE"));
        assert!(parse_tags(&["a/b=x".into()], &[]).unwrap_err().contains("invalid tag key"));
        assert!(parse_tags(&[], &["_sys_x".into()]).is_err());
    }
}
