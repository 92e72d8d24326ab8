//! The real binary in a pseudo-terminal against a real `csms serve`: the
//! countdown ticks, `/` filters and selects, `c` then `y` cancels, the server
//! agrees, `q` exits 0 and the terminal is restored.

use crate::common;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 30;
const COLS: u16 = 120;

/// A table row (inside the border) that names `name`.
fn is_row(line: &str, name: &str) -> bool {
    line.starts_with("│ ") && line.contains(name)
}

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Screen {
    /// The screen, one line per terminal row.
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().rows(0, COLS).collect::<Vec<_>>().join("\n")
    }

    /// Waits until the screen satisfies `pred`, or fails with what it shows.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if pred(&text) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; the screen shows:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The line of the screen that names `name`.
    fn line_of(&self, name: &str) -> Option<String> {
        self.text().lines().find(|l| is_row(l, name)).map(str::to_string)
    }

    /// Whether the row naming `name` is drawn as the selection (reversed).
    fn is_selected(&self, name: &str) -> bool {
        let text = self.text();
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let Some(row) = text.lines().position(|l| is_row(l, name)) else { return false };
        let line = text.lines().nth(row).unwrap();
        let col = line[..line.find(name).unwrap()].chars().count();
        let cell = |n: usize| u16::try_from(n).expect("a screen position");
        screen.cell(cell(row), cell(col)).is_some_and(|c| c.inverse())
    }
}

/// The UI running in a pseudo-terminal, its screen read through vt100.
struct Ui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Screen,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Ui {
    fn start(config: &std::path::Path) -> Ui {
        Ui::start_with(config, &[])
    }

