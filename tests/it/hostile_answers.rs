//! A server that answers what it should not: escape sequences in its
//! messages, success bodies that do not decode. What csms prints of them
//! stays inert, and a value in them is never echoed.

use crate::common;

use common::*;
use csms_tui::csms::model::PasswordRequest;
use csms_tui::csms::{Client, Error};
use std::sync::atomic::Ordering::Relaxed;

/// A server on 127.0.0.1 that answers every request with `answer(path)`:
/// a status and a JSON body. It runs until the test process ends.
fn fake_server(answer: fn(&str) -> (u16, String)) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(move |uri: axum::http::Uri| async move {
                let (status, body) = answer(uri.path());
                let status = axum::http::StatusCode::from_u16(status).unwrap();
                (status, [("content-type", "application/json")], body)
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// An OSC 52 sequence (writes the clipboard), a title change and a bidi override.
const EVIL: &str = "denied\u{1b}]52;c;aGk=\u{7}\u{1b}]0;pwned\u{7}\u{202e}";

#[test]
fn config_init_shows_the_servers_message_escaped() {
    let url = fake_server(|_| (403, serde_json::json!({ "error_code": "CSMS.0401", "error_msg": EVIL }).to_string()));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let answers = format!("lab\ncn-north-4\n{url}\naksk\n{AK}\nenv TEST_CSMS_SK\n{PROJECT}\nn\n");
    let run = csms_with_input(&config, "", &["config", "init"], Some(answers.as_bytes()));
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("does not work yet"), "{}", run.stderr);
    for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!run.stderr.contains(raw), "{raw:?} reached the terminal raw: {:?}", run.stderr);
    }
    assert!(run.stderr.contains("denied\\u{1b}]52;c;aGk=\\u{7}"), "shown as text: {}", run.stderr);
}

/// Text that stands for a secret value in the broken answers below.
const VALUE: &str = "S3cr3t-Value";

