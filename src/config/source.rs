//! Where a secret value comes from: the config file itself, an environment
//! variable, or the output of a command.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::csms::Redacted;

#[derive(Debug, Clone)]
pub enum SecretSource {
    Literal(Redacted),
    Env(String),
    Command(String),
    /// Another source, read once by whichever of its clones needs it first,
    /// and that answer given to every clone: the targets of one profile run
    /// its command once, when the first of them is used.
    Once(Arc<ReadOnce>),
}

#[derive(Debug)]
pub struct ReadOnce {
    source: SecretSource,
    read: Mutex<Option<Result<Redacted, String>>>,
}

impl SecretSource {
    /// This source, read at most once from now on, by whichever clone first needs it.
    pub fn once(self) -> SecretSource {
        match self {
            SecretSource::Literal(_) | SecretSource::Once(_) => self,
            source => SecretSource::Once(Arc::new(ReadOnce { source, read: Mutex::new(None) })),
        }
    }

    /// The source as configured (under `once`).
    pub fn configured(&self) -> &SecretSource {
        match self {
            SecretSource::Once(once) => once.source.configured(),
            source => source,
        }
    }

    /// The config key this source was written as: `base`, `base_env` or `base_command`.
    pub fn key(&self, base: &str) -> String {
        match self.configured() {
            SecretSource::Env(_) => format!("{base}_env"),
            SecretSource::Command(_) => format!("{base}_command"),
            _ => base.to_string(),
        }
    }

    /// Reads the value; a command gets `timeout` to print it. The error says
    /// where it looked, never what it found.
    pub fn resolve(&self, timeout: Duration) -> Result<Redacted, String> {
        match self {
            SecretSource::Literal(v) => Ok(v.clone()),
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.trim().is_empty() => Ok(Redacted::new(v.trim())),
                Ok(_) => Err(format!("environment variable {var} is empty")),
                Err(_) => Err(format!("environment variable {var} is not set")),
            },
            SecretSource::Command(cmd) => run_command(cmd, timeout),
            // Held while the source is read: the other clones wait for that answer.
            SecretSource::Once(once) => {
                let mut read = once.read.lock().unwrap_or_else(|p| p.into_inner());
                read.get_or_insert_with(|| once.source.resolve(timeout)).clone()
            }
        }
    }
}

/// Runs a credential command in a process group of its own, so that on a
/// timeout, or when csms exits first, the whole group is killed, not just
/// the shell. stdin is closed and stderr captured: nothing may scribble over
/// the UI.
fn run_command(cmd: &str, timeout: Duration) -> Result<Redacted, String> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(cmd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| format!("cannot run command `{cmd}`: {e}"))?;
    let running = running::Registered::new(child.id());
    // Readers on threads: a child that fills a pipe must not block the wait.
    let (tx, rx) = mpsc::channel();
    let out = tx.clone();
    let stdout = child.stdout.take();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(p) = stdout {
            // One byte past the bound tells a credential from endless output.
            let _ = p.take(OUTPUT_LIMIT as u64 + 1).read_to_end(&mut buf);
        }
        let _ = out.send((0, buf));
    });
    let stderr = child.stderr.take();
    std::thread::spawn(move || {
        let _ = tx.send((1, stderr.map(tail).unwrap_or_default()));
    });
    let deadline = Instant::now() + timeout;
    let timed_out = || {
        format!(
            "command `{cmd}` did not finish within {} s and was stopped (credential_command_timeout)",
            timeout.as_secs()
        )
    };
    // The command is done when its shell exits: whatever it left running in
    // its group (a background child still holding the pipes open) is ended
    // then, so the pipes close and what the command printed is read whole.
    let mut outputs: [Option<Vec<u8>>; 2] = [None, None];
    let mut exited = None;
    while exited.is_none() || outputs.iter().any(Option::is_none) {
        if Instant::now() >= deadline {
            running.kill();
            let _ = child.wait();
            return Err(timed_out());
        }
        if exited.is_none() {
            match child.try_wait() {
                Ok(Some(status)) => {
                    running.kill();
                    exited = Some(status);
                }
                Ok(None) => {}
                Err(e) => return Err(format!("command `{cmd}`: {e}")),
            }
        }
        match rx.recv_timeout(Duration::from_millis(5)) {
            // No credential is that long: what the command prints is not one.
            Ok((0, buf)) if buf.len() > OUTPUT_LIMIT => {
                running.kill();
                let _ = child.wait();
                return Err(format!(
                    "command `{cmd}` printed more than {OUTPUT_LIMIT} bytes, more than any credential, and was stopped"
                ));
            }
            Ok((which, buf)) => outputs[which] = Some(buf),
            Err(_) => {}
        }
    }
    let (Some(status), [Some(stdout), Some(stderr)]) = (exited, outputs) else {
        unreachable!("the loop ends with the status and both outputs")
    };
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let said = stderr.lines().rev().find(|l| !l.trim().is_empty()).map(str::trim);
        return Err(match said {
            Some(line) => format!("command `{cmd}` failed with {status}: {line}"),
            None => format!("command `{cmd}` failed with {status}"),
        });
    }
    let value =
        String::from_utf8(stdout).map_err(|_| format!("command `{cmd}` printed something that is not UTF-8"))?;
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("command `{cmd}` printed nothing"));
    }
    Ok(Redacted::new(value))
}