    fn start_with(config: &std::path::Path, args: &[&str]) -> Ui {
        let size = PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 };
        let pty = native_pty_system().openpty(size).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_csms"));
        cmd.args(["--config", config.to_str().unwrap()]);
        cmd.args(args);
        cmd.env("TEST_CSMS_SK", SK);
        cmd.env("CSMS_LOG", "off");
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_STATE_HOME", config.parent().unwrap().join("state"));
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let rows = NonZeroU16::new(ROWS).unwrap();
        let cols = NonZeroU16::new(COLS).unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::<u8>::new()));
        {
            let (parser, raw) = (parser.clone(), raw.clone());
            std::thread::spawn(move || {
                // Keeps the master alive as long as the reader runs.
                let _master = pty.master;
                let mut buf = [0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    parser.lock().unwrap().process(&buf[..n]);
                    raw.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
        }
        Ui { child, writer, screen: Screen { parser }, raw }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader take in the last bytes.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(Instant::now() < deadline, "csms did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn countdown_filter_cancel_and_quit() {
    let server = Server::start();
    let client = server.aksk();
    populate(&client, "alpha", 5, false).await;
    populate(&client, "other-pending", 2, true).await;
    client.create_secret(&create_request("target-secret")).await.unwrap();
    client.schedule_deletion("target-secret", 7).await.unwrap();
    let config = server.write_config("");

    let mut ui = Ui::start(&config);
    let screen = &ui.screen;
    screen.wait_for("the secrets", |t| t.contains("target-secret") && t.contains("alpha-0004"));
    assert!(screen.parser.lock().unwrap().screen().alternate_screen(), "the UI draws on the alternate screen");

    // The countdown ticks by itself.
    let first = screen.line_of("target-secret").unwrap();
    let counting = first.contains("6d 23:59:") || first.contains("7d 00:00:00");
    assert!(first.contains("PENDING_DELETE") && counting, "{first}");
    screen.wait_for("the countdown to tick", |_| screen.line_of("target-secret").is_some_and(|l| l != first));

    // `/` + name + Enter selects the row.
    ui.send("/target-secret");
    let screen = &ui.screen;
    screen.wait_for("the filter", |t| t.contains("filter: target-secret"));
    ui.send("\r");
    let screen = &ui.screen;
    screen.wait_for("the filtered table", |t| t.contains("Secrets (1/1 of 8)"));
    assert!(screen.is_selected("target-secret"), "{}", screen.text());

    // `c` asks; `y` sends.
    ui.send("c");
    let screen = &ui.screen;
    screen.wait_for("the confirmation", |t| t.contains("Cancel deletion?") && t.contains("time left"));
    assert!(client.show_secret("target-secret").await.unwrap().is_pending_delete(), "nothing sent before y");
    ui.send("y");
    let screen = &ui.screen;
    screen.wait_for("the cancel to land", |t| t.contains("Deletion of 'target-secret' cancelled"));
    let row = screen.line_of("target-secret").unwrap();
    assert!(row.contains("ENABLED") && !row.contains("PENDING"), "{row}");
    let on_server = client.show_secret("target-secret").await.unwrap();
    assert_eq!(on_server.state_label(), "ENABLED", "the server agrees");
    assert_eq!(on_server.scheduled_delete_time, None);

    ui.send("q");
    let status = ui.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let raw = ui.raw.lock().unwrap();
    let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(200)..]).into_owned();
    assert!(tail.contains("\x1b[?1049l"), "the alternate screen is left: {tail:?}");
    assert!(!ui.screen.parser.lock().unwrap().screen().alternate_screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_restores_the_terminal_and_exits_143() {
    let server = Server::start();
    populate(&server.aksk(), "s", 2, true).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("s-0001"));
    let pid = ui.child.process_id().unwrap();
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    let status = ui.wait_exit();
    assert!(!ui.screen.parser.lock().unwrap().screen().alternate_screen(), "alternate screen left on SIGTERM");
    assert_eq!(status.exit_code(), 143, "ended by SIGTERM: 128 + 15");
}

/// Quitting while a credential command hangs ends the command too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_kills_a_hung_credential_command() {
    let server = Server::start();
    let pidfile = server.dir.path().join("sleep.pid");
    let config = server.dir.path().join("hung.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.hung]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{}\"\n\
             access_key = \"{AK}\"\nsecret_key_command = \"sleep 1000 & echo $! > {}; wait\"\n",
            server.url,
            pidfile.display()
        ),
    )
    .unwrap();
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the first load", |t| t.contains("Loading"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let pid = loop {
        if let Some(pid) = std::fs::read_to_string(&pidfile).ok().and_then(|p| p.trim().parse::<u32>().ok()) {
            break pid;
        }
        assert!(Instant::now() < deadline, "the credential command did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    ui.send("q");
    assert!(ui.wait_exit().success());
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive() {
        assert!(Instant::now() < deadline, "the credential command's sleep {pid} outlived csms");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The whole life of a secret from the keyboard: `n` creates it with a typed
/// value, `u` puts a new one, the details roll back to v1 with `R` `y`, and
/// `y` `v` hands the value to the terminal's clipboard (OSC 52). The server,
/// read by the test, agrees at each step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_put_value_roll_back_and_copy_from_the_keyboard() {
    use base64::Engine;
    let server = Server::start();
    let client = server.aksk();
    populate(&client, "existing", 2, false).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("existing-0001"));

    ui.send("n");
    ui.screen.wait_for("the form", |t| t.contains("New secret"));
    ui.send("pty-made\tmade in the pty\ttyped-value-1");
    ui.screen.wait_for("the masked value", |t| t.contains("(13 characters)") && !t.contains("typed-value-1"));
    ui.send("\r");
    ui.screen.wait_for("the create", |t| t.contains("Created 'pty-made'"));
    let v = client.show_version("pty-made", "latest").await.unwrap();
    assert_eq!(v.secret_string.as_deref(), Some("typed-value-1"));
    assert_eq!(client.show_secret("pty-made").await.unwrap().description.as_deref(), Some("made in the pty"));
    assert!(ui.screen.is_selected("pty-made"), "the new row is selected:\n{}", ui.screen.text());

    ui.send("u");
    ui.screen.wait_for("the consequence", |t| t.contains("creates v2 as SYSCURRENT; v1 becomes SYSPREVIOUS"));
    ui.send("typed-value-2\r");
    ui.screen.wait_for("the confirmation", |t| t.contains("Put a new value?"));
    assert_eq!(client.list_versions("pty-made").await.unwrap().len(), 1, "nothing sent before y");
    ui.send("y");
    ui.screen.wait_for("the new value", |t| t.contains("has a new value: v2"));
    assert_eq!(
        client.show_version("pty-made", "latest").await.unwrap().secret_string.as_deref(),
        Some("typed-value-2")
    );

    ui.send("\r");
    ui.screen.wait_for("the versions", |t| t.contains("versions (2)"));
    ui.send("j");
    ui.send("R");
    ui.screen.wait_for("the rollback confirmation", |t| t.contains("SYSCURRENT moves from v2 to v1"));
    ui.send("y");
    ui.screen.wait_for("the rollback", |t| t.contains("Rolled back 'pty-made'"));
    let stage = client.show_stage("pty-made", "SYSCURRENT").await.unwrap();
    assert_eq!(stage.version_id.as_deref(), Some("v1"), "the server has SYSCURRENT on v1");
    // Back in the details it was asked from, which read the stages again.
    ui.screen.wait_for("the details with v1 current", |t| {
        t.lines().any(|l| l.contains("v1") && l.contains("SYSCURRENT"))
            && t.lines().any(|l| l.contains("v2") && l.contains("SYSPREVIOUS"))
    });
    ui.send("q");
    ui.screen.wait_for("the table", |t| !t.contains("versions (2)"));

    ui.send("y");
    ui.screen.wait_for("the copy menu", |t| t.contains("Copy from"));
    ui.send("v");
    ui.screen.wait_for("the copy", |t| t.contains("Copied the value of 'pty-made'"));
    let expected = format!("\x1b]52;c;{}\x07", base64::engine::general_purpose::STANDARD.encode("typed-value-1"));
    let raw = String::from_utf8_lossy(&ui.raw.lock().unwrap()).into_owned();
    assert!(raw.contains(&expected), "an OSC 52 sequence with the current value");
    assert!(!ui.screen.text().contains("typed-value-1"), "the value is never on screen");

    ui.send("q");
    assert!(ui.wait_exit().success());
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    let actions: Vec<&str> = journal
        .lines()
        .filter(|l| !l.contains(r#""outcome":"sent""#))
        .map(|l| l.split("\"action\":\"").nth(1).unwrap().split('"').next().unwrap())
        .collect();
    assert_eq!(actions, ["create", "put-value", "rollback"]);
    assert!(!journal.contains("typed-value"), "no value in the journal");
}

/// One whole edit of a description as a terminal user types it: the old
/// text cleared with ctrl-u, words put in at the start and the end of a line,
/// a second line with alt-enter, a word taken out in the middle with ctrl-w.
/// The server gets exactly what the screen showed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_description_is_edited_with_cursor_movement() {
    let server = Server::start();
    let client = server.aksk();
    populate(&client, "existing", 1, false).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("existing-0000"));

    ui.send("e");
    ui.screen.wait_for("the dialog", |t| t.contains("Description of existing-0000"));
    // ctrl-u clears the line; Home and End (as xterm sends them) move to its ends.
    ui.send("\x15rotated yearly\x1b[Hkey, \x1b[F by ops");
    ui.screen.wait_for("the first line", |t| t.contains("> key, rotated yearly by ops"));
    // alt-enter starts a line; alt-b goes back a word, ctrl-w deletes the one before it.
    ui.send("\x1b\rowner payments team\x1bb\x1bb\x17team: ");
    ui.screen.wait_for("the second line", |t| t.lines().any(|l| l.contains("  team: payments team")));
    // ctrl-a and ctrl-e stay on the line the cursor is on; alt-d deletes to the end of
    // the word after it (`team`), ctrl-d a character (`:` and the space).
    ui.send("\x01\x1bd\x04\x04\x05!");
    ui.screen.wait_for("the edited line", |t| t.lines().any(|l| l.contains("  payments team!")));
    ui.send("\r");
    ui.screen.wait_for("the answer", |t| t.contains("Description of 'existing-0000' saved"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let description = loop {
        let d = client.show_secret("existing-0000").await.unwrap().description;
        if d.as_deref() != Some("description of existing-0000") || Instant::now() > deadline {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(description.as_deref(), Some("key, rotated yearly by ops\npayments team!"));
    ui.send("q");
    assert!(ui.wait_exit().success());
}

/// `q` while a slow cancel is under way waits for it: the secret ends
/// ENABLED and csms exits 0 once the answer came. SIGTERM waits the same
/// way, and then exits 143 as a process SIGTERM ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quit_and_sigterm_wait_for_a_cancel_under_way() {
    let server = Server::start();
    let client = server.aksk();
    populate(&client, "slow", 2, true).await;
    let config = server.write_config("");
    for stop in ["q", "SIGTERM"] {
        let mut ui = Ui::start(&config);
        ui.screen.wait_for("the secrets", |t| t.contains("slow-0001"));
        // Only the cancels are slow.
        server.faults(serde_json::json!({"latency_ms": 1500, "path_regex": "/cancel$"})).await;
        let name = if stop == "q" { "slow-0000" } else { "slow-0001" };
        ui.send(&format!("/{name}\r"));
        ui.screen.wait_for("the filter", |t| t.contains("Secrets (1/1 of 2)"));
        ui.send("cy");
        ui.screen.wait_for("the cancel under way", |t| t.contains("cancelling…"));
        if stop == "q" {
            ui.send("q");
        } else {
            let pid = ui.child.process_id().unwrap();
            std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
        }
        ui.screen.wait_for("the wait", |t| t.contains("Quitting once the 1 request under way is answered"));
        let status = ui.wait_exit();
        let expected = if stop == "q" { 0 } else { 143 };
        assert_eq!(status.exit_code(), expected, "{stop}: {status:?}");
        assert_eq!(client.show_secret(name).await.unwrap().state_label(), "ENABLED", "{stop}: the cancel landed");
        server.faults(serde_json::json!({})).await;
    }
}

/// A second `q` quits before the answer: the journal says the cancel was
/// attempted and its outcome is unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_unanswered_at_quit_is_journaled_unknown() {
    let server = Server::start();
    populate(&server.aksk(), "late", 1, true).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("late-0000"));
    server.faults(serde_json::json!({"latency_ms": 8000, "path_regex": "/cancel$"})).await;
    ui.send("cy");
    ui.screen.wait_for("the cancel under way", |t| t.contains("cancelling…"));
    ui.send("q");
    ui.screen.wait_for("the wait", |t| t.contains("Quitting once the 1 request under way is answered"));
    ui.send("q");
    let status = ui.wait_exit();
    assert!(!status.success(), "an unknown outcome is not a success: {status:?}");
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap_or_default();
    let line: serde_json::Value = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .find(|e: &serde_json::Value| e["secret"] == "late-0000" && e["outcome"] != "sent")
        .unwrap_or_else(|| panic!("no journal line for the cancel: {journal:?}"));
    assert_eq!((line["action"].as_str(), line["outcome"].as_str()), (Some("cancel"), Some("unknown")), "{line}");
    assert!(line["error_msg"].as_str().unwrap().contains("quit before the answer"), "{line}");
    server.faults(serde_json::json!({})).await;
}

/// Several profiles and no default: the UI opens on the picker; typing
/// filters it. A profile that does not exist is a usage error (2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_profiles_without_a_default_open_on_the_picker() {
    let server = Server::start();
    populate(&server.aksk(), "main", 1, false).await;
    let config = server.write_config("");
    let text = std::fs::read_to_string(&config).unwrap().replace("default_profile = \"aksk\"\n", "");
    let config = server.dir.path().join("no-default.toml");
    std::fs::write(&config, text).unwrap();
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the picker", |t| t.contains("Profiles") && t.contains("all profiles"));
    ui.send("readon");
    ui.screen.wait_for("the filtered picker", |t| t.contains("readonly") && !t.contains("password"));
    ui.send("\r");
    ui.screen.wait_for("the chosen profile", |t| t.contains("READ-ONLY") && t.contains("main-0000"));
    ui.send("q");
    assert!(ui.wait_exit().success());

    let mut ui = Ui::start_with(&config, &["--profile", "nope"]);
    let status = ui.wait_exit();
    assert_eq!(status.exit_code(), 2, "{}", ui.screen.text());
}

/// The last profile, view and sort come back on the next run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_view_and_sort_are_remembered() {
    let server = Server::start();
    populate(&server.aksk(), "kept", 2, false).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("kept-0001"));
    ui.send("as");
    ui.screen.wait_for("all profiles sorted by name", |t| t.contains("all profiles") && t.contains("sort: name"));
    ui.send("q");
    assert!(ui.wait_exit().success());
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the same view", |t| t.contains("all profiles") && t.contains("sort: name"));
    ui.send("q");
    assert!(ui.wait_exit().success());
}

