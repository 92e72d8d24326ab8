//! The CLI as a script uses it: the real binary, a config file, and a real
//! `csms serve` on loopback.

use crate::common;

use common::*;
use serde_json::Value;

fn json(run: &CliRun) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

#[tokio::test]
async fn list_json_returns_every_secret_across_pages_with_each_auth_mode() {
    let server = Server::start();
    let names = populate(&server.aksk(), "s", 120, false).await;
    let config = server.write_config("");
    let token = issue_token(&server.url).await;
    for profile in ["aksk", "temp", "password", "token"] {
        let run = csms(&config, &token, &["list", "-o", "json", "--page-size", "25", "--profile", profile]);
        assert_eq!(run.status, 0, "{profile}: {}", run.stderr);
        let arr = json(&run);
        let got: Vec<&str> = arr.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(got, names, "{profile}");
        assert_eq!(arr[0]["profile"], profile);
        assert_eq!(arr[0]["state"], "ENABLED");
    }
}

#[tokio::test]
async fn list_json_cut_off_mid_listing_keeps_the_confirmed_rows_and_closes_the_array() {
    let server = Server::start();
    let names = populate(&server.aksk(), "s", 60, false).await;
    let config = server.write_config("");
    // The first page answers; every later one fails, retries included.
    server
        .faults(
            serde_json::json!({"script": ["pass"], "error_rate": 1.0, "error_status": 503, "path_regex": "/secrets$"}),
        )
        .await;
    let run = csms(&config, "", &["list", "-o", "json", "--page-size", "25", "--profile", "aksk"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let got: Vec<String> =
        json(&run).as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(got, names[..25], "the first page, as the server confirmed it");
    assert!(run.stderr.contains("aksk") && run.stderr.contains("503"), "{}", run.stderr);
}

#[tokio::test]
async fn profile_flag_works_after_the_subcommand_and_before_it() {
    let server = Server::start();
    let config = server.write_config("");
    let a = csms(&config, "", &["--profile", "other", "list", "-o", "json"]);
    let b = csms(&config, "", &["list", "-o", "json", "--profile", "other"]);
    assert_eq!((a.status, b.status), (0, 0), "{} {}", a.stderr, b.stderr);
    assert_eq!(a.stdout, b.stdout);
}

#[tokio::test]
async fn cancel_deletion_of_several_ends_enabled_on_the_server() {
    let server = Server::start();
    let client = server.aksk();
    let names = populate(&client, "p", 12, true).await;
    client.create_secret(&create_request("already-fine")).await.unwrap();
    let config = server.write_config("");
    let mut args = vec!["cancel-deletion", "--concurrency", "4"];
    args.extend(names.iter().map(String::as_str));
    args.push("already-fine");
    let run = csms(&config, "", &args);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().count(), 13, "one line per secret:\n{}", run.stdout);
    assert!(run.stdout.contains("already-fine: already not pending"));
    for s in client.list_secrets(100).await.unwrap() {
        assert_eq!(s.state_label(), "ENABLED", "{}", s.name);
    }
}

/// A cancel whose answer is lost is reported cancelled only when the secret
/// was seen pending just before it was sent: a secret that was not pending
/// is read first and never cancelled, by name, in bulk (as the TUI does) or
/// from a listing just made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_cancel_is_cancelled_only_for_a_secret_seen_pending_before() {
    use csms_tui::csms::bulk::{BulkResult, cancel_many};
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("so2")).await.unwrap();
    let pending = populate(&client, "pend", 1, true).await;
    let config = server.write_config("");
    // The first cancel sent has its answer lost, whatever the server said.
    server.faults(serde_json::json!({"script": ["drop_after"], "path_regex": "/cancel$"})).await;
    let run = csms(&config, "", &["cancel-deletion", "so2"]);
    assert_eq!((run.status, run.stdout.trim()), (0, "so2: already not pending (state ENABLED)"), "{}", run.stderr);
    let report = cancel_many(
        std::sync::Arc::new(server.aksk()),
        vec!["so2".to_string()],
        8,
        8,
        |_, _, _| {},
        std::future::pending(),
    )
    .await;
    assert!(matches!(&report.results[0].1, BulkResult::Done(o) if o.label() == "already not pending"), "{report:?}");
    let run = csms(&config, "", &["cancel-deletion", "--all-pending"]);
    let line = format!("{}: cancelled (state ENABLED)", pending[0]);
    assert_eq!((run.status, run.stdout.trim()), (0, line.as_str()), "{}", run.stderr);
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    let so2: Vec<&str> =
        journal.lines().filter(|l| l.contains("\"so2\"") && !l.contains(r#""outcome":"sent""#)).collect();
    assert!(so2.len() == 1 && so2[0].contains("was not pending deletion"), "{journal}");
}

#[tokio::test]
async fn cancel_failure_names_secret_code_message_and_request_id() {
    let server = Server::start();
    let config = server.write_config("");
    let run = csms(&config, "", &["cancel-deletion", "ghost", "-o", "json"]);
    assert_eq!(run.status, 1);
    let arr = json(&run);
    assert_eq!(arr[0]["name"], "ghost");
    assert_eq!(arr[0]["result"], "failed");
    assert_eq!(arr[0]["error_code"], "CSMS.0106");
    assert!(arr[0]["request_id"].as_str().is_some_and(|s| s.len() >= 16));
    let run = csms(&config, "", &["cancel-deletion", "ghost"]);
    assert!(run.stdout.starts_with("ghost: failed: CSMS.0106 "), "{}", run.stdout);
    assert!(run.stdout.contains("[request id "), "{}", run.stdout);
}

#[tokio::test]
async fn watch_exit_codes() {
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("calm")).await.unwrap();
    let config = server.write_config("");
    let run = csms(&config, "", &["watch", "--within", "3d"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    populate(&client, "soon", 1, true).await;
    let run = csms(&config, "", &["watch", "--within", "7d", "-o", "json"]);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_eq!(json(&run)[0]["name"], "soon-0000");
    let run = csms(&config, "", &["watch", "--within", "6d"]);
    assert_eq!(run.status, 0);
    let run = csms(&config, "", &["watch", "--within", "soon"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("invalid duration 'soon'"), "{}", run.stderr);
    let run = csms(&config, "", &["watch", "--within", "8d", "--all-profiles"]);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert!(run.stdout.starts_with("PROFILE"), "{}", run.stdout);
}

#[tokio::test]
async fn list_filters_by_state_and_window() {
    let server = Server::start();
    let client = server.aksk();
    populate(&client, "on", 3, false).await;
    populate(&client, "off", 2, true).await;
    let config = server.write_config("");
    let run = csms(&config, "", &["list", "--state", "pending_delete", "-o", "json"]);
    assert_eq!(json(&run).as_array().unwrap().len(), 2);
    let run = csms(&config, "", &["list", "--pending-within", "1d", "-o", "json"]);
    assert_eq!(json(&run).as_array().unwrap().len(), 0);
    let run = csms(&config, "", &["list"]);
    // Pending first (soonest first), then by name.
    for row in run.stdout.lines().skip(1).take(2) {
        let counts_down = row.contains("6d 23:59:") || row.contains("7d 00:00:00");
        assert!(row.starts_with("off-") && counts_down, "{}", run.stdout);
    }
    assert!(run.stdout.lines().nth(3).unwrap().starts_with("on-0000"), "{}", run.stdout);
}

#[tokio::test]
async fn schedule_deletion_needs_yes_without_a_terminal() {
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("victim")).await.unwrap();
    let config = server.write_config("");
    let run = csms(&config, "", &["schedule-deletion", "victim", "--days", "10"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("--yes"));
    assert!(!client.show_secret("victim").await.unwrap().is_pending_delete(), "nothing changed");
    let run = csms(&config, "", &["schedule-deletion", "victim", "--days", "10", "--yes"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(client.show_secret("victim").await.unwrap().is_pending_delete());
    let run = csms(&config, "", &["schedule-deletion", "victim", "--days", "5", "--yes"]);
    assert_eq!(run.status, 2, "clap refuses a window outside 7..30");
}

#[tokio::test]
async fn read_only_profile_refuses_mutations() {
    let server = Server::start();
    let client = server.aksk();
    populate(&client, "ro", 1, true).await;
    let config = server.write_config("");
    let run = csms(&config, "", &["--profile", "readonly", "cancel-deletion", "ro-0000"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("profile 'readonly' is read-only"), "{}", run.stderr);
    assert!(client.show_secret("ro-0000").await.unwrap().is_pending_delete());
    let run = csms(&config, "", &["--profile", "readonly", "list", "-o", "json"]);
    assert_eq!(run.status, 0);
}

#[tokio::test]
async fn bad_config_names_file_line_and_key() {
    let server = Server::start();
    let config = server.write_config("regoin = \"x\"\n");
    let run = csms(&config, "", &["list"]);
    assert_eq!(run.status, 2);
    let expected = format!("{}:", config.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert!(run.stderr.contains("profiles.other.regoin"), "{}", run.stderr);
    let text = std::fs::read_to_string(&config).unwrap();
    let line = text.lines().position(|l| l.starts_with("regoin")).unwrap() + 1;
    assert!(run.stderr.contains(&format!(":{line}: ")), "line {line}: {}", run.stderr);
}

#[tokio::test]
async fn bad_credentials_exit_4_with_the_profile_named() {
    let server = Server::start();
    let config = server.write_config("");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["--config", config.to_str().unwrap(), "list"])
        .env("TEST_CSMS_SK", "not-the-key")
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("profile 'aksk'") && stderr.contains("APIGW.0301"), "{stderr}");
    assert_eq!(stderr.matches("aksk").count(), 1, "the profile is named once: {stderr}");
    assert!(!stderr.contains("not-the-key"), "the secret is never printed");

    let run = csms(&config, "expired-or-bogus-token-0123456789abcdef", &["--profile", "token", "list"]);
    assert_eq!(run.status, 4, "{}", run.stderr);

    // A missing env var is a configuration error (2) that names it, and nothing is sent.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["--config", config.to_str().unwrap(), "list"])
        .env_remove("TEST_CSMS_SK")
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("profile 'aksk': secret_key_env: environment variable TEST_CSMS_SK is not set"),
        "{stderr}"
    );
}

#[tokio::test]
async fn server_errors_give_status_and_a_non_zero_exit() {
    let server = Server::start();
    let config = server.write_config("");
    server.faults(serde_json::json!({"error_rate": 1.0, "error_status": 502})).await;
    let run = csms(&config, "", &["list"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("HTTP 502") && run.stderr.contains("after 4 attempts"), "{}", run.stderr);
}

#[tokio::test]
async fn profiles_check_says_what_works() {
    let server = Server::start();
    let config = server.write_config(
        "\n[profiles.broken]\nregion = \"cn-north-4\"\nproject_id = \"p\"\nendpoint = \"http://127.0.0.1:1\"\naccess_key = \"A\"\nsecret_key_env = \"TEST_CSMS_SK\"\n",
    );
    let token = issue_token(&server.url).await;
    let run = csms(&config, &token, &["profiles", "--check", "-o", "json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let arr = json(&run);
    let check = |name: &str| {
        arr.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["check"].as_str().unwrap().to_string()
    };
    for ok in ["aksk", "temp", "password", "token", "other"] {
        assert_eq!(check(ok), "ok", "{ok}");
    }
    assert!(check("broken").starts_with("FAILED: cannot connect to 127.0.0.1:"), "{}", check("broken"));
}

#[test]
fn demo_list_and_completions_need_no_config() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["--demo", "list", "--all-profiles", "-o", "json"])
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let arr: Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = arr.as_array().unwrap();
    assert_eq!(arr.len(), 50);
    for state in ["ENABLED", "DISABLED", "PENDING_DELETE", "FROZEN"] {
        assert!(arr.iter().any(|s| s["state"] == state), "{state}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms")).args(["completions", "bash"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("cancel-deletion"));
}

#[test]
fn scripts_never_get_demo_data_they_did_not_ask_for() {
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["watch", "--within", "1d"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("CSMS_CONFIG")
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--demo"));
}

#[test]
fn the_ui_without_a_terminal_points_to_the_cli() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .arg("--demo")
        .env("CSMS_LOG", "off")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("csms list"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_without_keys_uses_the_official_sdk_environment_and_credentials_file() {
    let server = Server::start();
    populate(&server.aksk(), "sdk", 2, false).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("[profiles.sdk]\nregion = \"cn-north-4\"\nendpoint = \"{}\"\n", server.url))
        .unwrap();
    let run = |envs: &[(&str, String)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_csms"));
        cmd.args(["--config", config.to_str().unwrap(), "list", "-o", "json"]).env("CSMS_LOG", "off");
        for var in [
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
            "HUAWEICLOUD_SDK_PROJECT_ID",
            "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(envs.iter().map(|(k, v)| (k, v)));
        cmd.output().unwrap()
    };
    let out = run(&[
        ("HUAWEICLOUD_SDK_AK", AK.into()),
        ("HUAWEICLOUD_SDK_SK", SK.into()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT.into()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("sdk-0001"));

    let file = dir.path().join("credentials");
    std::fs::write(&file, format!("[basic]\nak = {AK}\nsk = {SK}\nproject_id = {PROJECT}\n")).unwrap();
    let out = run(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", file.display().to_string())]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("sdk-0000"));

    let out = run(&[("HOME", dir.path().join("nowhere").display().to_string())]);
    assert_eq!(out.status.code(), Some(2), "no key anywhere is a config error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("profiles.sdk"));
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["--demo", "list", "--all-profiles"])
        .env("CSMS_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_prints_a_value_only_when_asked_and_never_for_a_pending_secret() {
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("db")).await.unwrap();
    let config = server.write_config("");
    let run = csms(&config, "", &["reveal", "db"]);
    assert_eq!((run.status, run.stdout.as_str()), (0, "value-of-db\n"), "{}", run.stderr);
    let run = csms(&config, "", &["reveal", "db", "--version", "v1", "-o", "json"]);
    assert_eq!(json(&run)["secret_string"], "value-of-db");
    assert_eq!(json(&run)["version"], "v1");
    let run = csms(&config, "", &["show", "db", "-o", "json"]);
    assert!(!run.stdout.contains("value-of-db"), "show never prints the value");
    client.schedule_deletion("db", 7).await.unwrap();
    let run = csms(&config, "", &["reveal", "db"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("CSMS.0103") && run.stdout.is_empty(), "{}", run.stderr);
}

#[tokio::test]
async fn an_unreachable_iam_is_a_network_failure_not_an_authentication_one() {
    let server = Server::start();
    let config = server.write_config(&format!(
        "\n[profiles.iamdown]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{}\"\n\
         iam_endpoint = \"http://127.0.0.1:9\"\nauth = \"password\"\ndomain = \"{DOMAIN}\"\nuser = \"{USER}\"\n\
         password_env = \"TEST_CSMS_PASSWORD\"\nmax_attempts = 1\n",
        server.url
    ));
    let run = csms(&config, "", &["--profile", "iamdown", "list"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("cannot connect to 127.0.0.1:9: connection refused"), "{}", run.stderr);
    assert!(!run.stderr.contains("authentication failed"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_is_quiet_for_cron_and_can_watch_on() {
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("calm")).await.unwrap();
    let config = server.write_config("");
    let run = csms(&config, "", &["watch"]);
    assert_eq!((run.status, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""), "nothing to say, nothing said");
    let run = csms(&config, "", &["watch", "--verbose"]);
    assert_eq!(run.status, 0);
    assert!(run.stderr.contains("no deletion within 7d"), "{}", run.stderr);
    populate(&client, "soon", 1, true).await;
    let run = csms(&config, "", &["watch"]);
    assert_eq!(run.status, 3, "7 days is the default window: {}", run.stderr);
    assert!(run.stdout.contains("soon-0000"));

    // --every: what enters the window, once; what leaves it. Each step waits
    // for the line the one before it prints.
    let mut child = csms_command(&config, "", &["watch", "--every", "1s"]).spawn().unwrap();
    let printed = lines_of(child.stdout.take().unwrap());
    let first = next_line(&printed);
    client.schedule_deletion("calm", 7).await.unwrap();
    client.cancel_deletion("soon-0000").await.unwrap();
    let mut lines = vec![first, next_line(&printed), next_line(&printed)];
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    lines.extend(printed.iter());
    let stdout = lines.join("\n");
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("+ aksk/soon-0000: deleted in "), "{stdout}");
    assert!(lines.iter().any(|l| l == "- aksk/soon-0000: no longer deleted within the window"), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("+ aksk/calm: deleted in")), "{stdout}");
    assert_eq!(status.code(), Some(130), "ended by SIGINT: 128 + 2");
}

/// The lines a child prints, as they come; the channel closes when it exits.
fn lines_of(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line printed, waiting at most 20 s for it.
fn next_line(printed: &std::sync::mpsc::Receiver<String>) -> String {
    printed.recv_timeout(std::time::Duration::from_secs(20)).expect("a line within 20 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_ended_by_sigterm_exits_143() {
    let server = Server::start();
    // A pending deletion gives the watch a first line to print: once it is
    // out, the watch is running and its signal handler is in place.
    populate(&server.aksk(), "soon", 1, true).await;
    let config = server.write_config("");
    let mut child = csms_command(&config, "", &["watch", "--every", "1s"]).spawn().unwrap();
    let printed = lines_of(child.stdout.take().unwrap());
    next_line(&printed);
    std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "csms did not stop on SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(143), "128 + 15");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_every_pending_deletion_or_the_names_on_stdin() {
    let server = Server::start();
    let client = server.aksk();
    let names = populate(&client, "pend", 3, true).await;
    client.create_secret(&create_request("fine")).await.unwrap();
    let config = server.write_config("");
    let run = csms(&config, "", &["cancel-deletion", "--all-pending", "--within", "1d"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("pending deletion within that window"), "{}", run.stderr);
    assert!(client.show_secret("pend-0000").await.unwrap().is_pending_delete(), "none within a day: none cancelled");

    let run =
        csms_with_input(&config, "", &["cancel-deletion", "-"], Some(b"pend-0000\n\n# a comment\n  pend-0001  \n"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    let run = csms(&config, "", &["cancel-deletion", "--all-pending"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "pend-0002: cancelled (state ENABLED)");
    for name in names {
        assert!(!client.show_secret(&name).await.unwrap().is_pending_delete(), "{name}");
    }
    let run = csms(&config, "", &["cancel-deletion"]);
    assert_eq!(run.status, 2, "a name or --all-pending is required");
}

#[test]
fn small_things_a_user_meets() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms")).args(["list", "--help"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Exit status"), "the exit table is in `csms --help` only");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms")).args(["--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit status"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--listen"), "{help}");
    for client_flag in ["--profile", "--config", "--demo", "--output"] {
        assert!(!help.contains(client_flag), "serve --help lists {client_flag}:\n{help}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["--demo", "reveal", "x", "--version", "1"])
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean v1?"));
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["list"])
        .env("XDG_CONFIG_HOME", dir.path())
        .env("HOME", dir.path())
        .env_remove("CSMS_CONFIG")
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("no configuration") && !stderr.contains("assets/"), "{stderr}");
}

#[test]
fn completions_know_the_profiles_and_the_states_and_nushell() {
    let server = Server::start();
    let config = server.write_config("");
    let run = csms(&config, "", &["completions", "bash"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("aksk") && run.stdout.contains("readonly"), "profile names are completed");
    assert!(run.stdout.contains("PENDING_DELETE"), "states are completed");
    let run = csms(&config, "", &["completions", "nushell"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("export extern \"csms list\""), "{}", &run.stdout[..run.stdout.len().min(300)]);
    let run = csms(&config, "", &["list", "--state", "pending-delete"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_init_asks_checks_and_writes_a_private_profile() {
    let server = Server::start();
    server.aksk().create_secret(&create_request("seen")).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf/config.toml");
    let answers = format!("lab\ncn-north-4\n{}\naksk\n{AK}\nenv TEST_CSMS_SK\n{PROJECT}\n", server.url);
    let run = csms_with_input(&config, "", &["config", "init"], Some(answers.as_bytes()));
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("it works") && run.stderr.contains("mode 0600"), "{}", run.stderr);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("[profiles.lab]") && text.contains("secret_key_env = \"TEST_CSMS_SK\""), "{text}");
    assert!(!text.contains(SK), "the secret stays out of the file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&config).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let run = csms(&config, "", &["list"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("seen"));
    // The same name again is refused; a wrong key is checked and, declined, not written.
    let run = csms_with_input(&config, "", &["config", "init"], Some(b"lab\n"));
    assert_eq!(run.status, 2, "{}", run.stderr);
    let answers = format!("broken\ncn-north-4\n{}\naksk\nHPUAUNKNOWN\nenv TEST_CSMS_SK\n{PROJECT}\nn\n", server.url);
    let run = csms_with_input(&config, "", &["config", "init"], Some(answers.as_bytes()));
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("does not work yet"), "{}", run.stderr);
    assert!(!std::fs::read_to_string(&config).unwrap().contains("broken"));
}

#[test]
fn serve_prints_a_ready_profile_for_itself() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--in-memory"])
        .env("CSMS_LOG", "off")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<String> =
        BufReader::new(child.stdout.take().unwrap()).lines().take(12).map(Result::unwrap).collect();
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(text.contains("[profiles.local]") && text.contains("endpoint = \"http://127.0.0.1:"), "{text}");
}

/// What the demo changes is sample data: it never reaches the user's journal
/// (`csms history`), only the demo's own (`csms --demo history`).
#[test]
fn demo_changes_go_to_the_demo_journal_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let run = csms(&config, "", &["--demo", "list", "--state", "pending_delete", "-o", "json"]);
    let pending = json(&run)[0]["name"].as_str().unwrap().to_string();
    let run = csms(&config, "", &["--demo", "cancel-deletion", &pending]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!journal_path(&config).exists(), "the demo wrote to the user's journal");
    let run = csms(&config, "", &["history", "-o", "json"]);
    assert_eq!(json(&run), serde_json::json!([]));
    let run = csms(&config, "", &["--demo", "history", "-o", "json"]);
    assert_eq!(json(&run)[0]["secret"], pending.as_str(), "{}", run.stderr);
}

/// The demo's data starts afresh each run: a deletion scheduled there names
/// no command to undo it (run as printed, it would reach no demo at all).
#[test]
fn a_demo_deletion_names_no_undo_command() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let run = csms(&config, "", &["--demo", "list", "--state", "enabled", "-o", "json"]);
    let name = json(&run)[0]["name"].as_str().unwrap().to_string();
    let run = csms(&config, "", &["--demo", "schedule-deletion", &name, "--days", "7", "--yes"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("PENDING_DELETE until"), "{}", run.stdout);
    assert!(!run.stdout.contains("undo with"), "{}", run.stdout);
    assert!(run.stdout.contains("demo data starts afresh each run"), "{}", run.stdout);
}

/// `history --profile P` keeps the lines of P and of its targets `P/...`, no other.
#[test]
fn history_filters_by_profile_and_target() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let journal = journal_path(&config);
    std::fs::create_dir_all(journal.parent().unwrap()).unwrap();
    let line = |profile: &str, secret: &str| {
        format!(
            r#"{{"time":"2030-01-01T00:00:00.000Z","host":"h","user":"u","profile":"{profile}","region":"cn-north-4","project":"p","secret":"{secret}","action":"cancel","outcome":"ok"}}"#
        )
    };
    let lines = [
        line("acme", "a0"),
        line("acme/cn-north-4_payments", "a1"),
        line("acme/ap-southeast-1", "a2"),
        line("acmex", "x"),
        line("prod", "p"),
    ];
    std::fs::write(&journal, lines.join("\n") + "\n").unwrap();
    let secrets = |args: &[&str]| -> Vec<String> {
        let run = csms(&config, "", &[&["history", "-o", "json"], args].concat());
        assert_eq!(run.status, 0, "{}", run.stderr);
        json(&run).as_array().unwrap().iter().map(|e| e["secret"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(secrets(&["--profile", "acme"]), ["a0", "a1", "a2"]);
    assert_eq!(secrets(&["--profile", "acme/cn-north-4_payments"]), ["a1"]);
    assert_eq!(secrets(&["--profile", "prod"]), ["p"]);
    assert_eq!(secrets(&[]).len(), 5);
}

/// The CLI counts on the server's clock (its answers' `Date`), as the TUI
/// does: a server a week ahead puts a 30-day deletion 7 days away, and
/// `watch --within 8d` must report it. The difference is said on stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_counts_on_the_server_clock() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("soon")).await.unwrap();
    c.schedule_deletion("soon", 30).await.unwrap();
    server.advance_clock(23 * 86_400).await;
    let config = server.write_config("");
    // 7 days on the server's clock, less the moments the test took.
    let a_week = |text: &str| text.contains("7d 00:00:00") || text.contains("6d 23:59:");
    let run = csms(&config, "", &["watch", "--within", "8d"]);
    assert_eq!(run.status, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("soon") && a_week(&run.stdout), "{}", run.stdout);
    assert!(run.stderr.contains("the server's clock is 23d 00:00:00 ahead of this machine's"), "{}", run.stderr);
    let run = csms(&config, "", &["list"]);
    assert!(a_week(&run.stdout), "{}", run.stdout);
    let run = csms(&config, "", &["list", "--pending-within", "8d", "-o", "json"]);
    assert_eq!(json(&run).as_array().unwrap().len(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("ahead of this machine's"), "{}", run.stderr);
    let run = csms(&config, "", &["watch", "--within", "8d", "-o", "json"]);
    assert_eq!((run.status, json(&run)[0]["name"].as_str()), (3, Some("soon")));
    let run = csms(&config, "", &["show", "soon"]);
    assert!(a_week(&run.stdout) && !run.stdout.contains("(in 29d"), "{}", run.stdout);
    let run = csms(&config, "", &["cancel-deletion", "--all-pending", "--within", "8d"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("soon: cancelled"), "{}", run.stdout);
}

/// Every command that prints a server time says when the server's clock is
/// off, once per profile per run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_printing_a_server_time_notes_the_server_clock() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("soon")).await.unwrap();
    c.create_secret(&create_request("kept")).await.unwrap();
    server.advance_clock(10 * 86_400).await;
    let config = server.write_config("");
    let note = "the server's clock is 10d 00:00:00 ahead of this machine's";
    let runs = [
        vec!["schedule-deletion", "soon", "--days", "7", "--yes"],
        vec!["-p", "readonly", "show", "soon"],
        vec!["-p", "readonly", "show", "kept", "-o", "json"],
        vec!["-p", "readonly", "versions", "kept"],
    ];
    for args in runs {
        let run = csms(&config, "", &args);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        assert_eq!(run.stderr.matches(note).count(), 1, "{args:?}: {}", run.stderr);
    }
}

/// The undo hint names the profile it needs: run as printed, it cancels the
/// deletion it undoes, not one of the same name in the default profile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_undo_hint_acts_on_the_profile_it_came_from() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("pay-db")).await.unwrap();
    c.schedule_deletion("pay-db", 7).await.unwrap();
    let config = server.write_config("");
    let run = csms_with_input(&config, "", &["-p", "other", "create", "pay-db", "--value-stdin"], Some(b"v"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = csms(&config, "", &["-p", "other", "schedule-deletion", "pay-db", "--yes", "--days", "7"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let hint = run.stdout.split('`').nth(1).unwrap_or_else(|| panic!("no hint: {}", run.stdout));
    assert_eq!(hint, "csms --profile other cancel-deletion pay-db");
    let args: Vec<&str> = hint.split_whitespace().skip(1).collect();
    let run = csms(&config, "", &args);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let state = |profile: &str| {
        let run = csms(&config, "", &["-p", profile, "show", "pay-db", "-o", "json"]);
        json(&run)["state"].as_str().unwrap().to_string()
    };
    assert_eq!(state("other"), "ENABLED");
    assert_eq!(state("aksk"), "PENDING_DELETE", "the default profile's secret is left alone");
}

/// Under `-o json`, stdout is one JSON document: the backup's message goes to stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_with_a_backup_prints_only_json_on_stdout() {
    let server = Server::start();
    server.aksk().create_secret(&create_request("kept")).await.unwrap();
    let config = server.write_config("");
    let file = server.dir.path().join("kept.backup");
    let run = csms(
        &config,
        "",
        &["schedule-deletion", "kept", "--yes", "--days", "7", "--backup", file.to_str().unwrap(), "-o", "json"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(json(&run)["state"], "PENDING_DELETE");
    assert!(run.stderr.contains("kept: backed up to"), "{}", run.stderr);
}

/// A plain profile without `project_id` gets it from IAM; its JSON says the
/// id found, never `null`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_names_the_project_iam_found() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("found")).await.unwrap();
    c.schedule_deletion("found", 7).await.unwrap();
    let extra = format!(
        "\n[profiles.found]\nregion = \"cn-north-4\"\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n",
        url = server.url
    );
    let config = server.write_config(&extra);
    for args in [&["list", "-o", "json"][..], &["watch", "--within", "8d", "-o", "json"]] {
        let run = csms(&config, "", &[&["--profile", "found"], args].concat());
        assert_eq!(json(&run)[0]["project_id"], PROJECT, "{args:?}: {}", run.stderr);
    }
    let run = csms(&config, "", &["--profile", "found", "show", "found", "-o", "json"]);
    assert_eq!(json(&run)["project_id"], PROJECT, "{}", run.stderr);
}

/// Tab on a secret's name (the shell's `COMPLETE` hook) offers the names of
/// the last `csms list`, read from the state dir alone; nothing before a listing.
#[tokio::test]
async fn secret_names_complete_from_the_last_listing_on_disk() {
    let server = Server::start();
    populate(&server.aksk(), "tab", 2, false).await;
    let config = server.write_config("");
    let complete = |line: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
            .args(["--", "csms"])
            .args(line)
            .env("COMPLETE", "fish")
            .env("XDG_STATE_HOME", state_dir(&config))
            .env("CSMS_CONFIG", &config)
            .env("CSMS_LOG", "off")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(!complete(&["show", "ta"]).contains("tab-"), "no listing yet, no names");
    let run = csms(&config, "", &["list"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let offered = complete(&["show", "ta"]);
    assert_eq!(offered.lines().collect::<Vec<_>>(), ["tab-0000", "tab-0001"], "{offered}");
    assert!(complete(&["history", "--secret", "tab-0001"]).contains("tab-0001"));
    assert!(complete(&["cancel-deletion", "tab-0000", ""]).contains("tab-0001"));
}

/// `show` and `versions` print each time with its zone's offset, in the zone
/// `TZ` names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_prints_times_with_their_zone() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("zoned")).await.unwrap();
    c.schedule_deletion("zoned", 30).await.unwrap();
    let config = server.write_config("");
    let zoned = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+08:00").unwrap();
    for args in [&["show", "zoned"][..], &["versions", "zoned"]] {
        let out = csms_command(&config, "", args).env("TZ", "UTC-8").output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(zoned.is_match(&stdout), "{args:?}: {stdout}");
    }
}

/// The config's profiles and `px`, whose requests go through `proxy`.
fn config_through(server: &Server, proxy: &str) -> std::path::PathBuf {
    server.write_config(&format!(
        "\n[profiles.px]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{proxy}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
    ))
}

/// Waits (at most 10 s) until the server has cancelled the deletion of `name`.
async fn until_cancelled(client: &csms_tui::csms::Client, name: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while client.show_secret(name).await.unwrap().is_pending_delete() {
        assert!(std::time::Instant::now() < deadline, "the cancel never reached the server");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A change is journaled before it is sent: csms killed while it waits for
/// the answer leaves a line that `history` reads as unknown, and a change
/// that was answered still reads as one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_sent_before_csms_is_killed_reads_back_as_unknown() {
    let server = Server::start();
    let client = server.aksk();
    let names = populate(&client, "so", 2, true).await;
    let proxy = forward_then_hang(&server.url, "/cancel", std::time::Duration::from_secs(60));
    let config = config_through(&server, &proxy);
    let done = csms(&config, "", &["cancel-deletion", &names[1]]);
    assert_eq!(done.status, 0, "{}", done.stderr);
    let mut child = csms_command(&config, "", &["-p", "px", "cancel-deletion", &names[0]]).spawn().unwrap();
    until_cancelled(&client, &names[0]).await;
    child.kill().unwrap();
    child.wait().unwrap();

    let run = csms(&config, "", &["history", "-o", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines = json(&run);
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2, "one line per change: {lines:?}");
    assert_eq!((lines[0]["secret"].as_str(), lines[0]["outcome"].as_str()), (Some(names[1].as_str()), Some("ok")));
    assert_eq!((lines[1]["secret"].as_str(), lines[1]["profile"].as_str()), (Some(names[0].as_str()), Some("px")));
    assert_eq!(lines[1]["outcome"], "unknown", "{}", lines[1]);
    let table = csms(&config, "", &["history"]);
    assert!(
        table.stdout.contains("unknown") && table.stdout.contains("csms ended before the answer"),
        "{}",
        table.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_ended_by_sighup_exits_129() {
    let server = Server::start();
    let config = server.write_config("");
    let mut child = csms_command(&config, "", &["watch", "--every", "1s"]).spawn().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    std::process::Command::new("kill").args(["-HUP", &child.id().to_string()]).status().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "csms did not stop on SIGHUP");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(129), "128 + 1");
}

/// Waits at most `limit` for `child` to end, and gives its output.
fn ended_within(mut child: std::process::Child, limit: std::time::Duration) -> std::process::Output {
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "csms did not end within {limit:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A signal during a cancel is answered at once on stderr: csms waits for the
/// answer under way and then exits 143 whatever it was; a second signal ends
/// it at once, the cancel journaled as unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_during_a_cancel_is_said_at_once_and_sets_the_exit_status() {
    let server = Server::start();
    let client = server.aksk();
    let names = populate(&client, "held", 2, true).await;
    let term = |child: &std::process::Child| {
        std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    };
    // The answer comes back 3 s late, as a dropped connection that csms reads back.
    let proxy = forward_then_hang(&server.url, "/cancel", std::time::Duration::from_secs(3));
    let config = config_through(&server, &proxy);
    let child = csms_command(&config, "", &["-p", "px", "cancel-deletion", &names[0]]).spawn().unwrap();
    until_cancelled(&client, &names[0]).await;
    term(&child);
    let out = ended_within(child, std::time::Duration::from_secs(40));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("waiting for the answers of those under way"), "{stderr}");
    assert_eq!(out.status.code(), Some(143), "{stderr}");

    let proxy = forward_then_hang(&server.url, "/cancel", std::time::Duration::from_secs(60));
    let config = config_through(&server, &proxy);
    let child = csms_command(&config, "", &["-p", "px", "cancel-deletion", &names[1]]).spawn().unwrap();
    until_cancelled(&client, &names[1]).await;
    term(&child);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    term(&child);
    let out = ended_within(child, std::time::Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(143));
    let history = json(&csms(&config, "", &["history", "-o", "json", "--secret", &names[1]]));
    assert_eq!(history[0]["outcome"], "unknown", "{history}");
}

/// Tab on a secret's name offers the names of the profile the line names
/// (`--profile` a target, or a profile and its targets), else the
/// default profile's: never another target's.
#[test]
fn secret_names_complete_for_the_profile_of_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "default_profile = \"prod\"\n").unwrap();
    let names = state_dir(&config).join("csms-tui/names.json");
    std::fs::create_dir_all(names.parent().unwrap()).unwrap();
    let cached = r#"{"lab/cn-north-4":["north-a"],"lab/cn-north-4_payments":["pay-a"],"prod":["prod-a"]}"#;
    std::fs::write(&names, cached).unwrap();
    let complete = |line: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
            .args(["--", "csms"])
            .args(line)
            .env("COMPLETE", "fish")
            .env("XDG_STATE_HOME", state_dir(&config))
            .env("CSMS_CONFIG", &config)
            .env("CSMS_LOG", "off")
            .output()
            .unwrap();
        assert!(out.status.success());
        // Options are offered beside the names on an empty word.
        let names = String::from_utf8(out.stdout).unwrap();
        names.lines().filter(|l| !l.starts_with('-')).map(String::from).collect::<Vec<_>>()
    };
    assert_eq!(complete(&["--profile", "lab/cn-north-4", "reveal", ""]), ["north-a"]);
    assert_eq!(complete(&["reveal", "--profile=lab", ""]), ["north-a", "pay-a"], "a profile's targets");
    assert_eq!(complete(&["-p", "lab/cn-north-4_payments", "show", ""]), ["pay-a"]);
    assert_eq!(complete(&["reveal", ""]), ["prod-a"], "the default profile's");
}

/// `serve --help` says what `--allow-remote` risks, as the README does.
#[test]
fn serve_help_names_the_risk_of_listening_beyond_loopback() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms")).args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let allow_remote = help.split("--allow-remote").nth(1).unwrap_or_default();
    assert!(allow_remote.contains("plain HTTP") && allow_remote.contains("secret values"), "{help}");
    let short = std::process::Command::new(env!("CARGO_BIN_EXE_csms")).args(["serve", "-h"]).output().unwrap();
    assert!(String::from_utf8(short.stdout).unwrap().contains("Allow a non-loopback listen address"));
}
