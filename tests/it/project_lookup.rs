//! Profiles without a project id: IAM gives the id of the project named
//! after the region, once per run, as the official SDKs do; against a real
//! `csms serve` over loopback.

use crate::common;

use common::*;
use csms_tui::csms::{Client, Credentials, Error, ProjectRef, Redacted};

fn named(server: &Server, credentials: Credentials, name: &str) -> Client {
    let mut options = server.options(credentials);
    options.project = ProjectRef::Named(name.into());
    Client::new(options).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_credential_finds_its_project_by_region_name() {
    let server = Server::start();
    populate(&server.aksk(), "found", 3, true).await;
    let token = Credentials::Token(Redacted::new(issue_token(&server.url).await));
    for (mode, credentials) in [("aksk", aksk_credentials()), ("token", token), ("password", password_credentials())] {
        let client = named(&server, credentials, "cn-north-4");
        assert_eq!(client.known_project_id(), None, "{mode}: nothing asked yet");
        let secrets = client.list_secrets(1000).await.unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert_eq!(secrets.len(), 3, "{mode}");
        assert_eq!(client.known_project_id(), Some(PROJECT), "{mode}");
        assert!(client.project_found_by_iam());
        // The cancel goes to the project found.
        client.cancel_deletion(&secrets[0].name).await.unwrap_or_else(|e| panic!("{mode}: {e}"));
        client.schedule_deletion(&secrets[0].name, 7).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_the_key_may_not_reach_is_not_found_and_nothing_is_sent_to_csms() {
    let server = Server::start();
    // ap-southeast-1's project exists, but this key may not reach it.
    let client = named(&server, aksk_credentials(), "ap-southeast-1");
    let err = client.list_secrets(1000).await.unwrap_err();
    match &err {
        Error::Config { key, message, .. } => {
            assert_eq!(key, "project_id");
            assert!(message.contains("no project named 'ap-southeast-1'"), "{message}");
            assert!(message.contains("set project_id"), "{message}");
        }
        other => panic!("not a configuration error: {other:?}"),
    }
    assert_eq!(client.known_project_id(), None);
    assert_eq!(client.stats().requests.load(std::sync::atomic::Ordering::Relaxed), 1, "only IAM was asked");

    let other =
        Credentials::AkSk { access_key: OTHER_AK.into(), secret_key: Redacted::new(OTHER_SK), security_token: None };
    let client = named(&server, other, "ap-southeast-1");
    client.list_secrets(1000).await.unwrap();
    assert_eq!(client.known_project_id(), Some(OTHER_PROJECT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_is_asked_for_once_however_many_requests_start_together() {
    let server = Server::start();
    populate(&server.aksk(), "once", 4, false).await;
    let client = named(&server, aksk_credentials(), "cn-north-4");
    let client = &client;
    let reads = (0..4).map(|i| async move { client.show_secret(&format!("once-{i:04}")).await.map(|_| ()) });
    let results = futures::future::join_all(reads).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    // Four reads and one IAM call.
    assert_eq!(client.stats().requests.load(std::sync::atomic::Ordering::Relaxed), 5);
}

/// A config whose profile names no project id, against the test server's IAM.
fn config_without_project(server: &Server, region: &str) -> std::path::PathBuf {
    let path = server.dir.path().join("config.toml");
    let text = format!(
        "[profiles.found]\nregion = \"{region}\"\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n",
        url = server.url
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_lists_cancels_and_journals_on_the_project_iam_gave() {
    let server = Server::start();
    populate(&server.aksk(), "cli", 2, true).await;
    let config = config_without_project(&server, "cn-north-4");

    let list = csms(&config, "", &["list", "-o", "json"]);
    assert_eq!(list.status, 0, "{}", list.stderr);
    assert!(list.stdout.contains("cli-0001"));

    let profiles = csms(&config, "", &["profiles"]);
    assert_eq!(profiles.status, 0, "{}", profiles.stderr);
    assert!(profiles.stdout.contains(&format!("{PROJECT} (IAM's cn-north-4)")), "{}", profiles.stdout);
    let json = csms(&config, "", &["profiles", "-o", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rows[0]["project_id"], PROJECT);
    assert_eq!(rows[0]["project_from_iam"], true);

    let cancel = csms(&config, "", &["cancel-deletion", "cli-0000"]);
    assert_eq!(cancel.status, 0, "{}", cancel.stderr);
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    let entry: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!(entry["project"], PROJECT, "the journal names the project acted on: {entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_names_the_region_iam_has_no_project_for() {
    let server = Server::start();
    let config = config_without_project(&server, "ap-southeast-1");
    let list = csms(&config, "", &["list"]);
    assert_eq!(list.status, 2, "a configuration error: {}", list.stderr);
    assert!(list.stderr.contains("no project named 'ap-southeast-1'"), "{}", list.stderr);

    let profiles = csms(&config, "", &["profiles"]);
    assert_eq!(profiles.status, 0, "listing profiles does not fail on it: {}", profiles.stderr);
    assert!(profiles.stdout.contains("unknown: project_id: IAM has no project named"), "{}", profiles.stdout);
}