/// A config of one profile `acme` with `regions = ["*"]` on the server, with
/// `head` before it and the secret key from `secret`.
fn every_region_config(server: &Server, head: &str, secret: &str) -> std::path::PathBuf {
    let config = server.dir.path().join("config.toml");
    let url = &server.url;
    let text = format!(
        "{head}[profiles.acme]\nregions = [\"*\"]\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\n\
         access_key = \"{AK}\"\n{secret}\n"
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// A profile with regions opens at once on the projects found last (IAM is
/// slow here, and not waited for); IAM's answer behind the UI then retires
/// a project it no longer lists, and is cached.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projects_found_last_open_the_ui_and_are_checked_behind_it() {
    let server = Server::start();
    populate(&server.aksk(), "radar", 2, true).await;
    let runs = server.dir.path().join("credential-runs");
    let secret = format!("secret_key_command = \"echo run >> {}; printf %s $TEST_CSMS_SK\"", runs.display());
    let config = every_region_config(&server, "", &secret);
    let url = &server.url;
    let cache = config.parent().unwrap().join("state/csms-tui/targets.json");
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let found_at = 1_700_000_000_000_i64;
    let cached = serde_json::json!({ "profiles": { "acme": {
        "asker": format!("{url} aksk {AK}"),
        "found_at": found_at,
        "projects": [
            { "id": PROJECT, "name": "cn-north-4" },
            { "id": "00000000000000000000000000000bad", "name": "cn-north-4_old" },
        ],
    }}});
    std::fs::write(&cache, cached.to_string()).unwrap();
    server.faults(serde_json::json!({ "latency_ms": 3000, "path_regex": "^/v3/projects" })).await;

    let mut ui = Ui::start_with(&config, &["--profile", "acme/cn-north-4"]);
    let shown = ui.screen.wait_for("the cached target's secrets", |t| t.contains("radar-0001"));
    assert!(shown.contains("acme/cn-north-4"), "{shown}");
    assert!(!shown.contains("gone:"), "IAM has not answered yet: {shown}");
    ui.screen.wait_for("IAM's answer", |t| t.contains("gone: acme/cn-north-4_old"));
    ui.send("p");
    let picker = ui.screen.wait_for("the picker", |t| t.contains("2 projects"));
    assert!(picker.lines().any(|l| l.contains("cn-north-4_old") && l.contains("gone")), "{picker}");
    // From the current target, up to its profile's line: the targets together.
    ui.send("\x1b[A\r");
    ui.screen.wait_for("the group view", |t| t.contains("acme (1 project)") && t.contains("radar-0001"));
    ui.send("q");
    assert!(ui.wait_exit().success());

    // The credential command ran once: for the cached targets, and not again to ask IAM behind them.
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 1);
    let after: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    let entry = &after["profiles"]["acme"];
    assert!(entry["found_at"].as_i64().unwrap() > found_at, "refreshed: {entry}");
    assert_eq!(entry["projects"].as_array().unwrap().len(), 1, "{entry}");

    // The profile's own name opens its targets together, as several would be.
    let mut ui = Ui::start_with(&config, &["--profile", "acme"]);
    ui.screen.wait_for("the group view", |t| t.contains("acme (1 project)") && t.contains("radar-0001"));
    ui.send("q");
    assert!(ui.wait_exit().success());
}

