//! Files and standard input are read up to the service's limits and no
//! further: `/dev/zero` is refused at once instead of filling memory. So are
//! endless answers, config and state files, and a credential command's
//! endless output; a state file that is not a regular file is not read.

use crate::common;

use std::os::unix::process::CommandExt;
use std::time::Duration;

use common::*;

/// Address space for one run: far more than a bounded read needs, so that
/// an unbounded one fails fast instead of taking the machine's memory.
const ADDRESS_SPACE: libc::rlim_t = 4 << 30;

/// The binary as `csms` runs it, with its address space capped and a
/// watchdog that kills it after 30 s.
fn csms_capped(config: &std::path::Path, args: &[&str], input: Option<&str>) -> CliRun {
    let stdin = match input {
        Some(path) => std::fs::File::open(path).unwrap().into(),
        None => std::process::Stdio::null(),
    };
    csms_capped_on(config, args, stdin)
}

/// As `csms_capped`, reading `stdin`.
fn csms_capped_on(config: &std::path::Path, args: &[&str], stdin: std::process::Stdio) -> CliRun {
    run_capped(csms_command(config, "", args), stdin)
}

/// Runs `cmd` with its address space capped and a watchdog that kills it after 30 s.
fn run_capped(mut cmd: std::process::Command, stdin: std::process::Stdio) -> CliRun {
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: ADDRESS_SPACE, rlim_max: ADDRESS_SPACE };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd.stdin(stdin).spawn().unwrap();
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30));
        let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
    });
    let out = child.wait_with_output().unwrap();
    drop(watchdog);
    CliRun {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test]
async fn endless_input_is_refused_at_the_services_limit() {
    let server = Server::start();
    server.aksk().create_secret(&create_request("db")).await.unwrap();
    let config = server.write_config("");
    let cases: [(&[&str], Option<&str>, &str); 3] = [
        (&["put-value", "db", "--value-file", "/dev/zero"], None, "more than 32768 bytes"),
        (&["put-value", "db", "--value-stdin"], Some("/dev/zero"), "standard input: more than 32768 bytes"),
        (&["restore", "/dev/zero"], None, "more than 1048576 bytes"),
    ];
    for (args, input, says) in cases {
        let run = csms_capped(&config, args, input);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    let versions = server.aksk().list_versions("db").await.unwrap();
    assert_eq!(versions.len(), 1, "nothing was sent");
    // The largest value the service stores, with the newline an editor adds, still goes.
    let file = server.dir.path().join("largest");
    std::fs::write(&file, format!("{}\n", "x".repeat(32 * 1024))).unwrap();
    let run = csms_capped(&config, &["put-value", "db", "--value-file", file.to_str().unwrap()], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(server.aksk().list_versions("db").await.unwrap().len(), 2);
}

/// A server on 127.0.0.1 whose every answer is a 200 that never ends: JSON
/// streamed for as long as it is read (at most 8 GiB or 60 s). With
/// `declared`, the head announces a terabyte; without it, the body runs to
/// the connection's end.
fn endless_server(declared: bool) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16).flatten() {
            std::thread::spawn(move || stream_endlessly(stream, declared));
        }
    });
    format!("http://{addr}")
}