/// The most of a credential command's output read: a key, a password or a
/// token is far shorter.
const OUTPUT_LIMIT: usize = 64 * 1024;

/// The end of what a command writes on stderr (its last line says why it
/// failed), read to the end so that the command never blocks on a full pipe,
/// holding only the last `OUTPUT_LIMIT` bytes.
fn tail(mut pipe: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > 2 * OUTPUT_LIMIT {
                    kept.drain(..kept.len() - OUTPUT_LIMIT);
                }
            }
        }
    }
}

/// The credential commands running now, so that csms can kill them when it
/// exits before they do.
pub mod running {
    use std::collections::HashSet;
    use std::sync::Mutex;

    static GROUPS: Mutex<Option<HashSet<u32>>> = Mutex::new(None);

    fn groups() -> std::sync::MutexGuard<'static, Option<HashSet<u32>>> {
        GROUPS.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A command's process group, known while it lives.
    pub(super) struct Registered(u32);

    impl Registered {
        pub(super) fn new(pgid: u32) -> Registered {
            groups().get_or_insert_with(HashSet::new).insert(pgid);
            Registered(pgid)
        }

        pub(super) fn kill(&self) {
            kill_group(self.0);
        }
    }

    impl Drop for Registered {
        fn drop(&mut self) {
            if let Some(g) = groups().as_mut() {
                g.remove(&self.0);
            }
        }
    }

    /// Kills every credential command still running, with its group.
    pub fn stop_all() {
        for pgid in groups().iter().flatten() {
            kill_group(*pgid);
        }
    }

    fn kill_group(pgid: u32) {
        #[cfg(unix)]
        // SAFETY: killpg only sends a signal; a group that is gone gives ESRCH, which is fine.
        unsafe {
            libc::killpg(pgid as libc::pid_t, libc::SIGKILL);
        }
        #[cfg(not(unix))]
        let _ = pgid;
    }
}

/// Credentials the official SDK would find: its env vars, then
/// `~/.huaweicloud/credentials` (section `[basic]`).
#[derive(Debug, Clone, Default)]
pub struct SdkDefaults {
    pub access_key: Option<String>,
    pub secret_key: Option<Redacted>,
    pub project_id: Option<String>,
    pub security_token: Option<Redacted>,
    pub iam_endpoint: Option<String>,
    pub origin: String,
    /// The credentials file, when it is there but was not read: its path and why.
    pub unread: Option<String>,
}