/// With nothing found before, the UI does not wait for IAM: it opens on the
/// profile at once, saying its projects are being asked for, and shows them
/// when IAM has named them (and caches them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_opens_before_iam_names_the_projects() {
    let server = Server::start();
    populate(&server.aksk(), "first", 2, false).await;
    let config = every_region_config(&server, "default_profile = \"acme\"\n", "secret_key_env = \"TEST_CSMS_SK\"");
    server.faults(serde_json::json!({ "latency_ms": 3000, "path_regex": "^/v3/projects" })).await;
    let mut ui = Ui::start(&config);
    let opened = ui.screen.wait_for("the UI, before IAM answers", |t| t.contains("asking IAM for its projects"));
    assert!(!opened.contains("first-0001"), "{opened}");
    ui.screen.wait_for("the targets' secrets", |t| t.contains("acme (1 project)") && t.contains("first-0001"));
    ui.send("q");
    assert!(ui.wait_exit().success());
    let cache = config.parent().unwrap().join("state/csms-tui/targets.json");
    assert!(std::fs::read_to_string(cache).unwrap().contains(PROJECT));
}

/// IAM refusing a first run's question is shown as the profile's failure;
/// `r` asks again, and the projects come once IAM answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_first_run_is_asked_again_with_r() {
    let server = Server::start();
    populate(&server.aksk(), "again", 1, false).await;
    let config = every_region_config(&server, "", "secret_key_env = \"TEST_CSMS_SK\"");
    server.faults(serde_json::json!({ "error_rate": 1.0, "error_status": 401, "path_regex": "^/v3/projects" })).await;
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the refusal", |t| t.contains("authentication failed"));
    server.faults(serde_json::json!({})).await;
    ui.send("r");
    ui.screen.wait_for("the projects, asked again", |t| t.contains("acme (1 project)") && t.contains("again-0000"));
    ui.send("q");
    assert!(ui.wait_exit().success());
}