/// Broken success answers to the three calls whose answer holds a value:
/// bad syntax, and a value where the decoder wanted an object (which serde's
/// own message would quote).
fn broken_value_answers(path: &str) -> (u16, String) {
    let body = if path.ends_with("/generate-password") {
        format!(r#"{{"password":"{VALUE}","extra":}}"#)
    } else if path.ends_with("/versions/v1") {
        format!(r#"{{"version":{{"version_metadata":"{VALUE}"}}}}"#)
    } else if path.ends_with("/versions/v2") {
        format!(r#"{{"version":{{"secret_string":"{VALUE}""#)
    } else if path.ends_with("/backup") {
        format!(r#"{{"secret_blob":"{VALUE}",}}"#)
    } else {
        return (404, r#"{"error_code":"CSMS.0404","error_msg":"no such call"}"#.into());
    };
    (200, body)
}

#[tokio::test]
async fn a_malformed_answer_that_can_hold_a_value_is_never_echoed() {
    let url = fake_server(broken_value_answers);
    let client = Client::new(Server::options_for(&url, aksk_credentials())).unwrap();
    let results = [
        ("generate password", client.generate_password(&PasswordRequest::default()).await.map(|_| ())),
        ("show version", client.show_version("db", "v1").await.map(|_| ())),
        ("show version", client.show_version("db", "v2").await.map(|_| ())),
        ("back up secret", client.backup("db").await.map(|_| ())),
    ];
    for (operation, result) in results {
        let err = result.expect_err(operation);
        assert!(matches!(err, Error::Decode { .. }), "{operation}: {err:?}");
        let (shown, debug) = (err.to_string(), format!("{err:?}"));
        assert!(!shown.contains(VALUE) && !debug.contains(VALUE), "{operation} echoed the value: {shown} / {debug}");
        assert!(shown.contains(operation) && shown.contains("line 1 column"), "says what and where: {shown}");
    }
}

/// A secret name with a clipboard write (OSC 52), a colour change and a
/// bidi override, as a hostile or broken server may list it.
const EVIL_NAME: &str = "evil\u{1b}]52;c;UFdORUQ=\u{7}\u{1b}[31mRED\u{202e}LTR";

/// A server listing one secret pending deletion, named `EVIL_NAME`, and
/// confirming its cancel.
fn evil_name_answers(path: &str) -> (u16, String) {
    let secret =
        |state: &str| serde_json::json!({"name": EVIL_NAME, "state": state, "scheduled_delete_time": 4102444800000i64});
    if path.ends_with("/secrets") {
        (
            200,
            serde_json::json!({"secrets": [secret("PENDING_DELETE")], "page_info": {"next_marker": null}}).to_string(),
        )
    } else if path.ends_with("/cancel") {
        (200, serde_json::json!({"secret": secret("ENABLED")}).to_string())
    } else {
        (404, r#"{"error_code":"CSMS.0404","error_msg":"no such call"}"#.into())
    }
}

#[test]
fn a_servers_secret_name_reaches_the_log_and_the_journal_inert() {
    let url = fake_server(evil_name_answers);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let profile = format!(
        "[profiles.lab]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
    );
    std::fs::write(&config, profile).unwrap();
    let run = csms_command(&config, "", &["cancel-deletion", "--all-pending"])
        .env("CSMS_LOG", "info")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

    let log = std::fs::read_to_string(state_dir(&config).join("csms-tui/csms.log")).unwrap();
    let change = log.lines().find(|l| l.contains("change")).unwrap_or_else(|| panic!("no change logged: {log}"));
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    for (file, text) in [("csms.log", log.as_str()), ("journal.jsonl", journal.as_str())] {
        for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!text.contains(raw), "{file} holds {raw:?} raw: {text:?}");
        }
    }
    assert!(change.contains("secret=evil\\u{1b}]52;c;UFdORUQ=\\u{7}"), "{change}");
    let entry: serde_json::Value = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(entry["secret"], EVIL_NAME, "the journal reads back to the name: {journal}");
}

#[tokio::test]
async fn a_request_that_cannot_be_built_fails_at_once_and_is_not_sent_again() {
    let url = fake_server(|_| (200, r#"{"secrets": [], "page_info": {}}"#.into()));
    let token = csms_tui::csms::Redacted::new("token\u{1b}with-an-escape");
    let client = Client::new(Server::options_for(&url, csms_tui::csms::Credentials::Token(token))).unwrap();
    let err = client.list_secrets(10).await.expect_err("a header with ESC cannot be sent");
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("the request cannot be built"), "{err}");
    assert!(!err.to_string().contains("with-an-escape"), "{err}");
    let stats = client.stats();
    let (requests, retries) = (stats.requests.load(Relaxed), stats.retries.load(Relaxed));
    assert_eq!((requests, retries), (1, 0), "tried once");
}

/// Deletion times no clock can hold: i64's ends, 10^30 and a 40-digit
/// string, on pending secrets; beside them one pending far off and one not
/// pending at all.
fn unreadable_deletion_times(path: &str) -> (u16, String) {
    if !path.ends_with("/secrets") {
        return (404, r#"{"error_code":"CSMS.0404","error_msg":"no such call"}"#.into());
    }
    let pending =
        |name: &str, at: &str| format!(r#"{{"name":"{name}","state":"PENDING_DELETE","scheduled_delete_time":{at}}}"#);
    let secrets = [
        pending("at-min", "-9223372036854775808"),
        pending("at-max", "9223372036854775807"),
        pending("at-huge", "1000000000000000000000000000000"),
        pending("at-digits", r#""1234567890123456789012345678901234567890""#),
        pending("far-off", "250000000000000"),
        r#"{"name":"calm","state":"ENABLED"}"#.to_string(),
    ];
    (200, format!(r#"{{"secrets":[{}],"page_info":{{"total_count":6}}}}"#, secrets.join(",")))
}

const UNREADABLE: [&str; 4] = ["at-min", "at-max", "at-huge", "at-digits"];

/// A pending deletion whose time cannot be read is inside every window,
/// named as such: `watch` exits 3 for it and `--pending-within` lists it.
#[test]
fn a_pending_deletion_of_unknown_time_is_inside_every_window() {
    let url = fake_server(unreadable_deletion_times);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let profile = format!(
        "[profiles.fake]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
    );
    std::fs::write(&config, profile).unwrap();
    for args in [vec!["watch", "--within", "1d"], vec!["list", "--pending-within", "1d"]] {
        let run = csms(&config, "", &args);
        let expected = if args[0] == "watch" { 3 } else { 0 };
        assert_eq!(run.status, expected, "{args:?}: {}\n{}", run.stdout, run.stderr);
        for name in UNREADABLE {
            let row = run.stdout.lines().find(|l| l.starts_with(name));
            assert!(row.is_some_and(|r| r.contains("time unknown")), "{args:?}: {name}\n{}", run.stdout);
        }
        assert!(!run.stdout.contains("far-off") && !run.stdout.contains("calm"), "{args:?}: {}", run.stdout);
    }
    let run = csms(&config, "", &["watch", "--within", "1s", "-o", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!((run.status, names.len()), (3, 4), "{names:?}");
}

/// A server on 127.0.0.1 whose answers carry the `Date` that `date` gives
/// (seconds since the epoch) and one secret, pending deletion at
/// `deletion()` (milliseconds). It runs until the test process ends.
fn dated_server(date: fn() -> i64, deletion: fn() -> i64) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(move || async move {
                let date = chrono::DateTime::from_timestamp(date(), 0).unwrap().to_rfc2822().replace("+0000", "GMT");
                let body = format!(
                    r#"{{"secrets":[{{"name":"soon","state":"PENDING_DELETE","scheduled_delete_time":{}}}],"page_info":{{"total_count":1}}}}"#,
                    deletion()
                );
                ([("content-type", "application/json".to_string()), ("date", date)], body)
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A deletion inside the window on this machine's clock is inside it
/// whatever the server's `Date` says, and a clock a day or more off is
/// warned about.
#[test]
fn a_deletion_inside_the_window_on_either_clock_is_inside_it() {
    let servers = [
        // The epoch as `Date`, the deletion ten minutes away.
        dated_server(|| 0, || (now_s() + 600) * 1000),
        // `Date` 14 days behind, the deletion a week away.
        dated_server(|| now_s() - 14 * 86_400, || (now_s() + 7 * 86_400) * 1000),
    ];
    for url in servers {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let profile = format!(
            "[profiles.fake]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
        );
        std::fs::write(&config, profile).unwrap();
        let run = csms(&config, "", &["watch", "--within", "8d"]);
        assert_eq!(run.status, 3, "{url}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("soon"), "{}", run.stdout);
        assert!(run.stderr.contains("warning:") && run.stderr.contains("behind"), "{}", run.stderr);
        for args in [vec!["list", "--pending-within", "8d"], vec!["list", "--pending-within", "8d", "-o", "json"]] {
            let run = csms(&config, "", &args);
            assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
            assert!(run.stdout.contains("soon"), "{args:?}: {}", run.stdout);
        }
    }
}

/// Requests other than the generator's that the password fakes below saw.
static SENT_BEYOND_GENERATOR: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A generator answering `password`; every other call is counted and refused.
fn generator_answering(path: &str, password: &str) -> (u16, String) {
    if path.ends_with("/generate-password") {
        return (200, serde_json::json!({ "password": password }).to_string());
    }
    SENT_BEYOND_GENERATOR.fetch_add(1, Relaxed);
    (404, r#"{"error_code":"CSMS.0404","error_msg":"no such call"}"#.into())
}

/// A generator, the options given, and the reason expected on stderr.
type GeneratorCase = (fn(&str) -> (u16, String), &'static [&'static str], &'static str);

/// A generated password that is not what was asked (empty, too short, a
/// symbol when none were asked, past the service's 32 KiB) fails the
/// command with the reason, never the password, and nothing is stored.
#[test]
fn a_generated_password_not_as_asked_is_refused_and_nothing_is_sent() {
    let cases: [GeneratorCase; 4] = [
        (|p| generator_answering(p, ""), &[], "empty"),
        (|p| generator_answering(p, "a"), &["--length", "64", "--no-symbols"], "1 characters, 64 were asked"),
        (
            |p| generator_answering(p, &format!("{}!", "Ab1".repeat(21))),
            &["--length", "64", "--no-symbols"],
            "not asked",
        ),
        (|p| generator_answering(p, &"Ab1!".repeat(10_000)), &[], "the service stores at most 32768"),
    ];
    for (answer, options, reason) in cases {
        let url = fake_server(answer);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let profile = format!(
            "[profiles.fake]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
        );
        std::fs::write(&config, profile).unwrap();
        for command in [["create", "g", "--generate"], ["put-value", "g", "--generate"]] {
            let args: Vec<&str> = command.iter().chain(options).copied().collect();
            let run = csms(&config, "", &args);
            assert_ne!(run.status, 0, "{args:?}: {}\n{}", run.stdout, run.stderr);
            assert!(run.stderr.contains(reason), "{args:?}: {}", run.stderr);
            assert!(!run.stderr.contains("Ab1") && !run.stdout.contains("Ab1"), "{args:?}: the password was shown");
        }
    }
    assert_eq!(SENT_BEYOND_GENERATOR.load(Relaxed), 0, "a value reached the service");
}

/// A listing whose `current_count` no page can hold, with a pending
/// deletion at a time no clock holds; `show` gets that secret alone.
fn absurd_numbers(path: &str) -> (u16, String) {
    let secret = r#"{"name":"at-max","state":"PENDING_DELETE","scheduled_delete_time":9223372036854775807}"#;
    let page = |list: &str| format!(r#"{{"{list}":[],"page_info":{{"current_count":99999999999999}}}}"#);
    if path.ends_with("/secrets") {
        (200, format!(r#"{{"secrets":[{secret}],"page_info":{{"current_count":-1,"next_marker":null}}}}"#))
    } else if path.ends_with("/versions") {
        (200, page("version_metadatas"))
    } else {
        (200, format!(r#"{{"secret":{secret}}}"#))
    }
}

/// A count nothing needs does not fail a listing when absurd, and a pending
/// deletion whose time is unknown says so in JSON, not only as `null`.
#[test]
fn absurd_counts_are_ignored_and_an_unknown_deletion_time_is_said_in_json() {
    let url = fake_server(absurd_numbers);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let profile = format!(
        "[profiles.fake]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
    );
    std::fs::write(&config, profile).unwrap();
    for args in [vec!["list"], vec!["versions", "at-max"], vec!["watch", "--within", "1d"]] {
        let run = csms(&config, "", &args);
        assert!([0, 3].contains(&run.status), "{args:?}: {}\n{}", run.stdout, run.stderr);
    }
    let list = csms(&config, "", &["list", "-o", "json"]);
    let listed: serde_json::Value = serde_json::from_str(&list.stdout).expect(&list.stderr);
    let show = csms(&config, "", &["show", "at-max", "-o", "json"]);
    let shown: serde_json::Value = serde_json::from_str(&show.stdout).expect(&show.stderr);
    for secret in [&listed[0], &shown] {
        assert_eq!(secret["scheduled_delete_time"], serde_json::Value::Null, "{secret}");
        assert_eq!(secret["deletion_time_known"], false, "{secret}");
    }
}
