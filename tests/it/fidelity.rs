//! `csms serve` answers as the service's definitions and error table say:
//! quotas, patterns, ranges, required fields, markers; and the client reads
//! the shapes the real service is known to send (`--quirks`).

use crate::common;

use common::*;
use csms_tui::csms::model::{CreateSecretRequest, CreateVersionRequest, UpdateSecretRequest};
use csms_tui::csms::{Client, Error};
use serde_json::{Value, json};

fn code(e: &Error) -> (Option<u16>, Option<&str>) {
    (e.status(), e.code())
}

/// A raw request with a token, answered as (status, body).
async fn raw(server: &Server, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let token = issue_token(&server.url).await;
    let mut req = reqwest::Client::new()
        .request(method, format!("{}/v1/{PROJECT}{path}", server.url))
        .header("X-Auth-Token", token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn refused(c: &Client, req: CreateSecretRequest) -> (Option<u16>, Option<String>, String) {
    let e = c.create_secret(&req).await.unwrap_err();
    (e.status(), e.code().map(str::to_string), e.to_string())
}

#[tokio::test]
async fn create_follows_the_definitions() {
    let server = Server::start();
    let c = server.aksk();
    use base64::Engine;
    let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]);
    let bad: Vec<(&str, CreateSecretRequest)> = vec![
        (
            "secret_binary over 32768 characters",
            CreateSecretRequest { secret_string: None, secret_binary: Some(b64(24 * 1024 + 3)), ..create_request("b") },
        ),
        ("kms_key_id pattern", CreateSecretRequest { kms_key_id: Some("alias/default".into()), ..create_request("k") }),
        (
            "event name empty",
            CreateSecretRequest { event_subscriptions: Some(vec![String::new()]), ..create_request("e1") },
        ),
        (
            "event name over 32",
            CreateSecretRequest { event_subscriptions: Some(vec!["e".repeat(33)]), ..create_request("e2") },
        ),
        (
            "enterprise_project_id over 36",
            CreateSecretRequest { enterprise_project_id: Some("x".repeat(37)), ..create_request("ep") },
        ),
        (
            "RDS-FG without rotation_config",
            CreateSecretRequest { secret_type: Some("RDS-FG".into()), ..create_request("r") },
        ),
        ("auto_rotation without a period", CreateSecretRequest { auto_rotation: Some(true), ..create_request("a1") }),
        (
            "a period under 6h",
            CreateSecretRequest {
                auto_rotation: Some(true),
                rotation_period: Some("5h".into()),
                ..create_request("a2")
            },
        ),
        ("a period over 8760h", CreateSecretRequest { rotation_period: Some("366d".into()), ..create_request("a3") }),
    ];
    for (what, req) in bad {
        let (status, code, text) = refused(&c, req).await;
        assert_eq!((status, code.as_deref()), (Some(400), Some("CSMS.0002")), "{what}: {text}");
    }
    assert!(c.list_secrets(50).await.unwrap().is_empty(), "nothing was created");

    // What the definitions allow is stored and given back, rotation_config and rotation_func_urn included.
    let ok = CreateSecretRequest {
        secret_type: Some("RDS-FG".into()),
        rotation_config: Some(r#"{"InstanceId":"i-1","SecretSubType":"SingleUser"}"#.into()),
        rotation_func_urn: Some("urn:fss:cn-north-4:p:function:default:rotate:latest".into()),
        auto_rotation: Some(true),
        rotation_period: Some("30d".into()),
        kms_key_id: Some("0d0466b0-e727-4d9c-b35d-f84bb474a37f".into()),
        event_subscriptions: Some(vec!["e".repeat(32)]),
        secret_binary: Some(b64(24 * 1024)),
        secret_string: None,
        ..create_request("rds")
    };
    c.create_secret(&ok).await.unwrap();
    let shown = c.show_secret("rds").await.unwrap();
    assert_eq!(shown.rotation_config, Some(json!(r#"{"InstanceId":"i-1","SecretSubType":"SingleUser"}"#)));
    assert_eq!(shown.rotation_func_urn.as_deref(), Some("urn:fss:cn-north-4:p:function:default:rotate:latest"));
    let e = c
        .update_secret("rds", &UpdateSecretRequest { rotation_period: Some("1h".into()), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0002")), "{e}");
}

#[tokio::test]
async fn versions_and_stages_stop_at_their_quotas() {
    let server = Server::start();
    let c = server.aksk();
    c.create_secret(&create_request("q")).await.unwrap();
    let value = |s: &str| CreateVersionRequest { secret_string: Some(s.into()), ..Default::default() };
    for i in 2..=20 {
        c.create_version("q", &value(&i.to_string())).await.unwrap();
    }
    let e = c.create_version("q", &value("21")).await.unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0202")), "a secret holds 20 versions: {e}");
    assert_eq!(c.list_versions("q").await.unwrap().len(), 20);

    c.create_secret(&create_request("st")).await.unwrap();
    let too_many: Vec<String> = (0..13).map(|i| format!("S{i}")).collect();
    let e = c
        .create_version("st", &CreateVersionRequest { version_stages: Some(too_many), ..value("x") })
        .await
        .unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0204")), "{e}");
    let e = c
        .create_version("st", &CreateVersionRequest { version_stages: Some(vec!["bad stage!".into()]), ..value("x") })
        .await
        .unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0002")), "{e}");
    // SYSCURRENT is there; ten more make eleven, then SYSPREVIOUS twelve; a thirteenth is refused.
    let ten: Vec<String> = (0..10).map(|i| format!("S{i}")).collect();
    c.create_version("st", &CreateVersionRequest { version_stages: Some(ten), ..value("x") }).await.unwrap();
    let (status, _) =
        raw(&server, reqwest::Method::PUT, "/secrets/st/stages/S10", Some(json!({"version_id": "v1"}))).await;
    assert_eq!(status, 200, "the twelfth stage");
    let (status, body) =
        raw(&server, reqwest::Method::PUT, "/secrets/st/stages/S11", Some(json!({"version_id": "v1"}))).await;
    assert_eq!((status, body["error_code"].as_str()), (400, Some("CSMS.0203")), "{body}");
    let (status, body) =
        raw(&server, reqwest::Method::PUT, "/secrets/st/stages/bad%20name", Some(json!({"version_id": "v1"}))).await;
    assert_eq!((status, body["error_code"].as_str()), (400, Some("CSMS.0002")), "{body}");
    let e = c
        .create_version("st", &CreateVersionRequest { expire_time: Some(10_000_000_000_000), ..value("x") })
        .await
        .unwrap_err();
    assert_eq!(code(&e), (Some(400), Some("CSMS.0002")), "expire_time range: {e}");
}

#[tokio::test]
async fn tags_follow_the_character_classes() {
    let server = Server::start();
    let c = server.aksk();
    let id = c.create_secret(&create_request("t")).await.unwrap().id.unwrap();
    for (key, value, status) in [
        ("env:prod=测试 key@x", "blue/green", 204),
        ("a/b", "v", 400),
        ("_sys_x", "v", 400),
        (" lead", "v", 400),
        ("k", "a#b", 400),
    ] {
        let (got, body) = raw(
            &server,
            reqwest::Method::POST,
            &format!("/csms/{id}/tags"),
            Some(json!({"tag": {"key": key, "value": value}})),
        )
        .await;
        assert_eq!(got, status, "{key:?}={value:?}: {body}");
        if status == 400 {
            assert_eq!(body["error"]["error_code"], "CSMS.0002", "{body}");
        }
    }
}

#[tokio::test]
async fn listing_follows_markers_events_and_required_bodies() {
    let server = Server::start();
    let c = server.aksk();
    for name in ["a", "c", "e", "g"] {
        c.create_secret(&create_request(name)).await.unwrap();
    }
    let mut evented = create_request("f");
    evented.event_subscriptions = Some(vec!["rotation-due".into()]);
    c.create_secret(&evented).await.unwrap();

    let page = c.list_secrets_page(2, None).await.unwrap();
    let info = page.page_info.unwrap();
    assert_eq!(info.previous_marker.as_deref(), Some("a"), "previous_marker is the page's first item");
    assert_eq!(info.next_marker.as_deref(), Some("c"));
    // A marker that names no secret starts where the name order would put it.
    let page = c.list_secrets_page(10, Some("d")).await.unwrap();
    let names: Vec<&str> = page.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["e", "f", "g"]);

    let (status, body) = raw(&server, reqwest::Method::GET, "/secrets?event_name=rotation-due", None).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = body["secrets"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["f"]);

    // Version markers are positions too.
    for i in 2..=5 {
        c.create_version("a", &CreateVersionRequest { secret_string: Some(i.to_string()), ..Default::default() })
            .await
            .unwrap();
    }
    let (_, body) = raw(&server, reqwest::Method::GET, "/secrets/a/versions?marker=v2&limit=2", None).await;
    let ids: Vec<&str> =
        body["version_metadatas"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["v3", "v4"]);
    assert_eq!(body["page_info"]["previous_marker"], "v3");

    // Scheduling a deletion requires its body and its window.
    let (status, body) = raw(&server, reqwest::Method::POST, "/secrets/a/scheduled-deleted-tasks/create", None).await;
    assert_eq!((status, body["error_code"].as_str()), (400, Some("CSMS.0004")), "{body}");
    let (status, body) =
        raw(&server, reqwest::Method::POST, "/secrets/a/scheduled-deleted-tasks/create", Some(json!({}))).await;
    assert_eq!((status, body["error_code"].as_str()), (400, Some("CSMS.0002")), "{body}");
    assert!(!c.show_secret("a").await.unwrap().is_pending_delete());
}

#[tokio::test]
async fn the_client_reads_what_the_real_service_sends() {
    let server = Server::start_with_flags(&["--quirks", "all"]);
    let c = server.aksk();
    populate(&c, "q", 3, false).await;
    c.schedule_deletion("q-0001", 7).await.unwrap();
    // Through the emulator's quirks: nulls, numbers, and one unreadable entry.
    let http = reqwest::Client::new();
    let token = issue_token(&server.url).await;
    let body: Value = http
        .get(format!("{}/v1/{PROJECT}/secrets", server.url))
        .header("X-Auth-Token", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["secrets"][1]["event_subscriptions"], Value::Null, "{body}");
    assert_eq!(body["secrets"][1]["enterprise_project_id"], 0, "{body}");

    let all = c.list_secrets(2).await.unwrap();
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["quirk-unreadable", "q-0000", "q-0001", "q-0002"]);
    assert_eq!(all[0].state_label(), "UNREADABLE");
    assert!(all[2].is_pending_delete() && all[2].enterprise_project_id.as_deref() == Some("0"));
    assert!(c.list_versions("q-0000").await.unwrap()[0].version_stages == ["SYSCURRENT"]);

    let config = server.write_config("");
    let run = csms(&config, "", &["list"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let row = run.stdout.lines().find(|l| l.starts_with("quirk-unreadable")).unwrap();
    assert!(row.contains("UNREADABLE") && row.contains("unreadable: invalid type"), "{row}");
    assert!(run.stdout.contains("q-0001") && run.stdout.contains("PENDING_DELETE"));
    let run = csms(&config, "", &["list", "-o", "json"]);
    let rows: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(rows[0]["unreadable"].as_str().is_some_and(|r| r.contains("invalid type")), "{rows}");
    assert_eq!(rows.as_array().unwrap().len(), 4);
    let run = csms(&config, "", &["show", "q-0000"]);
    assert_eq!(run.status, 0, "{}", run.stderr);

    // Off again by the admin API.
    assert_eq!(server.admin("quirks", json!({})).await.status(), 200);
    assert_eq!(c.list_secrets(50).await.unwrap().len(), 3);
}

#[tokio::test]
async fn not_found_is_decided_by_code_everywhere() {
    let server = Server::start();
    let config = server.write_config("");
    for args in [vec!["show", "missing"], vec!["reveal", "missing"], vec!["cancel-deletion", "missing"]] {
        let run = csms(&config, "", &args);
        assert_eq!(run.status, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("CSMS.0106") || run.stdout.contains("CSMS.0106"),
            "{args:?}: {}{}",
            run.stdout,
            run.stderr
        );
    }
    let run = csms(&config, "", &["show", "missing"]);
    assert!(run.stderr.contains("secret 'missing'"), "the name is given: {}", run.stderr);
}
