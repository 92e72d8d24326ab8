//! A secret's whole life through the CLI against `csms serve`: create, put a
//! value, roll back, describe, tag, back up, delete, restore; bad input
//! refused with nothing changed; lost answers read back; every change in
//! the journal, and never a value there.

use crate::common;

use common::*;
use serde_json::{Value, json};

fn json_out(run: &CliRun) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

/// The journal's outcome lines (each change's `sent` line left out).
fn journal(config: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(journal_path(config))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["outcome"] != "sent")
        .collect()
}

const VALUE: &str = "first-value-Zq81";
const SECOND: &str = "second-value-Pw44";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_life_through_the_cli() {
    let server = Server::start();
    let c = server.aksk();
    let config = server.write_config("");
    let dir = server.dir.path();

    let run = csms_with_input(
        &config,
        "",
        &["create", "app.db", "--description", "the app's database", "--value-stdin"],
        Some(format!("{VALUE}\n").as_bytes()),
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("app.db: created") && !run.stdout.contains(VALUE), "{}", run.stdout);
    assert_eq!(c.show_version("app.db", "latest").await.unwrap().secret_string.as_deref(), Some(VALUE));

    let file = dir.join("second.txt");
    std::fs::write(&file, format!("{SECOND}\n")).unwrap();
    let run = csms(&config, "", &["put-value", "app.db", "--value-file", file.to_str().unwrap()]);
    assert_eq!((run.status, run.stdout.trim()), (0, "v2"), "prints the new version id: {}", run.stderr);
    assert_eq!(c.show_version("app.db", "latest").await.unwrap().secret_string.as_deref(), Some(SECOND));

    let run = csms(&config, "", &["versions", "app.db", "-o", "json"]);
    let v = json_out(&run);
    assert_eq!(v[0]["version_stages"], json!(["SYSPREVIOUS"]));
    assert_eq!(v[1]["version_stages"], json!(["SYSCURRENT"]));

    let run = csms(&config, "", &["rollback", "app.db"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("SYSCURRENT v2 -> v1"), "{}", run.stdout);
    assert_eq!(c.show_stage("app.db", "SYSCURRENT").await.unwrap().version_id.as_deref(), Some("v1"));
    assert_eq!(c.show_version("app.db", "latest").await.unwrap().secret_string.as_deref(), Some(VALUE));
    let run = csms(&config, "", &["rollback", "app.db", "--to", "v9"]);
    assert_eq!(run.status, 1, "an unknown version: {}", run.stderr);
    assert!(run.stderr.contains("CSMS.0005"), "{}", run.stderr);

    let run = csms(&config, "", &["update", "app.db", "--description", "rotated monthly"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(c.show_secret("app.db").await.unwrap().description.as_deref(), Some("rotated monthly"));

    let run = csms(&config, "", &["tag", "app.db", "team=payments", "env=prod", "-o", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(json_out(&run)["tags"], json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "payments"}]));
    let run = csms(&config, "", &["tag", "app.db", "team=billing", "--remove", "env"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let id = c.show_secret("app.db").await.unwrap().id.unwrap();
    let tags = c.list_tags(&id).await.unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!((tags[0].key.as_str(), tags[0].value.as_deref()), ("team", Some("billing")));

    // Backup, deletion with a backup first, immediate deletion, restore.
    let backup = dir.join("app.db.backup");
    let run = csms(&config, "", &["backup", "app.db", "--out", backup.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&backup).unwrap();
    assert!(!text.contains(VALUE) && !text.contains(SECOND), "the blob is sealed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let run = csms(&config, "", &["backup", "app.db", "--out", backup.to_str().unwrap()]);
    assert_eq!(run.status, 2, "never written over: {}", run.stderr);
    let second_backup = dir.join("before-deletion.backup");
    let run = csms(
        &config,
        "",
        &["schedule-deletion", "app.db", "--days", "7", "--yes", "--backup", second_backup.to_str().unwrap()],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(second_backup.exists() && c.show_secret("app.db").await.unwrap().is_pending_delete());
    let run = csms(&config, "", &["schedule-deletion", "app.db", "--yes", "--backup", backup.to_str().unwrap()]);
    assert_ne!(run.status, 0, "no backup written, nothing scheduled: {}", run.stderr);
    assert!(run.stderr.contains("not scheduled"), "{}", run.stderr);

    let run = csms(&config, "", &["delete-now", "app.db", "--confirm", "app.d"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(c.show_secret("app.db").await.is_ok(), "a wrong confirmation deletes nothing");
    let run = csms(&config, "", &["delete-now", "app.db", "--confirm", "app.db"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(c.show_secret("app.db").await.unwrap_err().is_not_found());

    let run = csms(&config, "", &["restore", backup.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("app.db: restored (ENABLED)"), "{}", run.stdout);
    assert_eq!(c.show_version("app.db", "latest").await.unwrap().secret_string.as_deref(), Some(VALUE));
    assert_eq!(c.list_versions("app.db").await.unwrap().len(), 2, "with its versions");
    let run = csms(&config, "", &["restore", backup.to_str().unwrap()]);
    assert_eq!(run.status, 2, "a secret that exists, refused before sending: {}", run.stderr);
    assert!(run.stderr.contains("secret app.db already exists"), "{}", run.stderr);

    // The journal: every change, in order, with outcomes; never a value.
    let actions: Vec<(String, String)> = journal(&config)
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["outcome"].as_str().unwrap().to_string()))
        .collect();
    let expected = [
        ("create", "ok"),
        ("put-value", "ok"),
        ("rollback", "ok"),
        ("rollback", "failed"),
        ("update", "ok"),
        ("tag", "ok"),
        ("tag", "ok"),
        ("schedule", "ok"),
        ("delete-now", "ok"),
        ("restore", "ok"),
        ("restore", "failed"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(a, o)| (a.to_string(), o.to_string())).collect();
    assert_eq!(actions, expected);
    let entries = journal(&config);
    assert_eq!(entries[1]["versions"], json!(["v2"]));
    assert_eq!(entries[2]["detail"], "SYSCURRENT v2 -> v1");
    assert_eq!(entries[3]["error_code"], "CSMS.0005");
    assert!(entries[3]["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(entries[0]["profile"], "aksk");
    assert_eq!(entries[0]["project"], PROJECT);
    assert!(entries[0]["host"].as_str().is_some_and(|h| !h.is_empty()));
    let raw = std::fs::read_to_string(journal_path(&config)).unwrap();
    assert!(!raw.contains(VALUE) && !raw.contains(SECOND) && !raw.contains(SK), "no value or key in the journal");

    let run = csms(&config, "", &["history", "--secret", "app.db", "--since", "1h"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 12, "a header and eleven changes:\n{}", run.stdout);
    assert!(run.stdout.contains("CSMS.0005"), "{}", run.stdout);
    let run = csms(&config, "", &["history", "--secret", "other", "-o", "json"]);
    assert_eq!(json_out(&run), json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_anything_is_sent() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("exists")).await.unwrap();
    let config = server.write_config("");
    let big = server.dir.path().join("big");
    std::fs::write(&big, "x".repeat(32 * 1024 + 1)).unwrap();
    // (arguments, standard input, what the error says)
    type Case<'a> = (Vec<&'a str>, Option<&'a [u8]>, &'a str);
    let cases: Vec<Case> = vec![
        (vec!["create", "new", "--value-stdin"], Some(b"\n"), "the value is empty"),
        (vec!["create", "new", "--value-file", big.to_str().unwrap()], None, "at most 32768"),
        (vec!["create", "bad name!", "--value-stdin"], Some(b"v"), "invalid secret name"),
        (vec!["create", "..", "--value-stdin"], Some(b"v"), "invalid secret name"),
        (vec!["put-value", "exists", "--value-stdin"], Some(b""), "the value is empty"),
        (vec!["tag", "exists", "a/b=c"], None, "invalid tag key"),
        (vec!["tag", "exists", "novalue"], None, "KEY=VALUE"),
        (vec!["delete-now", "exists", "--confirm", "exist"], None, "nothing was deleted"),
    ];
    for (args, input, says) in cases {
        let run = csms_with_input(&config, "", &args, input);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    // The value never travels on the command line: clap refuses a value source that is not one of the three.
    let run = csms(&config, "", &["create", "new", "--value", "oops"]);
    assert_eq!(run.status, 2);
    let run = csms(&config, "", &["create", "new"]);
    assert_eq!(run.status, 2, "a value source is required");

    // Twenty tags at most, counted before sending.
    let many: Vec<String> = (0..21).map(|i| format!("k{i}=v")).collect();
    let mut args = vec!["tag", "exists"];
    args.extend(many.iter().map(String::as_str));
    let run = csms(&config, "", &args);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("at most 20"), "{}", run.stderr);

    // A duplicate name is the server's CSMS.0003, and the secret keeps its value.
    let run = csms_with_input(&config, "", &["create", "exists", "--value-stdin"], Some(b"other"));
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("CSMS.0003"), "{}", run.stderr);
    assert_eq!(c.show_version("exists", "latest").await.unwrap().secret_string.as_deref(), Some("value-of-exists"));

    // A read-only profile refuses every change, before anything is sent.
    let backup = server.dir.path().join("ro.backup");
    let run = csms(&config, "", &["--profile", "readonly", "backup", "exists", "--out", backup.to_str().unwrap()]);
    assert_eq!(run.status, 0, "a backup changes nothing: {}", run.stderr);
    for (args, input) in [
        (vec!["create", "ro", "--value-stdin"], Some(&b"v"[..])),
        (vec!["put-value", "exists", "--value-stdin"], Some(&b"v"[..])),
        (vec!["rollback", "exists", "--to", "v1"], None),
        (vec!["update", "exists", "--description", "x"], None),
        (vec!["tag", "exists", "a=b"], None),
        (vec!["delete-now", "exists", "--confirm", "exists"], None),
        (vec!["restore", backup.to_str().unwrap()], None),
    ] {
        let mut full = vec!["--profile", "readonly"];
        full.extend(args.iter());
        let run = csms_with_input(&config, "", &full, input);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("read-only"), "{args:?}: {}", run.stderr);
    }
    let s = c.show_secret("exists").await.unwrap();
    assert_eq!(s.description.as_deref(), Some("description of exists"), "nothing changed");
    assert_eq!(c.list_secrets(50).await.unwrap().len(), 1);
    assert!(journal(&config).iter().all(|e| e["action"] == "create" && e["outcome"] == "failed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_values_are_never_printed() {
    let server = Server::start();
    let config = server.write_config("");
    let run = csms(&config, "", &["create", "gen", "--generate", "--length", "20", "--no-symbols"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let value = server.aksk().show_version("gen", "latest").await.unwrap().secret_string.unwrap();
    assert_eq!(value.len(), 20);
    assert!(value.chars().all(|c| c.is_ascii_alphanumeric()), "{value}");
    assert!(!run.stdout.contains(&value) && !run.stderr.contains(&value));
    let run = csms(&config, "", &["put-value", "gen", "--generate", "-o", "json"]);
    assert_eq!(json_out(&run)["version"], "v2");
    let second = server.aksk().show_version("gen", "latest").await.unwrap().secret_string.unwrap();
    assert_eq!(second.len(), 32, "the service's default length");
    assert!(!run.stdout.contains(&second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_read_back_and_never_sent_twice_blindly() {
    let server = Server::start();
    let c = server.aksk();
    let config = server.write_config("");
    // The create lands but its answer is lost: read back, reported created, one secret.
    server.faults(json!({"script": ["drop_after"], "path_regex": "/secrets$"})).await;
    let run = csms_with_input(&config, "", &["create", "lost", "--value-stdin"], Some(b"v1"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(c.list_secrets(50).await.unwrap().len(), 1);
    assert_eq!(c.list_versions("lost").await.unwrap().len(), 1, "sent once");
    // The create never arrived: read back, not there, sent again.
    server.faults(json!({"script": ["drop_before"], "path_regex": "/secrets$"})).await;
    let run = csms_with_input(&config, "", &["create", "dropped", "--value-stdin"], Some(b"v1"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(c.show_secret("dropped").await.is_ok());
    // A new value whose answer is lost: one new version, reported by its id.
    // (The first matching request is the read of the versions before; the second, the new one.)
    server.faults(json!({"script": ["pass", "drop_after"], "path_regex": "/versions$"})).await;
    let run = csms_with_input(&config, "", &["put-value", "lost", "--value-stdin"], Some(b"v2"));
    assert_eq!((run.status, run.stdout.trim()), (0, "v2"), "{}", run.stderr);
    assert_eq!(c.list_versions("lost").await.unwrap().len(), 2, "one new version, not two");
    // A rollback whose answer is lost is confirmed by the stage.
    server.faults(json!({"script": ["pass", "drop_after"], "path_regex": "/stages/SYSCURRENT$"})).await;
    let run = csms(&config, "", &["rollback", "lost"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(c.show_stage("lost", "SYSCURRENT").await.unwrap().version_id.as_deref(), Some("v1"));
    server.faults(json!({})).await;
    assert!(journal(&config).iter().all(|e| e["outcome"] == "ok"));
}

/// A create refused because the name is taken, its answer lost: the secret
/// read back is someone else's (another value), so it is never "created".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_over_an_existing_secret_is_unknown_not_created() {
    let server = Server::start();
    let c = server.aksk();
    let config = server.write_config("");
    c.create_secret(&create_request("so1")).await.unwrap();
    server.faults(json!({"script": ["drop_after"], "path_regex": "/secrets$"})).await;
    let run = csms_with_input(&config, "", &["create", "so1", "--value-stdin"], Some(b"new value"));
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("created"), "{}", run.stdout);
    assert!(
        run.stderr.contains("outcome is unknown") && run.stderr.contains("does not hold the value sent"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("check with `csms --profile aksk show so1`"), "{}", run.stderr);
    let entries = journal(&config);
    assert_eq!((entries.len(), entries[0]["outcome"].as_str()), (1, Some("unknown")), "{entries:?}");
    let versions = entries[0].get("versions").and_then(|v| v.as_array()).map_or(0, Vec::len);
    assert_eq!(versions, 0, "no version is known to be this create's: {entries:?}");
    let kept = c.show_version("so1", "latest").await.unwrap().secret_string.unwrap();
    assert_eq!(kept, "value-of-so1", "the old value stays");
}

/// A create refused because the name is taken by a secret holding the very
/// value sent, its answer lost: that secret was created an hour before the
/// request (on the server's clock), so it is not this create's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_over_an_older_secret_with_the_same_value_is_unknown() {
    let server = Server::start();
    let config = server.write_config("");
    server.aksk().create_secret(&create_request("so1")).await.unwrap();
    // The server's clock an hour on: by this machine's clock the secret would look just made.
    server.advance_clock(3600).await;
    server.faults(json!({"script": ["drop_after"], "path_regex": "/secrets$"})).await;
    let run = csms_with_input(&config, "", &["create", "so1", "--value-stdin"], Some(b"value-of-so1"));
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("created"), "{}", run.stdout);
    assert!(
        run.stderr.contains("outcome is unknown") && run.stderr.contains("created before the request was sent"),
        "{}",
        run.stderr
    );
    assert_eq!(journal(&config).last().unwrap()["outcome"], "unknown");
}

/// A new value whose request never arrived, while another writer added
/// versions: one holding the same value an hour earlier, one just now with
/// another value. Neither is this request's; it is sent again and its own
/// version reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_new_value_is_never_confirmed_by_another_writers_version() {
    use csms_tui::csms::model::CreateVersionRequest;
    use csms_tui::csms::{Redacted, changes, reconcile::Outcome};
    let server = Server::start();
    let writer = server.aksk();
    writer.create_secret(&create_request("so3")).await.unwrap();
    let before = vec!["v1".to_string()];
    let version = |value: &str| CreateVersionRequest { secret_string: Some(value.into()), ..Default::default() };
    writer.create_version("so3", &version("ours")).await.unwrap();
    server.advance_clock(3600).await;
    writer.create_version("so3", &version("theirs")).await.unwrap();
    server.faults(json!({"script": ["drop_before"], "path_regex": "/versions$"})).await;
    let client = server.aksk();
    let outcome = changes::put_value(&client, "so3", &Redacted::new("ours".to_string()), &before).await;
    let Outcome::Done(meta) = outcome else { panic!("{outcome:?}") };
    assert_eq!(meta.id, "v4", "sent again after the read-back found no version of its own");
    assert_eq!(writer.show_version("so3", "v4").await.unwrap().secret_string.as_deref(), Some("ours"));
}

/// A backup whose name was edited, restored with its answer lost: the secret
/// under the edited name is not the restored one; the one with the backup's
/// id is, and it is reported under its own name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_restore_is_confirmed_by_the_backups_id_not_its_name() {
    let server = Server::start();
    let c = server.aksk();
    let config = server.write_config("");
    c.create_secret(&create_request("real")).await.unwrap();
    c.create_secret(&create_request("decoy")).await.unwrap();
    let file = server.dir.path().join("real.backup");
    let run = csms(&config, "", &["backup", "real", "--out", file.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = csms(&config, "", &["delete-now", "real", "--confirm", "real"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut backup: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    backup["name"] = json!("decoy");
    std::fs::write(&file, backup.to_string()).unwrap();
    server.faults(json!({"script": ["drop_after"], "path_regex": "/secrets/restore$"})).await;
    let run = csms(&config, "", &["restore", file.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "real: restored (ENABLED)", "{}", run.stderr);
    assert!(run.stderr.contains("the backup holds real"), "{}", run.stderr);
    assert_eq!(journal(&config).last().unwrap()["secret"], "real");
    // A file without the id (or a bare blob) cannot prove a lost restore.
    server.faults(json!({})).await;
    c.delete_secret("real").await.unwrap();
    backup.as_object_mut().unwrap().remove("id");
    backup["name"] = json!("real");
    c.create_secret(&create_request("real")).await.unwrap();
    server.faults(json!({"script": ["drop_after"], "path_regex": "/secrets/restore$"})).await;
    std::fs::write(&file, backup.to_string()).unwrap();
    let run = csms(&config, "", &["restore", file.to_str().unwrap()]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stderr.contains("outcome is unknown"), "{}", run.stderr);
    assert_eq!(journal(&config).last().unwrap()["outcome"], "unknown");
}

/// A restore over a secret that still exists is refused before it is sent,
/// so a lost answer cannot make the existing secret pass for a restored one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_over_an_existing_secret_is_refused_before_it_is_sent() {
    let server = Server::start();
    let c = server.aksk();
    let config = server.write_config("");
    c.create_secret(&create_request("so2")).await.unwrap();
    let file = server.dir.path().join("so2.backup");
    let run = csms(&config, "", &["backup", "so2", "--out", file.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Were the restore sent, the service would refuse it and its answer be lost.
    server.faults(json!({"script": ["drop_after"], "path_regex": "/secrets/restore$"})).await;
    let run = csms(&config, "", &["restore", file.to_str().unwrap()]);
    assert_eq!(run.status, 2, "refused as bad input: {}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("restored"), "{}", run.stdout);
    assert!(
        run.stderr.contains("secret so2 already exists") && run.stderr.contains("nothing was sent"),
        "{}",
        run.stderr
    );
    assert_eq!(journal(&config).last().unwrap()["outcome"], "failed");
    // The drop is still waiting for a restore: none was sent.
    c.delete_secret("so2").await.unwrap();
    let run = csms(&config, "", &["restore", file.to_str().unwrap()]);
    assert_eq!(run.stdout.trim(), "so2: restored (ENABLED)", "{}", run.stderr);
}

/// After a whole life at trace level, the value is nowhere: not in the
/// journal, not in csms.log, and no credential is either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_value_in_the_journal_or_the_log_at_trace_level() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let server = Server::start();
    let config = server.write_config("");
    let value = "trace-level-value-7Qx";
    let run = |args: &[&str], input: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_csms"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("TEST_CSMS_SK", SK)
            .env("CSMS_LOG", "trace")
            .env("XDG_STATE_HOME", state_dir(&config))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(text) = input {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["create", "traced", "--value-stdin"], Some(value));
    run(&["put-value", "traced", "--value-stdin"], Some(&format!("{value}-2")));
    run(&["rollback", "traced"], None);
    let revealed = run(&["reveal", "traced"], None);
    assert_eq!(revealed.trim(), value, "asked for, it is printed");
    let backup = server.dir.path().join("traced.backup");
    run(&["backup", "traced", "--out", backup.to_str().unwrap()], None);
    run(&["schedule-deletion", "traced", "--yes", "--days", "7"], None);
    run(&["cancel-deletion", "traced"], None);
    run(&["delete-now", "traced", "--confirm", "traced"], None);
    run(&["restore", backup.to_str().unwrap()], None);

    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    let sent = journal.lines().filter(|l| l.contains(r#""outcome":"sent""#)).count();
    assert_eq!(
        (journal.lines().count(), sent),
        (14, 7),
        "every change, and only changes, sent then settled:\n{journal}"
    );
    let log = std::fs::read_to_string(state_dir(&config).join("csms-tui/csms.log")).unwrap();
    assert!(log.lines().count() > 20, "trace level logs plenty:\n{log}");
    let blob = std::fs::read_to_string(&backup).unwrap();
    let blob: Value = serde_json::from_str(&blob).unwrap();
    for (what, text) in [("journal", &journal), ("csms.log", &log)] {
        assert!(!text.contains(value), "{what} holds the value");
        assert!(!text.contains(SK), "{what} holds the secret key");
        assert!(!text.contains(blob["secret_blob"].as_str().unwrap()), "{what} holds the backup");
        assert!(!text.to_lowercase().contains("authorization: sdk"), "{what} holds a signature");
    }
}

/// A backup whose name was edited, restored while the secret it holds still
/// exists: refused, and the journal names that secret, as the error does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_restore_is_journaled_under_the_secret_the_backup_holds() {
    let server = Server::start();
    let c = server.aksk();
    let config = server.write_config("");
    c.create_secret(&create_request("rs1")).await.unwrap();
    c.create_secret(&create_request("so1")).await.unwrap();
    let file = server.dir.path().join("rs1.backup");
    let run = csms(&config, "", &["backup", "rs1", "--out", file.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut backup: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    backup["name"] = json!("so1");
    std::fs::write(&file, backup.to_string()).unwrap();
    let run = csms(&config, "", &["restore", file.to_str().unwrap()]);
    assert_eq!(run.status, 2, "refused as bad input: {}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("secret rs1 already exists"), "{}", run.stderr);
    let last = journal(&config).last().cloned().unwrap();
    assert_eq!((last["secret"].as_str(), last["outcome"].as_str()), (Some("rs1"), Some("failed")), "{last}");
}