/// A create under 503s: its row says `creating…` at once and counts the
/// retries as they go out, then the outcome is named once (unknown), and
/// the journal names no version it does not know was made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_under_503s_shows_its_row_and_retries_then_its_outcome() {
    let server = Server::start();
    populate(&server.aksk(), "existing", 1, false).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("existing-0000"));
    // Slowed, as over a real network: each send and its retry are seen.
    let faults =
        serde_json::json!({"error_rate": 1.0, "error_status": 503, "latency_ms": 300, "path_regex": "secrets$"});
    server.faults(faults).await;
    ui.send("n");
    ui.screen.wait_for("the form", |t| t.contains("New secret"));
    ui.send("under-503\t\tsome-value\r");
    ui.screen.wait_for("the row under way", |t| t.lines().any(|l| is_row(l, "under-503") && l.contains("creating…")));
    let text = ui.screen.wait_for("a retry counted", |t| t.contains("creating… ↻") && t.contains("retry "));
    assert!(!text.contains("UNKNOWN"), "the row under way has no state:\n{text}");
    let text =
        ui.screen.wait_for("the outcome", |t| t.contains("Creating 'under-503'") && t.contains("outcome unknown"));
    assert!(ui.screen.line_of("under-503").is_none(), "no row for an unconfirmed create:\n{text}");
    server.faults(serde_json::json!({})).await;
    ui.send("q");
    ui.wait_exit();
    let journal = std::fs::read_to_string(journal_path(&config)).unwrap();
    let line: serde_json::Value = serde_json::from_str(journal.lines().last().unwrap()).unwrap();
    assert_eq!((line["action"].as_str(), line["outcome"].as_str()), (Some("create"), Some("unknown")), "{line}");
    assert!(line.get("versions").and_then(|v| v.as_array()).is_none_or(Vec::is_empty), "{line}");
}