fn stream_endlessly(mut stream: std::net::TcpStream, declared: bool) {
    use std::io::{Read, Write};
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let length = if declared { "Content-Length: 1000000000000\r\n" } else { "" };
    let start =
        format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close\r\n\r\n{{\"a\":[");
    if stream.write_all(start.as_bytes()).is_err() {
        return;
    }
    let chunk = "{\"name\":\"s\"},".repeat(5000);
    let until = std::time::Instant::now() + Duration::from_secs(60);
    for _ in 0..(8u64 << 30) / chunk.len() as u64 {
        if std::time::Instant::now() > until || stream.write_all(chunk.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn an_endless_answer_is_read_up_to_a_bound_and_refused() {
    for declared in [false, true] {
        let url = endless_server(declared);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        let text = format!(
            "[profiles.lab]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n\n\
             [profiles.found]\nregions = [\"*\"]\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\n\
             access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
        );
        std::fs::write(&config, text).unwrap();
        let cases: [(&[&str], &str); 4] = [
            (&["list", "--profile", "lab"], "list secrets"),
            (&["-o", "json", "list", "--profile", "lab"], "list secrets"),
            (&["show", "x", "--profile", "lab"], "show secret"),
            (&["profiles", "--refresh"], "list projects"),
        ];
        for (args, operation) in cases {
            let run = csms_capped(&config, args, None);
            // `profiles` shows a profile that failed in its row, on stdout.
            let said = format!("{}{}", run.stdout, run.stderr);
            let says = format!("{operation}: the answer is longer than 16 MiB");
            assert!(said.contains(&says), "{args:?} (declared {declared}): {} / {said}", run.status);
            // A failed listing exits non-zero; `profiles` lists what it could, and 0.
            let fails = args[0] != "profiles";
            assert_eq!(run.status != 0, fails, "{args:?} (declared {declared}): {} / {said}", run.status);
            assert!(run.status >= 0, "{args:?} (declared {declared}): killed: {said}");
        }
    }
}

/// `yes NAME` on standard input: endless short lines.
fn endless_lines(name: &str) -> (std::process::Child, std::process::Stdio) {
    let mut yes = std::process::Command::new("yes").arg(name).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let out = yes.stdout.take().unwrap();
    (yes, out.into())
}

#[tokio::test]
async fn endless_answers_and_names_on_stdin_are_refused_at_their_bounds() {
    let server = Server::start();
    populate(&server.aksk(), "abc", 1, true).await;
    let config = server.write_config("");
    let before = std::fs::read_to_string(&config).unwrap();
    let (mut yes, lines) = endless_lines("abc-0000");
    let run = csms_capped_on(&config, &["cancel-deletion", "-"], lines);
    let _ = yes.kill();
    let _ = yes.wait();
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("standard input: more than 10000 lines: nothing was changed"), "{}", run.stderr);
    let cases: [(&[&str], &str); 2] = [
        (&["cancel-deletion", "-"], "standard input: a line longer than 4096 bytes: nothing was changed"),
        (&["config", "init"], "standard input: a line longer than 4096 bytes: nothing was written"),
    ];
    for (args, says) in cases {
        let run = csms_capped(&config, args, Some("/dev/zero"));
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    assert_eq!(server.aksk().show_secret("abc-0000").await.unwrap().state_label(), "PENDING_DELETE");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before, "the config is as it was");
}

/// A profile on the test server whose secret key comes from `command`.
fn command_profile(server: &Server, name: &str, command: &str) -> String {
    format!(
        "[profiles.{name}]\nregion = \"cn-north-4\"\nproject_id = \"{PROJECT}\"\nendpoint = \"{}\"\n\
         access_key = \"{AK}\"\nsecret_key_command = \"{command}\"\n",
        server.url
    )
}

#[tokio::test]
async fn an_endless_config_or_credential_command_is_refused() {
    let server = Server::start();
    let extra = command_profile(&server, "yes", "yes") + &command_profile(&server, "zero", "cat /dev/zero");
    let config = server.write_config(&extra);
    let run = csms_capped(std::path::Path::new("/dev/zero"), &["list"], None);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("/dev/zero: cannot read: not a regular file"), "{}", run.stderr);
    let big = server.dir.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 << 20))).unwrap();
    let run = csms_capped(&big, &["list"], None);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot read: more than 1048576 bytes"), "{}", run.stderr);
    for (profile, command) in [("yes", "yes"), ("zero", "cat /dev/zero")] {
        let run = csms_capped(&config, &["-p", profile, "list"], None);
        assert_eq!(run.status, 2, "{profile}: {}", run.stderr);
        let says =
            format!("command `{command}` printed more than 65536 bytes, more than any credential, and was stopped");
        assert!(run.stderr.contains(&says), "{profile}: {}", run.stderr);
    }
}

#[tokio::test]
async fn state_files_that_are_endless_or_not_regular_are_not_read() {
    let server = Server::start();
    let url = &server.url;
    let extra = format!(
        "[profiles.acme]\nregions = [\"*\"]\nendpoint = \"{url}\"\niam_endpoint = \"{url}\"\n\
         access_key = \"{AK}\"\nsecret_key_env = \"TEST_CSMS_SK\"\n"
    );
    let config = server.write_config(&extra);
    let dir = state_dir(&config).join("csms-tui");
    std::fs::create_dir_all(&dir).unwrap();
    let journal = journal_path(&config);
    std::os::unix::fs::symlink("/dev/zero", &journal).unwrap();
    let run = csms_capped(&config, &["history"], None);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("journal.jsonl: not a regular file: not read"), "{}", run.stderr);

    // A big journal is read line by line; a line past the bound is counted, not held.
    std::fs::remove_file(&journal).unwrap();
    let line = r#"{"time":"2030-01-01T00:00:00.000Z","host":"h","user":"u","profile":"aksk","region":"r","project":"p","secret":"kept","action":"cancel","outcome":"ok"}"#;
    std::fs::write(&journal, format!("{}\n{line}\n", "x".repeat(3 << 20))).unwrap();
    let run = csms_capped(&config, &["history", "-o", "json"], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"kept\""), "{}", run.stdout);
    assert!(run.stderr.contains("1 lines could not be read"), "{}", run.stderr);

    let targets = dir.join("targets.json");
    std::os::unix::fs::symlink("/dev/zero", &targets).unwrap();
    let run = csms_capped(&config, &["-p", "acme", "list"], None);
    assert!(run.stderr.contains("targets.json: not a regular file: not read; IAM is asked"), "{}", run.stderr);
    std::fs::remove_file(&targets).unwrap();
    let name = std::ffi::CString::new(targets.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let run = csms_capped(&config, &["completions", "bash"], None);
    assert_eq!(run.status, 0, "a FIFO is not waited on: {}", run.stderr);
    assert!(run.stdout.contains("complete -F"), "the script is written");
    std::fs::remove_file(&targets).unwrap();
    std::fs::write(&targets, "x".repeat(2 << 20)).unwrap();
    let run = csms_capped(&config, &["-p", "acme", "list"], None);
    assert!(run.stderr.contains("targets.json: more than 1048576 bytes: not read"), "{}", run.stderr);
}

