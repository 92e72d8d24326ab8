//! Names csms does not choose: project names from IAM (or from the
//! `targets.json` it cached), profile names from the config, and where a
//! redirect points. None may move a request to another host or run code in
//! a completion script.
//! IAM and the host a name points at are small fakes on loopback.

use crate::common;

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;

/// How long a fake serves: longer than any run below.
const SERVING: Duration = Duration::from_secs(30);

/// A fake on loopback answering every request with `status` and `body`, for
/// at most `SERVING`; counts the connections it got.
struct Fake {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Fake {
    fn start(status: &'static str, body: String) -> Fake {
        Fake::with_head(status, String::new(), body)
    }

    /// As `start`, with `headers` (whole header lines) in every answer.
    fn with_head(status: &'static str, headers: String, body: String) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        std::thread::spawn(move || {
            let until = Instant::now() + SERVING;
            while Instant::now() < until {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        counted.fetch_add(1, Ordering::SeqCst);
                        answer(&mut stream, status, &headers, &body);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Fake { port, connections }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Reads one request head and answers it, then closes.
fn answer(stream: &mut std::net::TcpStream, status: &str, headers: &str, body: &str) {
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let reply = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// IAM's project list with these names.
fn projects(names: &[String]) -> String {
    let list: Vec<_> =
        names.iter().enumerate().map(|(i, n)| serde_json::json!({"id": format!("{i:032}"), "name": n})).collect();
    serde_json::json!({ "projects": list }).to_string()
}

/// A config whose `acme` finds its projects at `iam`, with a token, and
/// fills `{region}` into its CSMS endpoint.
fn config(dir: &Path, iam: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "[profiles.acme]\nregions = [\"*\"]\nendpoint = \"http://kms.{{region}}.example.test\"\n\
         iam_endpoint = \"{iam}\"\nauth = \"token\"\ntoken_env = \"TEST_CSMS_TOKEN\"\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_project_name_from_iam_never_sends_the_token_to_the_host_it_names() {
    let trap = Fake::start("200 OK", r#"{"secrets": [], "page_info": {"next_marker": null}}"#.into());
    let hostile = vec![format!("x@127.0.0.1:{}#", trap.port), "cn-north-4_a$(touch${IFS}/tmp/PWNED)".to_string()];
    let iam = Fake::start("200 OK", projects(&hostile));
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &iam.url());

    let run = csms(&config, "a-user-token", &["list", "--profile", "acme"]);
    assert!(iam.connections() >= 1, "IAM was asked: {}", run.stderr);
    assert_eq!(trap.connections(), 0, "a request went where a project name pointed: {}", run.stderr);
    assert_ne!(run.status, 0, "no project is usable: {}", run.stderr);
    let why = "IAM gave a name no project can have (letters, digits, _ and - only): not used";
    for name in &hostile {
        assert!(run.stderr.contains(&format!("skipped acme/{name}: {why}")), "{name}: {}", run.stderr);
    }
}

#[test]
fn an_altered_targets_cache_is_dropped_said_and_never_used() {
    let trap = Fake::start("200 OK", r#"{"secrets": [], "page_info": {"next_marker": null}}"#.into());
    let iam = Fake::start("200 OK", projects(&[]));
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &iam.url());
    // What a run would have cached for this profile, with one name altered.
    let cache = state_dir(&config).join("csms-tui/targets.json");
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let now =
        i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let entry = serde_json::json!({"profiles": {"acme": {
        "asker": format!("{} token from env TEST_CSMS_TOKEN", iam.url()),
        "found_at": now,
        "projects": [{"id": "0".repeat(32), "name": format!("x@127.0.0.1:{}#", trap.port)}],
    }}});
    std::fs::write(&cache, entry.to_string()).unwrap();

    let run = csms(&config, "a-user-token", &["list", "--profile", "acme"]);
    assert_eq!(trap.connections(), 0, "the cached name was used: {}", run.stderr);
    assert!(
        run.stderr
            .contains("skipped acme: its projects cached in targets.json hold a name or id csms never writes there"),
        "{}",
        run.stderr
    );
    assert!(iam.connections() >= 1, "IAM is asked instead: {}", run.stderr);
    let kept = std::fs::read_to_string(&cache).unwrap();
    assert!(!kept.contains("x@127.0.0.1"), "the altered entry is gone: {kept}");
}

/// Characters a shell reads as more than text, each in a profile name.
const METACHARACTERS: &[&str] = &[
    "$", "`", "\"", "'", "\\", ";", "&", "|", "<", ">", "(", ")", "{", "}", "[", "]", " ", "\t", "\n", "*", "?", "!",
    "#", "~", "%", "^", "=", ",", ":", "@", "+",
];

/// A config with the profile `good-1` and one profile of each of `names`.
fn profiles(dir: &Path, names: &[String]) -> PathBuf {
    let mut text = String::new();
    for name in std::iter::once("good-1").chain(names.iter().map(String::as_str)) {
        let key = serde_json::to_string(name).unwrap();
        let _ = write!(
            text,
            "[profiles.{key}]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"http://127.0.0.1:9\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n\n"
        );
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_profile_name_runs_nothing_when_bash_completes_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = profiles(dir.path(), &["cn-north-4_a$(touch${IFS}PWNED)".into()]);
    let bash = csms(&config, "", &["completions", "bash"]);
    assert_eq!(bash.status, 0, "{}", bash.stderr);
    let script = dir.path().join("csms.bash");
    std::fs::write(&script, &bash.stdout).unwrap();

    // Tab after `csms --profile `, as bash does it.
    let tab = format!(
        "source {}; COMP_WORDS=(csms --profile ''); COMP_CWORD=2; _csms csms '' --profile; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &tab])
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("PWNED").exists(), "a profile name ran a command at Tab");
    let offered = String::from_utf8_lossy(&out.stdout);
    assert_eq!(offered.lines().collect::<Vec<_>>(), ["good-1"], "only the plain name is offered");
    let said = "warning: profile 'cn-north-4_a$(touch${IFS}PWNED)' is not completed";
    assert!(bash.stderr.contains(said), "{}", bash.stderr);
}

#[test]
fn no_completion_script_holds_a_name_with_a_shell_metacharacter() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = METACHARACTERS.iter().map(|c| format!("zq{c}zq")).collect();
    let config = profiles(dir.path(), &names);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell", "nushell"] {
        let run = csms(&config, "", &["completions", shell]);
        assert_eq!(run.status, 0, "{shell}: {}", run.stderr);
        // Clap's elvish and powershell scripts complete no values at all.
        let completes_values = !matches!(shell, "elvish" | "powershell");
        assert_eq!(run.stdout.contains("good-1"), completes_values, "{shell}: the plain name completes");
        for name in &names {
            assert!(!run.stdout.contains(name.as_str()), "{shell}: {name:?} is in the script");
        }
    }
}

/// A config whose profiles, one per way to authenticate, all talk to `url`.
fn every_auth(dir: &Path, url: &str) -> PathBuf {
    let common = format!("region = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n");
    let text = format!(
        "[profiles.password]\n{common}iam_endpoint = \"{url}\"\nauth = \"password\"\ndomain = \"{DOMAIN}\"\n\
         user = \"{USER}\"\npassword_env = \"TEST_CSMS_PASSWORD\"\n\n\
         [profiles.token]\n{common}auth = \"token\"\ntoken_env = \"TEST_CSMS_TOKEN\"\n\n\
         [profiles.temp]\n{common}access_key = \"{TEMP_AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n\
         security_token_env = \"TEST_CSMS_SECURITY_TOKEN\"\n"
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_redirect_is_never_followed_and_is_named_as_an_error() {
    let sink = Fake::start("200 OK", r#"{"secrets": [], "page_info": {"next_marker": null}}"#.into());
    let location = format!("http://127.0.0.1:{}/v3/auth/tokens\u{202e}", sink.port);
    let redirector = Fake::with_head("307 Temporary Redirect", format!("Location: {location}\r\n"), String::new());
    let dir = tempfile::tempdir().unwrap();
    let config = every_auth(dir.path(), &redirector.url());

    for profile in ["password", "token", "temp"] {
        let before = redirector.connections();
        let run = csms(&config, "a-user-token", &["list", "--profile", profile]);
        assert_ne!(run.status, 0, "{profile}: {}", run.stderr);
        assert_eq!(redirector.connections() - before, 1, "{profile}: asked once, not again: {}", run.stderr);
        let named = format!("HTTP 307: the server redirects to '{}'", location.replace('\u{202e}', "\\u{202e}"));
        assert!(run.stderr.contains(&named), "{profile}: {}", run.stderr);
        assert!(!run.stderr.contains('\u{202e}'), "{profile}: the Location is shown escaped: {}", run.stderr);
    }
    assert_eq!(sink.connections(), 0, "a request followed a redirect");
}

#[test]
fn a_name_iam_lists_but_no_project_can_have_is_skipped_and_not_cached() {
    let iam = Fake::start("200 OK", projects(&["cn-north-4".into(), "a.b_c".into()]));
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &iam.url());
    let skipped = "skipped acme/a.b_c: IAM gave a name no project can have";

    let first = csms(&config, "a-user-token", &["profiles"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(first.stderr.contains(skipped), "{}", first.stderr);
    assert!(first.stdout.contains("acme/cn-north-4"), "{}", first.stdout);
    let cached = std::fs::read_to_string(state_dir(&config).join("csms-tui/targets.json")).unwrap();
    assert!(cached.contains("cn-north-4") && !cached.contains("a.b_c"), "only what csms uses is cached: {cached}");

    let asked = iam.connections();
    let second = csms(&config, "a-user-token", &["profiles"]);
    assert_eq!(second.status, 0, "{}", second.stderr);
    assert!(!second.stderr.contains("targets.json"), "its own cache is not suspect: {}", second.stderr);
    assert!(second.stdout.contains("acme/cn-north-4"), "{}", second.stdout);
    assert_eq!(iam.connections(), asked, "the cached projects served: {}", second.stderr);
}

/// Project ids IAM never gives reach no URL, no cache and no output: each
/// such project is skipped and named. A project whose region is not a
/// region name is skipped though the endpoint takes no region.
#[test]
fn a_project_id_iam_never_gives_is_skipped_and_not_cached() {
    let trap = Fake::start("200 OK", r#"{"secrets": [], "page_info": {"next_marker": null}}"#.into());
    let ids =
        ["../../../v3/x".to_string(), "a?b#c".into(), "x".repeat(5000), "\u{1b}[31m".into(), "\u{202e}abc".into()];
    let mut list: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| serde_json::json!({"id": id, "name": format!("cn-north-4_p{i}")}))
        .collect();
    list.push(serde_json::json!({"id": "0".repeat(32), "name": "CN-NORTH-4"}));
    let iam = Fake::start("200 OK", serde_json::json!({ "projects": list }).to_string());
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let text = format!(
        "[profiles.acme]\nregions = [\"*\"]\nendpoint = \"{}\"\niam_endpoint = \"{}\"\nauth = \"token\"\n\
         token_env = \"TEST_CSMS_TOKEN\"\n",
        trap.url(),
        iam.url()
    );
    std::fs::write(&config, text).unwrap();

    let run = csms(&config, "a-user-token", &["list", "--profile", "acme"]);
    assert!(iam.connections() >= 1, "IAM was asked: {}", run.stderr);
    assert_eq!(trap.connections(), 0, "a project was used: {}", run.stderr);
    assert_ne!(run.status, 0, "no project is usable: {}", run.stderr);
    for i in 0..ids.len() {
        let said = format!("skipped acme/cn-north-4_p{i}: IAM gave an id no project has (32 lowercase hex digits)");
        assert!(run.stderr.contains(&said), "{said}: {}", run.stderr);
    }
    assert!(run.stderr.contains("skipped acme/CN-NORTH-4: 'CN-NORTH-4' is not a region name"), "{}", run.stderr);
    for raw in ['\u{1b}', '\u{202e}'] {
        assert!(!run.stderr.contains(raw) && !run.stdout.contains(raw), "{raw:?} printed raw");
    }
    let cached = std::fs::read_to_string(state_dir(&config).join("csms-tui/targets.json")).unwrap_or_default();
    assert!(!cached.contains("v3/x") && !cached.contains("a?b") && !cached.contains("xxxx"), "{cached}");
}