impl SdkDefaults {
    pub fn load() -> SdkDefaults {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let (Some(ak), Some(sk)) = (env("HUAWEICLOUD_SDK_AK"), env("HUAWEICLOUD_SDK_SK")) {
            return SdkDefaults {
                access_key: Some(ak),
                secret_key: Some(Redacted::new(sk)),
                project_id: env("HUAWEICLOUD_SDK_PROJECT_ID"),
                security_token: env("HUAWEICLOUD_SDK_SECURITY_TOKEN").map(Redacted::new),
                iam_endpoint: env("HUAWEICLOUD_SDK_IAM_ENDPOINT"),
                origin: "HUAWEICLOUD_SDK_* environment variables".into(),
                unread: None,
            };
        }
        let path = env("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
            .map(std::path::PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".huaweicloud/credentials")));
        let Some(path) = path else { return SdkDefaults::default() };
        let text = match crate::bounded::read_file_string(&path, crate::bounded::FILE_LIMIT) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return SdkDefaults::default(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "the SDK's credentials file is not used");
                return SdkDefaults { unread: Some(format!("{}: {e}", path.display())), ..SdkDefaults::default() };
            }
        };
        let basic = ini_section(&text, "basic");
        let get = |k: &str| basic.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        SdkDefaults {
            access_key: get("ak"),
            secret_key: get("sk").map(Redacted::new),
            project_id: get("project_id"),
            security_token: get("security_token").map(Redacted::new),
            iam_endpoint: get("iam_endpoint"),
            origin: path.display().to_string(),
            unread: None,
        }
    }
}

/// The `key = value` pairs of one `[section]` of an INI file.
fn ini_section(text: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == section;
        } else if inside && let Some((k, v)) = line.split_once('=') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_basic_section() {
        let text = "[other]\nak = X\n[basic]\n# comment\nak = AK1\nsk= SK1 \nproject_id=p\n";
        let s = ini_section(text, "basic");
        assert_eq!(
            s,
            vec![("ak".into(), "AK1".into()), ("sk".into(), "SK1".into()), ("project_id".into(), "p".into())]
        );
    }

    const T: Duration = Duration::from_secs(10);

    #[test]
    fn command_source() {
        assert_eq!(SecretSource::Command("echo ' tok '".into()).resolve(T).unwrap().expose(), "tok");
        let err = SecretSource::Command("echo 'no such entry' >&2; exit 3".into()).resolve(T).unwrap_err();
        assert!(err.contains("exit status: 3") && err.ends_with(": no such entry"), "{err}");
        assert!(SecretSource::Env("CSMS_TEST_SURELY_UNSET_VAR".into()).resolve(T).is_err());
    }

    /// A command that never ends is stopped at its timeout, with everything it started.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_hung_command_is_killed_with_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let cmd = format!("sleep 1000 & echo $! > {}; wait", pidfile.display());
        let started = Instant::now();
        let err = SecretSource::Command(cmd).resolve(Duration::from_millis(500)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(err.contains("did not finish within") && err.contains("credential_command_timeout"), "{err}");
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        // The grandchild is gone too: no such process, or a zombie waiting for its reaper.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive() {
            assert!(Instant::now() < deadline, "sleep {pid} survived its group's kill");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(SecretSource::Command("echo k".into()).key("secret_key"), "secret_key_command");
    }

    /// A command that has printed its answer and exited is done, even when
    /// it left a process running that still holds its output open: that
    /// process goes with the command's group, and the answer is taken.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_command_is_done_when_it_exits_whatever_it_left_running() {
        let started = Instant::now();
        let value = SecretSource::Command("sleep 100 & echo SK".into()).resolve(Duration::from_secs(10)).unwrap();
        assert_eq!(value.expose(), "SK");
        assert!(started.elapsed() < Duration::from_secs(5), "waited for the background child: {:?}", started.elapsed());
    }
}
