//! Faults, proven against `csms serve`'s fault injection and moved clock:
//! lost answers, throttling, expired tokens and garbage never lose a secret.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::*;
use csms_tui::csms::bulk::{BulkResult, cancel_many};
use csms_tui::csms::{Client, RetryPolicy};
use serde_json::{Value, json};

/// A profile that retries reads up to 8 times (the default is 4).
fn patient_profile(url: &str) -> String {
    format!(
        "\n[profiles.patient]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\nmax_attempts = 8\nrequest_timeout = 10\n"
    )
}

/// Profiles whose secrets come from commands, for tests that load the config
/// in-process (the test's own environment is left alone).
fn command_profiles(url: &str) -> String {
    format!(
        "\n[profiles.cmd-aksk]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_command = \"printf %s {SK}\"\n\
         \n[profiles.cmd-password]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
         iam_endpoint = \"{url}\"\nauth = \"password\"\ndomain = \"{DOMAIN}\"\nuser = \"{USER}\"\n\
         password_command = \"printf %s '{PASSWORD}'\"\n"
    )
}

fn patient_client(server: &Server) -> Client {
    let mut opts = server.options(aksk_credentials());
    opts.retry = RetryPolicy { max_attempts: 8, base: Duration::from_millis(20), cap: Duration::from_millis(500) };
    Client::new(opts).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_returns_exactly_every_secret_under_503s_and_latency() {
    let server = Server::start();
    let names = populate(&server.aksk(), "list", 500, false).await;
    server.faults(json!({"error_rate": 0.3, "error_status": 503, "latency_ms": 50})).await;

    let config = server.write_config(&patient_profile(&server.url));
    let started = Instant::now();
    let run = csms(&config, "", &["list", "-o", "json", "--profile", "patient", "--page-size", "50"]);
    let took = started.elapsed();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let listed: Vec<String> = serde_json::from_str::<Value>(&run.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, names, "exactly the 500, each once, in order");

    let client = patient_client(&server);
    let started = Instant::now();
    assert_eq!(client.list_secrets(50).await.unwrap().len(), 500);
    let stats = client.stats();
    eprintln!(
        "measured: list of 500 in pages of 50 under 30% 503 + 50 ms: CLI {:?}; client {:?}, {} requests, {} retries",
        took,
        started.elapsed(),
        stats.requests.load(Ordering::Relaxed),
        stats.retries.load(Ordering::Relaxed)
    );
}

/// Compares a bulk report with what the server holds, secret by secret.
async fn assert_report_matches_server(server: &Server, report: &[(String, String)]) {
    server.faults(json!({})).await;
    let on_server: BTreeMap<String, String> = server
        .aksk()
        .list_secrets(1000)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name.clone(), s.state_label().to_string()))
        .collect();
    for (name, result) in report {
        let state = on_server.get(name).map(String::as_str).unwrap_or("(gone)");
        match result.as_str() {
            "cancelled" | "already not pending" => assert_eq!(state, "ENABLED", "{name} reported {result}"),
            "failed" | "not attempted" => assert_eq!(state, "PENDING_DELETE", "{name} reported {result}"),
            other => panic!("{name}: reported {other}, server has {state}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_cancel_with_drops_and_502s_ends_enabled_and_agrees_with_server() {
    let server = Server::start();
    let names = populate(&server.aksk(), "bulk", 200, true).await;
    server.faults(json!({"drop_rate": 0.2, "error_rate": 0.25, "error_status": 502})).await;
    let config = server.write_config(&patient_profile(&server.url));
    let mut args = vec!["cancel-deletion", "--profile", "patient", "-o", "json"];
    args.extend(names.iter().map(String::as_str));
    let started = Instant::now();
    let run = csms(&config, "", &args);
    let took = started.elapsed();
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(lines.len(), 200);
    let report: Vec<(String, String)> = lines
        .iter()
        .map(|l| (l["name"].as_str().unwrap().to_string(), l["result"].as_str().unwrap().to_string()))
        .collect();
    let cancelled = report.iter().filter(|(_, r)| r == "cancelled").count();
    assert!(report.iter().all(|(_, r)| r == "cancelled" || r == "already not pending"), "{report:?}");
    assert_report_matches_server(&server, &report).await;
    let on_server = server.aksk().list_secrets(1000).await.unwrap();
    assert!(on_server.iter().all(|s| s.state_label() == "ENABLED"));
    eprintln!(
        "measured: bulk cancel of 200 under 20% drops + 20% 502: {took:?}, {cancelled} cancelled, {} already not pending; {}",
        200 - cancelled,
        run.stderr.trim()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_cancel_slows_down_when_every_other_request_is_throttled() {
    let server = Server::start();
    let names = populate(&server.aksk(), "thr", 60, true).await;
    server.faults(json!({"error_every": 2, "error_status": 429})).await;
    let client = Arc::new(patient_client(&server));
    let started = Instant::now();
    let mut limits = Vec::new();
    let report =
        cancel_many(client.clone(), names, 8, 8, |_, _, limit| limits.push(limit), std::future::pending()).await;
    assert!(report.min_concurrency < 8, "concurrency went down: {}", report.min_concurrency);
    assert!(report.results.iter().all(|(_, r)| matches!(r, BulkResult::Done(o) if o.is_safe())));
    let summary: Vec<(String, String)> = report
        .results
        .iter()
        .map(|(n, r)| {
            (
                n.clone(),
                match r {
                    BulkResult::Done(o) => o.label().to_string(),
                    BulkResult::NotStarted => "not attempted".into(),
                },
            )
        })
        .collect();
    assert_report_matches_server(&server, &summary).await;
    eprintln!(
        "measured: bulk cancel of 60 with 429 on every other request: {:?}, {} requests, {} throttled, concurrency min {} (limits seen {:?})",
        started.elapsed(),
        client.stats().requests.load(Ordering::Relaxed),
        client.throttled(),
        report.min_concurrency,
        limits
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_is_renewed_by_the_tui_worker_and_the_cli() {
    use csms_tui::app::{Effect, Msg};
    let server = Server::start();
    populate(&server.aksk(), "tok", 3, false).await;
    let config_path = server.write_config(&command_profiles(&server.url));
    let config = csms_tui::config::Config::load(&config_path).unwrap();
    let profiles: Vec<_> = config.profiles.values().cloned().collect();
    let index = profiles.iter().position(|p| p.name == "cmd-password").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = csms_tui::worker::Worker::new(profiles, tx);

    let mut load = async |generation| {
        worker.run(Effect::Load { generation, profile: index });
        loop {
            match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap() {
                Msg::Loaded { result, .. } => return result,
                Msg::Page { .. } | Msg::ServerClock { .. } => {}
                other => panic!("{other:?}"),
            }
        }
    };
    assert_eq!(load(1).await.unwrap().len(), 3);
    server.advance_clock(25 * 3600).await;
    assert_eq!(load(2).await.unwrap().len(), 3, "the token the worker held expired; it was renewed");

    let run = csms(&config_path, "", &["--profile", "password", "list", "-o", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_worker_never_blocks_the_state_machine_and_late_answers_are_dropped() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use csms_tui::app::{Effect, Msg, ProfileInfo, State, View, update};
    let server = Server::start();
    populate(&server.aksk(), "slow", 3, true).await;
    let config_path = server.write_config(&command_profiles(&server.url));
    let config = csms_tui::config::Config::load(&config_path).unwrap();
    let profiles: Vec<_> = config.profiles.values().cloned().collect();
    let infos: Vec<ProfileInfo> = profiles.iter().map(ProfileInfo::from).collect();
    let aksk = profiles.iter().position(|p| p.name == "cmd-aksk").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = csms_tui::worker::Worker::new(profiles, tx);
    server.faults(json!({"latency_ms": 1500})).await;

    let now = 1_800_000_000_000;
    let (mut state, effects) = State::new(infos, View::Profile(aksk), 60_000, None, now);
    let started = Instant::now();
    for e in effects {
        worker.run(e);
    }
    // Keys and ticks go on while the answer is 1.5 s away.
    for i in 1..=20 {
        update(&mut state, Msg::Tick(now + i * 1000));
        update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)));
    }
    update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE)));
    update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(started.elapsed() < Duration::from_millis(500), "nothing waited for the network");
    // The user leaves for the all-profiles view before the answer comes.
    let new_loads = update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE)));
    assert!(new_loads.iter().all(|e| matches!(e, Effect::Load { generation: 2, .. })));
    // Its pages and its end arrive late: none of it shows in the new view.
    loop {
        let late = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
        let last = matches!(late, Msg::Loaded { generation: 1, .. });
        assert!(
            matches!(
                late,
                Msg::Page { generation: 1, .. } | Msg::Loaded { generation: 1, .. } | Msg::ServerClock { .. }
            ),
            "{late:?}"
        );
        update(&mut state, late);
        assert!(state.table.is_empty(), "the old view's answer is not shown in the new one");
        if last {
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_bulk_cancel_and_reports_each_secret() {
    let server = Server::start();
    let names = populate(&server.aksk(), "stop", 40, true).await;
    server.faults(json!({"latency_ms": 250})).await;
    let config = server.write_config("");
    let child = csms_command(&config, "", &["cancel-deletion", "--concurrency", "2", "--max-concurrency", "2"])
        .args(&names)
        .spawn()
        .unwrap();
    // The signal goes once the first cancel has landed: the bulk cancel is
    // under way (its Ctrl-C handler installed first) and far from done.
    wait_for_first_cancel(&server, &names).await;
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "ended by SIGINT: 128 + 2");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Vec<(String, String)> = stdout
        .lines()
        .map(|l| {
            let (name, rest) = l.split_once(": ").unwrap();
            let result = if rest.starts_with("cancelled") {
                "cancelled"
            } else if rest.starts_with("not attempted") {
                "not attempted"
            } else {
                panic!("{l}")
            };
            (name.to_string(), result.to_string())
        })
        .collect();
    assert_eq!(report.len(), 40, "one line per secret:\n{stdout}");
    let done = report.iter().filter(|(_, r)| r == "cancelled").count();
    assert!(done > 0 && done < 40, "stopped part-way: {done} cancelled");
    assert_report_matches_server(&server, &report).await;
    eprintln!(
        "measured: Ctrl-C after the first cancel of a 40-secret bulk cancel at 250 ms latency: {done} cancelled, {} not attempted",
        40 - done
    );
}

/// Returns once the server shows one of `names` no longer pending deletion,
/// polling for at most 20 s.
async fn wait_for_first_cancel(server: &Server, names: &[String]) {
    let client = server.aksk();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let secrets = client.list_secrets(1000).await.unwrap();
        if secrets.iter().any(|s| names.contains(&s.name) && !s.is_pending_delete()) {
            return;
        }
        assert!(Instant::now() < deadline, "no cancel reached the server within 20 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A hand-made server that answers whatever it is told: the one place a
/// non-CSMS peer is needed, to prove garbage never panics the client.
async fn garbage_server(answer: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(answer.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn malformed_truncated_and_odd_answers_are_errors_or_values_never_panics() {
    let client_for = |url: String| {
        let mut opts = Server::options_for(&url, aksk_credentials());
        opts.retry.max_attempts = 1;
        Client::new(opts).unwrap()
    };
    let html =
        garbage_server("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 15\r\n\r\n<html>oops</ht>").await;
    let e = client_for(html).list_secrets(10).await.unwrap_err();
    assert!(e.to_string().contains("unexpected response") && e.to_string().contains("<html>"), "{e}");

    let truncated = garbage_server("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"secrets\": [").await;
    let e = client_for(truncated).list_secrets(10).await.unwrap_err();
    assert!(e.outcome_unknown(), "a truncated body is a lost answer: {e}");

    let odd = garbage_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 78\r\n\r\n{\"secrets\":[{\"name\":\"a\",\"state\":\"SHREDDED\",\"create_time\":\"x\"}],\"page_info\":{}}",
    )
    .await;
    let secrets = client_for(odd).list_secrets(10).await.unwrap();
    assert_eq!(secrets[0].state_label(), "SHREDDED", "an unknown state is shown as it is");

    let gateway =
        garbage_server("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 11\r\nX-Request-Id: gw-1\r\n\r\nbad gateway").await;
    let e = client_for(gateway).cancel_deletion("a").await.unwrap_err();
    assert_eq!(e.to_string(), "HTTP 502: bad gateway [request id gw-1]");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_concurrency_comes_back_up_once_throttling_stops() {
    let server = Server::start();
    let names = populate(&server.aksk(), "up", 80, true).await;
    let burst: Vec<&str> = vec!["error"; 12];
    server.faults(json!({"script": burst, "error_status": 429})).await;
    let client = Arc::new(patient_client(&server));
    let mut limits = Vec::new();
    let report = cancel_many(client, names, 8, 8, |_, _, limit| limits.push(limit), std::future::pending()).await;
    let lowest = limits.iter().position(|&l| l == report.min_concurrency).unwrap();
    assert!(report.min_concurrency < 8, "{limits:?}");
    assert_eq!(limits.last(), Some(&8), "back up to the full 8 after the burst: {limits:?}");
    assert!(limits[lowest..].windows(2).all(|w| w[1] >= w[0]), "only up once the burst is over: {limits:?}");
    assert!(report.results.iter().all(|(_, r)| matches!(r, BulkResult::Done(o) if o.is_safe())));
}

#[tokio::test]
async fn a_flaky_iam_is_asked_again_and_a_wrong_password_is_not() {
    let server = Server::start();
    server
        .faults(json!({"script": ["error", "drop_before"], "error_status": 503, "path_regex": "^/v3/auth/tokens$"}))
        .await;
    let client = server.password();
    client.list_secrets(50).await.unwrap();

    let bad = csms_tui::csms::Credentials::Password {
        domain: DOMAIN.into(),
        user: USER.into(),
        password: csms_tui::csms::Redacted::new("wrong"),
    };
    let started = Instant::now();
    let e = Client::new(server.options(bad)).unwrap().list_secrets(50).await.unwrap_err();
    assert!(e.to_string().contains("IAM refused the password (HTTP 401)"), "{e}");
    assert!(started.elapsed() < Duration::from_millis(500), "a refusal is final, not retried");
}

#[tokio::test]
async fn a_token_refused_twice_is_an_authentication_error_naming_the_profile() {
    // IAM on one server, CSMS on another that knows none of its tokens:
    // the first 401 renews the token, the second is reported.
    let iam = Server::start();
    let csms_server = Server::start();
    let mut opts = csms_server.options(password_credentials());
    opts.iam_endpoint = iam.url.clone();
    opts.profile = "prod-eu".into();
    let e = Client::new(opts).unwrap().list_secrets(50).await.unwrap_err();
    let text = e.to_string();
    assert!(e.is_auth(), "{text}");
    assert!(text.contains("profile 'prod-eu'") && text.contains("APIGW.0301"), "{text}");
}

/// While nothing throttles, a bulk cancel grows past its start up to its
/// ceiling. The time is printed, not asserted: 300 cancels behind 20 ms of
/// latency at 32 in flight ideally take 300 x 20 ms / 32 = 188 ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_concurrency_climbs_to_its_ceiling_while_nothing_throttles() {
    let server = Server::start();
    let names = populate(&server.aksk(), "fast", 300, true).await;
    server.faults(json!({"latency_ms": 20, "path_regex": "/cancel$"})).await;
    let client = Arc::new(patient_client(&server));
    let started = Instant::now();
    let report = cancel_many(client.clone(), names, 8, 32, |_, _, _| {}, std::future::pending()).await;
    let took = started.elapsed();
    assert_eq!(report.peak_concurrency, 32, "grew to the ceiling");
    assert!(report.results.iter().all(|(_, r)| matches!(r, BulkResult::Done(o) if o.is_safe())));
    eprintln!(
        "measured: 300 cancels behind 20 ms, start 8, ceiling 32: {took:?} (ideal 188 ms, ratio {:.2}), {} requests",
        took.as_secs_f64() / 0.1875,
        client.stats().requests.load(Ordering::Relaxed)
    );
}

/// A config of profiles on one server whose secret key commands take the
/// given seconds to answer, and nothing else.
fn slow_command_config(server: &Server, delays: &[(&str, u32)]) -> std::path::PathBuf {
    let profiles: String = delays
        .iter()
        .map(|(name, secs)| {
            format!(
                "\n[profiles.{name}]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
                 access_key = \"{AK}\"\nsecret_key_command = \"sleep {secs}; printf %s {SK}\"\n",
                url = server.url
            )
        })
        .collect();
    let path = server.dir.path().join("slow.toml");
    std::fs::write(&path, profiles).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_credential_command_holds_up_its_own_profile_only_in_the_tui() {
    use csms_tui::app::{Effect, Msg};
    let server = Server::start();
    populate(&server.aksk(), "fast", 2, false).await;
    let config_path = slow_command_config(&server, &[("slow", 3), ("quick", 0)]);
    let config = csms_tui::config::Config::load(&config_path).unwrap();
    let profiles: Vec<_> = config.profiles.values().cloned().collect();
    let slow = profiles.iter().position(|p| p.name == "slow").unwrap();
    let quick = profiles.iter().position(|p| p.name == "quick").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = csms_tui::worker::Worker::new(profiles, tx);

    let started = Instant::now();
    worker.run(Effect::Load { generation: 1, profile: slow });
    tokio::time::sleep(Duration::from_millis(200)).await;
    worker.run(Effect::Load { generation: 1, profile: quick });
    let first = loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap() {
            Msg::Loaded { profile, result, .. } => break (profile, result),
            Msg::Page { .. } | Msg::ServerClock { .. } => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(first.0, quick, "the quick profile loads first");
    assert_eq!(first.1.unwrap().len(), 2);
    assert!(
        started.elapsed() < Duration::from_millis(2000),
        "it did not wait for the slow command: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_credential_commands_of_several_profiles_run_side_by_side_in_the_cli() {
    let server = Server::start();
    populate(&server.aksk(), "cli", 2, false).await;
    let config = slow_command_config(&server, &[("one", 3), ("two", 3)]);
    for output in ["table", "json"] {
        let started = Instant::now();
        let run = csms(&config, "", &["list", "--all-profiles", "-o", output]);
        let took = started.elapsed();
        assert_eq!(run.status, 0, "{output}: {}", run.stderr);
        assert_eq!(run.stdout.matches("description of cli-0001").count(), 2, "{output}: {}", run.stdout);
        // One after the other would take 6 s.
        assert!(took < Duration::from_millis(5000), "{output}: the commands ran one after the other: {took:?}");
    }
}
