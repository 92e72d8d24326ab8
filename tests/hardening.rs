//! What an adversarial review broke, each pinned by a test: the admin API,
//! terminal injection, project and path confusion, file modes, hung
//! credential commands, overflowing durations, misleading output, slow
//! clients, and error shapes.

mod common;

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
        let _ = Command::new("kill").arg(pid.to_string()).status();
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
    let evil = "ok\u{1b}]0;pwned\u{7}\u{1b}]52;c;aGk=\u{7}\r\n\u{8}\u{0}\u{7f}\u{9b}2J\u{202e}txt.exe";
    let mut req = create_request("evil");
    req.description = Some(evil.into());
    client.create_secret(&req).await.unwrap();
    let config = server.write_config("");
    for args in [vec!["list"], vec!["show", "evil"], vec!["list", "--all-profiles"]] {
        let run = csms(&config, "", &args);
        for bad in ['\u{1b}', '\u{7}', '\r', '\u{8}', '\u{0}', '\u{7f}', '\u{9b}', '\u{202e}'] {
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
            accounts::Project { id: "a%62".into(), region: "cn-north-4".into() },
            accounts::Project { id: "ab".into(), region: "cn-north-1".into() },
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