/// SIGHUP (the terminal closed) ends the UI as SIGTERM does: the terminal
/// restored, a copied value cleared from the clipboard, exit 129.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_restores_the_terminal_clears_the_clipboard_and_exits_129() {
    let server = Server::start();
    populate(&server.aksk(), "hup", 1, false).await;
    let config = server.write_config("");
    let mut ui = Ui::start(&config);
    ui.screen.wait_for("the secrets", |t| t.contains("hup-0000"));
    ui.send("yv");
    ui.screen.wait_for("the copy", |t| t.contains("Copied the value of 'hup-0000'"));
    let copied = ui.raw.lock().unwrap().len();
    let pid = ui.child.process_id().unwrap();
    std::process::Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap();
    let status = ui.wait_exit();
    assert_eq!(status.exit_code(), 129, "ended by SIGHUP: 128 + 1");
    assert!(!ui.screen.parser.lock().unwrap().screen().alternate_screen(), "alternate screen left on SIGHUP");
    let raw = ui.raw.lock().unwrap();
    let after = String::from_utf8_lossy(&raw[copied..]).into_owned();
    assert!(after.contains("\x1b]52;c;\x07"), "the clipboard is asked to clear: {after:?}");
    assert!(after.contains("\x1b[?2004l"), "bracketed paste is turned off: {after:?}");
}