/// The secret-name cache Tab completes from (and `list` rewrites) is read
/// only as a regular file of bounded size: a symlink to `/dev/zero` or a
/// FIFO in its place counts as no cache, at once.
#[tokio::test]
async fn a_names_cache_that_is_endless_or_not_regular_is_not_read() {
    let server = Server::start();
    server.aksk().create_secret(&create_request("db-pass")).await.unwrap();
    let config = server.write_config("");
    let dir = state_dir(&config).join("csms-tui");
    std::fs::create_dir_all(&dir).unwrap();
    let names = dir.join("names.json");
    let complete = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_csms"));
        cmd.args(["--", "csms", "show", "d"])
            .env("COMPLETE", "fish")
            .env("XDG_STATE_HOME", state_dir(&config))
            .env("CSMS_LOG", "off")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        run_capped(cmd, std::process::Stdio::null())
    };
    std::os::unix::fs::symlink("/dev/zero", &names).unwrap();
    let run = complete();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("db-pass"), "{}", run.stdout);
    std::fs::remove_file(&names).unwrap();
    let fifo = std::ffi::CString::new(names.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    assert_eq!(complete().status, 0, "a FIFO is not waited on");
    let run = csms_capped(&config, &["list"], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(complete().stdout.lines().any(|l| l == "db-pass"), "the listing replaced it");
    std::fs::remove_file(&names).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &names).unwrap();
    let run = csms_capped(&config, &["list"], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("db-pass"), "{}", run.stdout);
}

/// A log that is a FIFO (or a device) is not waited on: the command runs,
/// logs nothing, and says so once.
#[tokio::test]
async fn a_log_that_is_not_a_regular_file_is_not_opened() {
    let server = Server::start();
    server.aksk().create_secret(&create_request("db")).await.unwrap();
    let config = server.write_config("");
    let dir = state_dir(&config).join("csms-tui");
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("csms.log");
    let name = std::ffi::CString::new(log.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    for args in [&["history"][..], &["list"]] {
        let run = csms_capped(&config, args, None);
        assert_eq!(run.status, 0, "{args:?} is not held by the log: {}", run.stderr);
        let warned = run.stderr.matches("csms.log: not a regular file: not written; nothing is logged this run");
        assert_eq!(warned.count(), 1, "{args:?}: {}", run.stderr);
    }
    let run = csms_capped(&config, &["list"], None);
    assert!(run.stdout.contains("db"), "{}", run.stdout);
    std::fs::remove_file(&log).unwrap();
    std::os::unix::fs::symlink("/dev/null", &log).unwrap();
    let run = csms_capped(&config, &["list"], None);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("csms.log: not a regular file"), "{}", run.stderr);
}

/// A profile that leaves its keys to the SDK's credentials file, when that
/// file is there but cannot be read: the error says which file and why.
#[test]
fn an_unreadable_sdk_credentials_file_is_named_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[profiles.sdk]\nregion = \"cn-north-4\"\nauth = \"aksk\"\n").unwrap();
    let sdk = dir.path().join(".huaweicloud");
    std::fs::create_dir_all(&sdk).unwrap();
    let file = sdk.join("credentials");
    let fifo = || {
        let name = std::ffi::CString::new(file.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    };
    let big = || std::fs::write(&file, format!("[basic]\nak = AK\nsk = SK\n{}", "#".repeat(2 << 20))).unwrap();
    let zero = || std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    let cases: [(&dyn Fn(), &str); 3] = [
        (&zero, "not a regular file: not read"),
        (&fifo, "not a regular file: not read"),
        (&big, "more than 1048576 bytes: not read"),
    ];
    for (make, why) in cases {
        let _ = std::fs::remove_file(&file);
        make();
        let mut cmd = csms_command(&config, "", &["-p", "sdk", "list"]);
        for var in ["HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_CREDENTIALS_FILE"] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", dir.path());
        let run = run_capped(cmd, std::process::Stdio::null());
        assert_eq!(run.status, 2, "{why}: {}", run.stderr);
        let says = format!("{}: {why}", file.display());
        assert!(run.stderr.contains(&says), "{says}: {}", run.stderr);
    }
}
