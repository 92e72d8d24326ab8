//! Files and standard input are read up to the service's limits and no
//! further: `/dev/zero` is refused at once instead of filling memory.

mod common;

use std::os::unix::process::CommandExt;
use std::time::Duration;

use common::*;

/// Address space for one run: far more than a bounded read needs, so that
/// an unbounded one fails fast instead of taking the machine's memory.
const ADDRESS_SPACE: libc::rlim_t = 4 << 30;

/// The binary as `csms` runs it, with its address space capped and a
/// watchdog that kills it after 30 s.
fn csms_capped(config: &std::path::Path, args: &[&str], input: Option<&str>) -> CliRun {
    let mut cmd = csms_command(config, "", args);
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
    let stdin = match input {
        Some(path) => std::fs::File::open(path).unwrap().into(),
        None => std::process::Stdio::null(),
    };
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
