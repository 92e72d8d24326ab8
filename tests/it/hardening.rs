//! What an adversarial review broke, each pinned by a test: the admin API,
//! terminal injection, project and path confusion, file modes, hung
//! credential commands, overflowing durations, misleading output, slow
//! clients, and error shapes.

use crate::common;

use std::process::{Command, Stdio};

use common::*;
use csms_tui::csms::{Client, Credentials, Error, Redacted};

fn serve(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_csms"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--in-memory"]).args(args).env("CSMS_LOG", "off");
    cmd.env_remove("CSMS_EMULATOR_ADMIN_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    // A server that wrongly starts is stopped by the timeout below, not awaited forever.
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let killer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(3));
        let _ = Command::new("kill").arg(pid.to_string()).stderr(Stdio::null()).status();
    });
    let out = child.wait_with_output().unwrap();
    drop(killer);
    out
}

#[test]
fn an_empty_admin_token_is_refused_at_start() {
    for (args, env) in [(vec!["--admin-token", ""], vec![]), (vec![], vec![("CSMS_EMULATOR_ADMIN_TOKEN", "")])] {
        let out = serve(&args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert!(stderr.contains("admin token") && stderr.contains("empty"), "{stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("listening on"));
    }
}

#[tokio::test]
async fn server_text_cannot_drive_the_terminal_through_the_cli() {
    let server = Server::start();
    let client = server.aksk();
    let evil = "ok\u{1b}]0;pwned\u{7}\u{1b}]52;c;aGk=\u{7}\r\n\u{8}\u{0}\u{7f}\u{9b}2J\u{202e}txt.exe\u{2028}\u{2029}\u{200b}\u{feff}";
    let mut req = create_request("evil");
    req.description = Some(evil.into());
    client.create_secret(&req).await.unwrap();
    let config = server.write_config("");
    for args in [vec!["list"], vec!["show", "evil"], vec!["list", "--all-profiles"]] {
        let run = csms(&config, "", &args);
        let invisible = ['\u{2028}', '\u{2029}', '\u{200b}', '\u{feff}'];
        for bad in
            ['\u{1b}', '\u{7}', '\r', '\u{8}', '\u{0}', '\u{7f}', '\u{9b}', '\u{202e}'].into_iter().chain(invisible)
        {
            assert!(!run.stdout.contains(bad), "{args:?} printed {:?} raw:\n{}", bad, run.stdout);
        }
        assert!(run.stdout.contains("ok\\u{1b}]0;pwned"), "{args:?} shows the escape:\n{}", run.stdout);
        let rows = run.stdout.lines().filter(|l| l.contains("evil")).count();
        assert!(rows >= 1, "{args:?}");
    }
    // A table row stays one line.
    let run = csms(&config, "", &["list"]);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    // JSON keeps the exact text.
    let run = csms(&config, "", &["list", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v[0]["description"], evil);
    // Errors carry server text too: a failing cancel names the secret as given.
    let run = csms(&config, "", &["cancel-deletion", "evil"]);
    assert!(!run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'));
}

#[tokio::test]
async fn the_project_authorized_is_the_project_served() {
    use csms_tui::emulator::{Accounts, Database, ServeOptions, accounts};
    // An accounts file can no longer hold such an id; built by hand here to
    // prove the server authorizes the decoded id all the same.
    let accounts = Accounts {
        projects: vec![
            accounts::Project { id: "a%62".into(), region: "cn-north-4".into(), name: None },
            accounts::Project { id: "ab".into(), region: "cn-north-1".into(), name: None },
        ],
        credentials: vec![],
        users: vec![accounts::UserAccount {
            domain: "d".into(),
            name: "mallory".into(),
            password: "pw".into(),
            projects: vec!["a%62".into()],
        }],
    };
    let running = csms_tui::emulator::start(ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: Database::Memory,
        accounts,
        admin_token: None,
        read_timeout: csms_tui::emulator::DEFAULT_READ_TIMEOUT,
        quirks: Default::default(),
    })
    .await
    .unwrap();
    let mut victim = create_request("victim");
    victim.secret_string = Some("the victim's value".into());
    running.shared.store().create("ab", &victim, 0).unwrap();
    let http = reqwest::Client::new();
    let body = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": "d"}, "name": "mallory", "password": "pw"}}}, "scope": {"project": {"id": "a%62"}}}});
    let r = http.post(format!("{}/v3/auth/tokens", running.base_url())).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let token = r.headers()["X-Subject-Token"].to_str().unwrap().to_string();
    let r = http
        .get(format!("{}/v1/a%62/secrets/victim/versions/latest", running.base_url()))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 403, "{text}");
    assert!(!text.contains("the victim's value"));
}

#[tokio::test]
async fn an_encoded_project_id_is_the_same_project() {
    let server = Server::start();
    server.aksk().create_secret(&create_request("here")).await.unwrap();
    let token = issue_token(&server.url).await;
    // `%30` is `0`: the same project, spelled differently.
    let path = format!("{}/v1/%30{}/secrets/here", server.url, &PROJECT[1..]);
    let r = reqwest::Client::new().get(path).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn names_made_of_dots_are_never_sent_and_never_created() {
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("real")).await.unwrap();
    for name in [".", "..", "...", ""] {
        for result in [
            client.show_secret(name).await.map(drop),
            client.cancel_deletion(name).await.map(drop),
            client.delete_secret(name).await,
        ] {
            match result {
                Err(Error::Invalid(m)) => assert!(m.contains("cannot be addressed"), "{m}"),
                other => panic!("{name:?}: {other:?}"),
            }
        }
        assert!(matches!(client.show_version("real", name).await, Err(Error::Invalid(_))), "{name:?}");
    }
    assert_eq!(client.stats().requests.load(std::sync::atomic::Ordering::Relaxed), 1, "only the create was sent");
    // `.` inside a name is fine.
    client.create_secret(&create_request("a.b")).await.unwrap();
    client.show_secret("a.b").await.unwrap();
    // The emulator refuses such names itself.
    let token = issue_token(&server.url).await;
    for name in [".", ".."] {
        let r = reqwest::Client::new()
            .post(format!("{}/v1/{PROJECT}/secrets", server.url))
            .header("X-Auth-Token", &token)
            .json(&serde_json::json!({"name": name, "secret_string": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{name}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error_code"], "CSMS.0002", "{name}");
    }
}

#[tokio::test]
async fn an_encoded_slash_names_a_secret_it_never_routes() {
    let server = Server::start();
    let client = server.aksk();
    client.create_secret(&create_request("x")).await.unwrap();
    // Signed by the client, percent-encoded: about a secret named "x/versions/latest".
    let e = client.show_secret("x/versions/latest").await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(400), Some("CSMS.0106")), "{e}");
    assert!(e.is_not_found());
    let token = issue_token(&server.url).await;
    for path in ["x%2Fversions%2Flatest", "x%2fversions%2flatest", "x%2F..%2F..%2Fsecrets"] {
        let r = reqwest::Client::new()
            .get(format!("{}/v1/{PROJECT}/secrets/{path}", server.url))
            .header("X-Auth-Token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error_code"], "CSMS.0106", "{path}: {body}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_the_log_are_private_under_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_disk(dir);
    server.aksk().create_secret(&create_request("durable")).await.unwrap();
    let db = server.dir.path().join("emulator.db");
    assert_eq!(mode(&db), 0o600, "emulator.db");
    let wal = server.dir.path().join("emulator.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600, "emulator.db-wal");
    }

    let state = tempfile::tempdir().unwrap();
    let config = server.write_config("");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("umask 022; exec '{}' --config '{}' list", env!("CARGO_BIN_EXE_csms"), config.display()))
        .env("XDG_STATE_HOME", state.path())
        .env("HOME", state.path())
        .env("TEST_CSMS_SK", SK)
        .env("CSMS_LOG", "info")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let log = state.path().join("csms-tui/csms.log");
    assert_eq!(mode(&log), 0o600, "csms.log");
}

#[test]
fn the_client_refuses_what_the_server_would_misroute() {
    // Nothing listens on this port: a request that got out would be a transport error.
    let client =
        Client::new(Server::options_for("http://127.0.0.1:9", Credentials::Token(Redacted::new("t")))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let e = rt.block_on(client.show_secret("..")).unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e}");
}

fn one_profile_config(server: &Server, name: &str, extra: &str) -> std::path::PathBuf {
    let path = server.dir.path().join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[profiles.{name}]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{}\"\n\
             access_key = \"{AK}\"\n{extra}\n",
            server.url
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_hung_credential_command_times_out_as_a_configuration_error() {
    let server = Server::start();
    let config =
        one_profile_config(&server, "hung", "secret_key_command = \"sleep 1000\"\ncredential_command_timeout = 1");
    let started = std::time::Instant::now();
    let run = csms(&config, "", &["list"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("profile 'hung': secret_key_command: command `sleep 1000` did not finish within 1 s"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("hung").count(), 1, "the profile is named once: {}", run.stderr);
}

#[test]
fn an_unset_variable_or_a_failing_command_is_a_configuration_error() {
    let server = Server::start();
    for (extra, key, says) in [
        ("secret_key_env = \"CSMS_TEST_SURELY_UNSET\"", "secret_key_env", "CSMS_TEST_SURELY_UNSET is not set"),
        ("secret_key_command = \"echo nope >&2; exit 7\"", "secret_key_command", "nope"),
    ] {
        let config = one_profile_config(&server, "p", extra);
        for args in [vec!["list"], vec!["show", "x"], vec!["cancel-deletion", "x"], vec!["watch", "--within", "1d"]] {
            let run = csms(&config, "", &args);
            assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
            assert!(
                run.stderr.contains(&format!("profile 'p': {key}: ")) && run.stderr.contains(says),
                "{}",
                run.stderr
            );
            assert!(!run.stderr.contains("authentication"), "{}", run.stderr);
        }
    }
}

#[tokio::test]
async fn durations_that_overflow_are_usage_errors_not_empty_windows() {
    let server = Server::start();
    populate(&server.aksk(), "soon", 2, true).await;
    let config = server.write_config("");
    for args in [
        vec!["watch", "--within", "9223372036854775807"],
        vec!["watch", "--within", "9223372036854775807s"],
        vec!["list", "--pending-within", "99999999999999999999d"],
    ] {
        let run = csms(&config, "", &args);
        assert_eq!(run.status, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("out of range"), "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let run = csms(&config, "", &["watch", "--within", "8d"]);
    assert_eq!(run.status, 3, "the pending secrets are found: {}", run.stderr);
    for seconds in [i64::MAX, i64::MIN] {
        let r = server.admin("clock", serde_json::json!({ "advance_seconds": seconds })).await;
        assert_eq!(r.status(), 400);
    }
    assert_eq!(server.aksk().list_secrets(50).await.unwrap().len(), 2, "the clock did not move, nothing was reaped");
}

#[tokio::test]
async fn a_failure_prints_nothing_that_reads_as_an_answer() {
    let server = Server::start();
    populate(&server.aksk(), "soon", 2, true).await;
    let config = server.write_config(
        "\n[profiles.badkey]\nregion = \"cn-north-4\"\nproject_id = \"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"\n\
         endpoint = \"http://127.0.0.1:9\"\naccess_key = \"AK\"\nsecret_key_command = \"echo wrong\"\nmax_attempts = 1\n",
    );
    let wrong_sk = server.dir.path().join("wrong.toml");
    std::fs::write(
        &wrong_sk,
        format!(
            "[profiles.wrong]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{}\"\n\
             access_key = \"{AK}\"\nsecret_key_command = \"echo not-the-key\"\n",
            server.url
        ),
    )
    .unwrap();
    // Unreachable (exit 1) and refused credentials (exit 4): stdout stays empty.
    for (cfg, profile, status) in [(&config, "badkey", 1), (&wrong_sk, "wrong", 4)] {
        for args in [
            vec!["watch", "--within", "30d"],
            vec!["watch", "--within", "30d", "-o", "json"],
            vec!["list"],
            vec!["list", "-o", "json"],
        ] {
            let mut args = args.clone();
            args.extend(["--profile", profile]);
            let run = csms(cfg, "", &args);
            assert_eq!(run.status, status, "{args:?}: {}", run.stderr);
            assert!(run.stdout.is_empty(), "{args:?} printed {:?}", run.stdout);
            assert!(!run.stderr.contains("no deletion"), "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains("error:"), "{args:?}: {}", run.stderr);
        }
    }
    // With every profile: the ones that answered, a line for the one that did not, exit 1.
    let run = csms(&config, "", &["list", "--all-profiles", "-o", "json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(rows.as_array().unwrap().iter().any(|r| r["profile"] == "aksk" && r["name"] == "soon-0000"));
    assert!(run.stderr.contains("badkey"), "{}", run.stderr);
    let run = csms(&config, "", &["watch", "--within", "30d", "--all-profiles"]);
    assert_eq!(run.status, 3, "found deletions still count: {}", run.stderr);
    assert!(run.stdout.contains("soon-0000") && run.stderr.contains("badkey"));
}

/// Raw bytes to the server; returns what came back until it closed or `wait` passed.
async fn raw_exchange(url: &str, request: &[u8], wait: std::time::Duration) -> (String, std::time::Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let started = std::time::Instant::now();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut got)).await;
    (String::from_utf8_lossy(&got).into_owned(), started.elapsed())
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_cannot_hold_a_stop() {
    let server = Server::start_with_flags(&["--read-timeout", "1"]);
    let long = std::time::Duration::from_secs(8);
    // Headers that never end: the connection is closed.
    let (_, took) = raw_exchange(&server.url, b"GET /v1/x/secrets HTTP/1.1\r\nHost: a\r\nX-Slow", long).await;
    assert!(took < std::time::Duration::from_secs(4), "header read took {took:?}");
    // A body that never ends: a JSON 408.
    let (answer, took) = raw_exchange(
        &server.url,
        b"POST /v3/auth/tokens HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{\"auth\"",
        long,
    )
    .await;
    assert!(took < std::time::Duration::from_secs(4), "body read took {took:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/json") && answer.contains("APIGW.0201"), "{answer}");

    // With the default read timeout, a client stuck mid-body cannot keep `serve` from stopping.
    let mut server = Server::start();
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut stuck = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::Write;
    stuck.write_all(b"POST /v3/auth/tokens HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    Command::new("kill").args(["-TERM", &server.pid().to_string()]).status().unwrap();
    let status = server.wait_exit();
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "stopping took {:?}", started.elapsed());
    assert_eq!(status.code(), Some(0));
    drop(stuck);
}

#[tokio::test]
async fn every_refusal_is_the_services_json() {
    let server = Server::start();
    let token = issue_token(&server.url).await;
    let http = reqwest::Client::new();
    let big = vec![b'x'; 2 << 20];
    let long_uri = format!("{}/v1/{PROJECT}/secrets?marker={}", server.url, "m".repeat(40 * 1024));
    let mut many = reqwest::header::HeaderMap::new();
    for i in 0..150 {
        many.insert(reqwest::header::HeaderName::try_from(format!("x-h{i}")).unwrap(), "v".parse().unwrap());
    }
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        ("wrong method", http.patch(format!("{}/v1/{PROJECT}/secrets", server.url)), 404, "APIGW.0101"),
        (
            "wrong method, admin",
            http.get(format!("{}/_emulator/reset", server.url)).header("X-Emulator-Admin-Token", ADMIN_TOKEN),
            404,
            "APIGW.0101",
        ),
        ("unknown operation", http.get(format!("{}/v1/{PROJECT}/nothing", server.url)), 404, "APIGW.0101"),
        ("not UTF-8", http.get(format!("{}/v1/{PROJECT}/secrets/%FF%FE", server.url)), 400, "APIGW.0201"),
        ("413 tokens", http.post(format!("{}/v3/auth/tokens", server.url)).body(big.clone()), 413, "APIGW.0201"),
        ("413 admin", http.post(format!("{}/_emulator/clock", server.url)).body(big.clone()), 413, "APIGW.0201"),
        ("414", http.get(long_uri), 414, "APIGW.0201"),
        ("431", http.get(format!("{}/v1/{PROJECT}/secrets", server.url)).headers(many), 431, "APIGW.0201"),
        ("limit=+5", http.get(format!("{}/v1/{PROJECT}/secrets?limit=%2B5", server.url)), 400, "CSMS.0002"),
    ];
    for (what, req, status, code) in cases {
        let r = req.header("X-Auth-Token", &token).send().await.unwrap();
        assert_eq!(r.status(), status, "{what}");
        let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(ct.starts_with("application/json"), "{what}: content-type {ct:?}");
        assert!(r.headers().contains_key("x-request-id"), "{what}");
        let body: serde_json::Value = r.json().await.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(body["error_code"], code, "{what}: {body}");
        assert!(body["error_msg"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {body}");
    }
}

#[test]
fn database_errors_name_the_path() {
    let out = Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", "/proc/no-such-dir/emulator.db"])
        .env("CSMS_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr.contains("error: database /proc/no-such-dir/emulator.db: "), "{stderr}");
}
