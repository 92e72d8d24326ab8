//! Every operation and error of `csms serve`, over HTTP, through the real
//! client, with all three ways to authenticate.

use crate::common;

use common::*;
use csms_tui::csms::model::{CreateVersionRequest, SecretState, UpdateSecretRequest};
use csms_tui::csms::{Client, Credentials, Error, Redacted};

fn code(e: &Error) -> (Option<u16>, Option<&str>) {
    (e.status(), e.code())
}

async fn lifecycle(client: &Client, prefix: &str) {
    let name = format!("{prefix}.db-pass_1");
    let created = client.create_secret(&create_request(&name)).await.unwrap();
    assert_eq!(created.state, Some(SecretState::Enabled));
    assert!(created.id.is_some() && created.create_time.is_some());

    let shown = client.show_secret(&name).await.unwrap();
    assert_eq!(shown.name, name);

    let updated = client
        .update_secret(&name, &UpdateSecretRequest { description: Some("new ü".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("new ü"));

    let v = client.show_version(&name, "latest").await.unwrap();
    assert_eq!(v.secret_string.as_deref(), Some(format!("value-of-{name}").as_str()));
    assert_eq!(v.version_metadata.id, "v1");

    let meta = client
        .create_version(&name, &CreateVersionRequest { secret_string: Some("second".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(meta.id, "v2");
    assert_eq!(meta.version_stages, vec!["SYSCURRENT"]);
    let versions = client.list_versions(&name).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].version_stages, vec!["SYSPREVIOUS"]);
    assert_eq!(client.show_version(&name, "latest").await.unwrap().secret_string.as_deref(), Some("second"));
    assert_eq!(
        client.show_version(&name, "v1").await.unwrap().secret_string.as_deref(),
        Some(format!("value-of-{name}").as_str())
    );

    let scheduled = client.schedule_deletion(&name, 7).await.unwrap();
    assert_eq!(scheduled.state, Some(SecretState::PendingDelete));
    let t = scheduled.scheduled_delete_time.unwrap();
    let expected = chrono::Utc::now().timestamp_millis() + 7 * 86_400_000;
    assert!((t - expected).abs() < 60_000, "deletion time is in milliseconds, 7 days ahead");

    let e = client.schedule_deletion(&name, 7).await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0107")));
    let e = client.show_version(&name, "latest").await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0103")), "the value of a pending secret is refused");

    let cancelled = client.cancel_deletion(&name).await.unwrap();
    assert_eq!(cancelled.state, Some(SecretState::Enabled));
    assert_eq!(cancelled.scheduled_delete_time, None);
    let e = client.cancel_deletion(&name).await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0108")));
    assert!(e.request_id().is_some_and(|id| !id.is_empty()), "errors carry the request id");

    client.delete_secret(&name).await.unwrap();
    let e = client.show_secret(&name).await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0106")), "not found is a 400, as the official error table says");
    assert!(e.is_not_found());
}

#[tokio::test]
async fn lifecycle_with_aksk() {
    let server = Server::start();
    lifecycle(&server.aksk(), "aksk").await;
}

#[tokio::test]
async fn lifecycle_with_temporary_aksk_and_security_token() {
    let server = Server::start();
    let creds = Credentials::AkSk {
        access_key: TEMP_AK.into(),
        secret_key: Redacted::new(TEMP_SK),
        security_token: Some(Redacted::new(TEMP_TOKEN)),
    };
    lifecycle(&Client::new(server.options(creds)).unwrap(), "temp").await;

    let wrong = Credentials::AkSk {
        access_key: TEMP_AK.into(),
        secret_key: Redacted::new(TEMP_SK),
        security_token: Some(Redacted::new("stolen")),
    };
    let e = Client::new(server.options(wrong)).unwrap().list_secrets(50).await.unwrap_err();
    assert!(e.is_auth(), "{e}");
}

#[tokio::test]
async fn lifecycle_with_password() {
    let server = Server::start();
    lifecycle(&server.password(), "pw").await;
}

#[tokio::test]
async fn lifecycle_with_token() {
    let server = Server::start();
    let token = issue_token(&server.url).await;
    let client = Client::new(server.options(Credentials::Token(Redacted::new(token)))).unwrap();
    lifecycle(&client, "tok").await;
}

#[tokio::test]
async fn validation_errors() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("dup")).await.unwrap();
    let e = c.create_secret(&create_request("dup")).await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    let e = c.create_secret(&create_request("bad name!")).await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0002")));
    let mut both = create_request("both");
    both.secret_binary = Some("AAAA".into());
    assert_eq!(c.create_secret(&both).await.unwrap_err().status(), Some(400));
    // The client refuses a bad window itself; the raw API refuses it too.
    assert!(matches!(c.schedule_deletion("dup", 6).await, Err(Error::Invalid(_))));
    let e = c.cancel_deletion("missing").await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0106")));
    let e = c.show_version("dup", "v9").await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0005")));
}

#[tokio::test]
async fn raw_errors_window_auth_and_request_ids() {
    let server = Server::start();
    let http = reqwest::Client::new();
    // No credentials at all.
    let r = http.get(format!("{}/v1/{PROJECT}/secrets", server.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("X-Request-Id"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "APIGW.0301");
    // Unknown API.
    let r = http.get(format!("{}/v2/nothing", server.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers().contains_key("X-Request-Id"));
    // A token used for a window outside 7..30.
    let token = issue_token(&server.url).await;
    let c = Client::new(server.options(Credentials::Token(Redacted::new(token.clone())))).unwrap();
    c.create_secret(&create_request("w")).await.unwrap();
    let r = http
        .post(format!("{}/v1/{PROJECT}/secrets/w/scheduled-deleted-tasks/create", server.url))
        .header("X-Auth-Token", &token)
        .json(&serde_json::json!({"recovery_window_in_days": 31}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "CSMS.0002");
    // A malformed body.
    let r = http
        .post(format!("{}/v1/{PROJECT}/secrets", server.url))
        .header("X-Auth-Token", &token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // A token on another project.
    let r = http
        .get(format!("{}/v1/{OTHER_PROJECT}/secrets", server.url))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn credentials_on_the_wrong_project_are_forbidden() {
    let server = Server::start();
    let mut opts = server.options(aksk_credentials());
    opts.project = csms_tui::csms::ProjectRef::Id(OTHER_PROJECT.into());
    let e = Client::new(opts).unwrap().list_secrets(50).await.unwrap_err();
    assert_eq!(e.status(), Some(403), "{e}");
}

#[tokio::test]
async fn bad_secret_key_is_an_auth_error() {
    let server = Server::start();
    let creds = Credentials::AkSk { access_key: AK.into(), secret_key: Redacted::new("wrong"), security_token: None };
    let e = Client::new(server.options(creds)).unwrap().list_secrets(50).await.unwrap_err();
    assert!(e.is_auth(), "{e}");
    assert!(e.to_string().contains("APIGW.0301"), "{e}");
    let bad_pw = Credentials::Password { domain: DOMAIN.into(), user: USER.into(), password: Redacted::new("nope") };
    let e = Client::new(server.options(bad_pw)).unwrap().list_secrets(50).await.unwrap_err();
    assert!(matches!(e, Error::Auth { .. }), "{e}");
}

#[tokio::test]
async fn signature_replayed_too_late_is_refused() {
    // A request signed 20 minutes ago, by hand, the way the official SDK signs.
    use csms_tui::csms::signer;
    let server = Server::start();
    let host = server.url.trim_start_matches("http://").to_string();
    let path = format!("/v1/{PROJECT}/secrets");
    let date = (chrono::Utc::now() - chrono::TimeDelta::minutes(20)).format(signer::DATE_FORMAT).to_string();
    let headers = vec![("Host".to_string(), host), ("X-Sdk-Date".to_string(), date.clone())];
    let sig =
        signer::sign(&signer::SignInput { method: "GET", path: &path, query: &[], headers: &headers, body: b"" }, SK);
    let r = reqwest::Client::new()
        .get(format!("{}{path}", server.url))
        .header("X-Sdk-Date", date)
        .header("Authorization", sig.authorization(AK))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn pages_by_marker_without_loss_or_repeat() {
    let server = Server::start();
    let c = server.aksk();
    let names = populate(&c, "page", 23, false).await;
    let first = c.list_secrets_page(10, None).await.unwrap();
    assert_eq!(first.secrets.len(), 10);
    let info = first.page_info.unwrap();
    assert_eq!(info.next_marker.as_deref(), Some("page-0009"));
    assert_eq!(info.current_count, Some(10));
    let all = c.list_secrets(10).await.unwrap();
    let got: Vec<_> = all.iter().map(|s| s.name.clone()).collect();
    assert_eq!(got, names, "sorted by name, each once");
}

#[tokio::test]
async fn stages_move_like_the_service() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("st")).await.unwrap();
    c.create_version("st", &CreateVersionRequest { secret_string: Some("2".into()), ..Default::default() })
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let token = issue_token(&server.url).await;
    let url = format!("{}/v1/{PROJECT}/secrets/st/stages", server.url);
    let r = http.get(format!("{url}/SYSCURRENT")).header("X-Auth-Token", &token).send().await.unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["stage"]["version_id"], "v2");
    let r = http
        .put(format!("{url}/CANARY"))
        .header("X-Auth-Token", &token)
        .json(&serde_json::json!({"version_id": "v1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http.delete(format!("{url}/SYSCURRENT")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(r.status(), 400, "built-in stages cannot be deleted");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error_code"], "CSMS.0105");
    let r = http.delete(format!("{url}/CANARY")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = http.get(format!("{url}/CANARY")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn reaper_follows_the_moved_clock() {
    let server = Server::start();
    let c = server.aksk();
    populate(&c, "reap", 2, true).await;
    c.create_secret(&create_request("keep")).await.unwrap();
    server.advance_clock(7 * 86_400 - 60).await;
    assert_eq!(c.list_secrets(50).await.unwrap().len(), 3, "a minute before the window ends");
    server.advance_clock(120).await;
    let left = c.list_secrets(50).await.unwrap();
    assert_eq!(left.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["keep"]);
}

#[tokio::test]
async fn token_expires_with_the_clock_and_password_auth_renews_it() {
    let server = Server::start();
    let token = issue_token(&server.url).await;
    let token_client = Client::new(server.options(Credentials::Token(Redacted::new(token)))).unwrap();
    let password_client = server.password();
    token_client.list_secrets(50).await.unwrap();
    password_client.list_secrets(50).await.unwrap();
    server.advance_clock(25 * 3600).await;
    let e = token_client.list_secrets(50).await.unwrap_err();
    assert!(e.is_auth(), "{e}");
    // The password client's token expired on the server; it renews once and goes on.
    password_client.list_secrets(50).await.unwrap();
}

#[tokio::test]
async fn admin_api_needs_its_token_and_reset_empties() {
    let server = Server::start();
    let c = server.aksk();
    populate(&c, "r", 3, false).await;
    let r = reqwest::Client::new().post(format!("{}/_emulator/reset", server.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = server.admin("faults", serde_json::json!({"error_rate": 2.0})).await;
    assert_eq!(r.status(), 400);
    assert_eq!(server.admin("reset", serde_json::json!({})).await.status(), 200);
    assert!(c.list_secrets(50).await.unwrap().is_empty());
}

#[tokio::test]
async fn faults_latency_errors_and_clearing() {
    let server = Server::start();
    let c = server.aksk();
    server.faults(serde_json::json!({"error_rate": 1.0, "error_status": 503, "path_regex": "/secrets$"})).await;
    let e = c.list_secrets(50).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(e.to_string().contains("after 4 attempts"), "{e}");
    assert_eq!(c.stats().retries.load(std::sync::atomic::Ordering::Relaxed), 3);
    server.faults(serde_json::json!({"latency_ms": 200})).await;
    let t = std::time::Instant::now();
    c.list_secrets(50).await.unwrap();
    assert!(t.elapsed() >= std::time::Duration::from_millis(200));
    server.faults(serde_json::json!({})).await;
    c.list_secrets(50).await.unwrap();
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_disk(dir);
    let c = server.aksk();
    populate(&c, "durable", 5, false).await;
    c.schedule_deletion("durable-0003", 9).await.unwrap();
    let dir = server.kill_hard();
    let server = Server::start_on_disk(dir);
    let c = server.aksk();
    let all = c.list_secrets(50).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().find(|s| s.name == "durable-0003").unwrap().is_pending_delete());
}

#[test]
fn serve_stops_cleanly_on_sigterm_and_refuses_remote_without_consent() {
    let server = Server::start();
    let pid = server.pid().to_string();
    std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let mut server = server;
    let status = server.wait_exit();
    assert_eq!(status.code(), Some(0), "a clean stop");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["serve", "--listen", "0.0.0.0:0", "--in-memory"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

#[test]
fn serve_without_accounts_prints_its_credentials_once() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_csms"))
        .args(["serve", "--listen", "127.0.0.1:0", "--in-memory"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap()).lines().take(5).map(Result::unwrap).collect();
    let _ = child.kill();
    let _ = child.wait();
    let field = |k: &str| {
        lines.iter().find_map(|l| l.strip_prefix(k)).map(|v| v.trim_start_matches([' ', '=']).trim().to_string())
    };
    assert_eq!(field("project_id").unwrap().len(), 32);
    assert_eq!(field("access_key").unwrap().len(), 20);
    assert_eq!(field("secret_key").unwrap().len(), 40);
    assert!(lines[4].starts_with("listening on http://127.0.0.1:"), "{lines:?}");
}

#[tokio::test]
async fn tags_are_addressed_by_id_and_their_errors_are_nested() {
    let server = Server::start();
    let c = server.aksk();
    let id = c.create_secret(&create_request("tagged")).await.unwrap().id.unwrap();
    let token = issue_token(&server.url).await;
    let http = reqwest::Client::new();
    let tags = format!("{}/v1/{PROJECT}/csms/{id}/tags", server.url);
    for (key, value) in [("env:prod=测试 key", "a"), ("team", "payments"), ("team", "billing")] {
        let r = http
            .post(&tags)
            .header("X-Auth-Token", &token)
            .json(&serde_json::json!({"tag": {"key": key, "value": value}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
    let list: serde_json::Value =
        http.get(&tags).header("X-Auth-Token", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        list["tags"],
        serde_json::json!([{"key": "env:prod=测试 key", "value": "a"}, {"key": "team", "value": "billing"}])
    );
    let key = csms_tui::csms::signer::encode("env:prod=测试 key");
    let r = http.delete(format!("{tags}/{key}")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = http.delete(format!("{tags}/{key}")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["error_code"], "CSMS.0005", "tag errors are nested: {body}");
    let r = http
        .get(format!("{}/v1/{PROJECT}/csms/no-such-id/tags", server.url))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Deleting the secret takes its tags along.
    c.delete_secret("tagged").await.unwrap();
    let id2 = c.create_secret(&create_request("tagged")).await.unwrap().id.unwrap();
    let list: serde_json::Value = http
        .get(format!("{}/v1/{PROJECT}/csms/{id2}/tags", server.url))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["tags"], serde_json::json!([]));
}

#[tokio::test]
async fn versions_are_listed_across_pages() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("many")).await.unwrap();
    for i in 2..=20 {
        let req = CreateVersionRequest { secret_string: Some(format!("value {i}")), ..Default::default() };
        c.create_version("many", &req).await.unwrap();
    }
    let versions = c.list_versions_paged("many", 6).await.unwrap();
    let ids: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
    let expected: Vec<String> = (1..=20).map(|i| format!("v{i}")).collect();
    assert_eq!(ids, expected, "every version once, in order, over four pages of 6");
    assert_eq!(versions[19].version_stages, vec!["SYSCURRENT"]);
    assert_eq!(versions[18].version_stages, vec!["SYSPREVIOUS"]);
    assert_eq!(c.list_versions("many").await.unwrap(), versions);
}

/// The emulator's answers carry its own (moved) clock in `Date`, the client
/// reads the offset from it, and the moved clock survives a restart.
#[tokio::test]
async fn the_date_header_follows_the_moved_clock_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_on_disk(dir);
    let c = server.aksk();
    c.list_secrets(10).await.unwrap();
    assert_eq!(c.clock_offset(), Some(0), "an unmoved clock reads as ours");
    server.advance_clock(86_400).await;
    c.list_secrets(10).await.unwrap();
    let near = |off: Option<i64>| off.is_some_and(|o| (o - 86_400_000).abs() <= 1_000);
    assert!(near(c.clock_offset()), "{:?}", c.clock_offset());
    let dir = server.kill_hard();
    let server = Server::start_on_disk(dir);
    let c = server.aksk();
    c.list_secrets(10).await.unwrap();
    assert!(near(c.clock_offset()), "the offset was kept in the database: {:?}", c.clock_offset());
}

/// `GET /v3/projects?name=` signed by `ak`, as the official SDKs send it; the
/// ids of the projects answered.
async fn projects_named(server: &Server, ak: &str, sk: &str, name: Option<&str>) -> (u16, Vec<String>) {
    use csms_tui::csms::signer;
    let host = server.url.trim_start_matches("http://").to_string();
    let date = chrono::Utc::now().format(signer::DATE_FORMAT).to_string();
    let headers = vec![("Host".to_string(), host), ("X-Sdk-Date".to_string(), date.clone())];
    let query: Vec<(String, String)> = name.map(|n| ("name".to_string(), n.to_string())).into_iter().collect();
    let input = signer::SignInput { method: "GET", path: "/v3/projects", query: &query, headers: &headers, body: b"" };
    let sig = signer::sign(&input, sk);
    let r = reqwest::Client::new()
        .get(format!("{}/v3/projects", server.url))
        .query(&query)
        .header("X-Sdk-Date", date)
        .header("Authorization", sig.authorization(ak))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: serde_json::Value = r.json().await.unwrap();
    let ids = body["projects"].as_array().map(|ps| ps.iter().map(|p| p["id"].as_str().unwrap().to_string()).collect());
    (status, ids.unwrap_or_default())
}

#[tokio::test]
async fn iam_lists_by_name_only_the_projects_a_key_may_reach() {
    let server = Server::start();
    assert_eq!(projects_named(&server, AK, SK, Some("cn-north-4")).await, (200, vec![PROJECT.to_string()]));
    assert_eq!(projects_named(&server, AK, SK, None).await, (200, vec![PROJECT.to_string()]));
    // The other region's project exists, but not for this key.
    assert_eq!(projects_named(&server, AK, SK, Some("ap-southeast-1")).await, (200, vec![]));
    assert_eq!(
        projects_named(&server, OTHER_AK, OTHER_SK, Some("ap-southeast-1")).await,
        (200, vec![OTHER_PROJECT.to_string()])
    );
    assert_eq!(projects_named(&server, AK, "wrong", Some("cn-north-4")).await.0, 401);

    let token = issue_token(&server.url).await;
    let r = reqwest::Client::new()
        .get(format!("{}/v3/projects?name=cn-north-4", server.url))
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["projects"][0]["id"], PROJECT);
    assert_eq!(body["projects"][0]["name"], "cn-north-4");
    let anonymous = reqwest::get(format!("{}/v3/projects", server.url)).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
