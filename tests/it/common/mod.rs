//! Test harness: a real `csms serve` process on loopback, and clients and
//! CLI runs pointed at it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use csms_tui::csms::{Client, ClientOptions, Credentials, ProjectRef, Redacted, RetryPolicy};

pub const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
pub const OTHER_PROJECT: &str = "ffeeddccbbaa99887766554433221100";
pub const AK: &str = "HPUAEXAMPLEAK0000001";
pub const SK: &str = "ExampleSecretKey0123456789abcdefGHIJKLMN";
pub const TEMP_AK: &str = "HPUATEMPORARYAK00002";
pub const TEMP_SK: &str = "TemporarySecretKey0123456789abcdefGHIJKL";
pub const TEMP_TOKEN: &str = "EXAMPLE-SECURITY-TOKEN/abc+def==";
pub const OTHER_AK: &str = "HPUAOTHERPROJECTAK03";
pub const OTHER_SK: &str = "OtherSecretKey0123456789abcdefGHIJKLMNOP";
pub const DOMAIN: &str = "acme";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery staple";
pub const ADMIN_TOKEN: &str = "test-admin-token";

pub fn accounts_toml() -> String {
    format!(
        r#"
[[projects]]
id = "{PROJECT}"
region = "cn-north-4"

[[projects]]
id = "{OTHER_PROJECT}"
region = "ap-southeast-1"

[[credentials]]
access_key = "{AK}"
secret_key = "{SK}"
projects = ["{PROJECT}"]

[[credentials]]
access_key = "{TEMP_AK}"
secret_key = "{TEMP_SK}"
security_token = "{TEMP_TOKEN}"
projects = ["{PROJECT}"]

[[credentials]]
access_key = "{OTHER_AK}"
secret_key = "{OTHER_SK}"
projects = ["{OTHER_PROJECT}"]

[[users]]
domain = "{DOMAIN}"
name = "{USER}"
password = "{PASSWORD}"
projects = ["{PROJECT}"]
"#
    )
}

pub struct Server {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// A server with an in-memory database.
    pub fn start() -> Server {
        Server::start_with(&["--in-memory"], tempfile::tempdir().unwrap())
    }

    /// A server with an in-memory database and more `csms serve` flags.
    pub fn start_with_flags(flags: &[&str]) -> Server {
        Server::start_with(&[&["--in-memory"], flags].concat(), tempfile::tempdir().unwrap())
    }

    /// A server on a database file inside `dir`.
    pub fn start_on_disk(dir: tempfile::TempDir) -> Server {
        let db = dir.path().join("emulator.db").display().to_string();
        Server::start_with(&["--db", &db], dir)
    }

    /// A server with an in-memory database and these accounts.
    pub fn start_with_accounts(accounts: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("accounts.toml"), accounts).unwrap();
        Server::start_with(&["--in-memory"], dir)
    }

    fn start_with(extra: &[&str], dir: tempfile::TempDir) -> Server {
        let accounts = dir.path().join("accounts.toml");
        if !accounts.exists() {
            std::fs::write(&accounts, accounts_toml()).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_csms"))
            .args(["serve", "--listen", "127.0.0.1:0", "--admin-token", ADMIN_TOKEN, "--accounts"])
            .arg(&accounts)
            .args(extra)
            .env("CSMS_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("csms serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_string();
            }
        };
        Server { child, url, dir }
    }

    /// Waits for the server process to end by itself.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "csms serve did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill_hard(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();

        std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap())
    }

    /// Calls the admin API.
    pub async fn admin(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}/_emulator/{path}", self.url))
            .header("X-Emulator-Admin-Token", ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn advance_clock(&self, seconds: i64) {
        let r = self.admin("clock", serde_json::json!({ "advance_seconds": seconds })).await;
        assert_eq!(r.status(), 200);
    }

    pub async fn faults(&self, spec: serde_json::Value) {
        let r = self.admin("faults", spec).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    pub fn options(&self, credentials: Credentials) -> ClientOptions {
        Server::options_for(&self.url, credentials)
    }

    /// Client options for any endpoint, with quick retries.
    pub fn options_for(url: &str, credentials: Credentials) -> ClientOptions {
        ClientOptions {
            profile: "test".into(),
            endpoint: url.to_string(),
            iam_endpoint: url.to_string(),
            project: ProjectRef::Id(PROJECT.into()),
            credentials,
            read_only: false,
            insecure_skip_tls_verify: false,
            ca_file: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            retry: RetryPolicy { max_attempts: 4, base: Duration::from_millis(20), cap: Duration::from_millis(500) },
        }
    }

    pub fn aksk(&self) -> Client {
        Client::new(self.options(aksk_credentials())).unwrap()
    }

    pub fn password(&self) -> Client {
        Client::new(self.options(password_credentials())).unwrap()
    }

    /// A config file for the CLI with one profile per auth mode.
    pub fn write_config(&self, extra: &str) -> PathBuf {
        let path = self.dir.path().join("config.toml");
        let text = format!(
            r#"default_profile = "aksk"

[profiles.aksk]
region = "cn-north-4"
project_id = "{PROJECT}"
endpoint = "{url}"
auth = "aksk"
access_key = "{AK}"
secret_key_env = "TEST_CSMS_SK"

[profiles.temp]
region = "cn-north-4"
project_id = "{PROJECT}"
endpoint = "{url}"
access_key = "{TEMP_AK}"
secret_key_command = "printf %s {TEMP_SK}"
security_token_env = "TEST_CSMS_SECURITY_TOKEN"

[profiles.password]
region = "cn-north-4"
project_id = "{PROJECT}"
endpoint = "{url}"
iam_endpoint = "{url}"
auth = "password"
domain = "{DOMAIN}"
user = "{USER}"
password_env = "TEST_CSMS_PASSWORD"

[profiles.token]
region = "cn-north-4"
project_id = "{PROJECT}"
endpoint = "{url}"
auth = "token"
token_env = "TEST_CSMS_TOKEN"

[profiles.readonly]
region = "cn-north-4"
project_id = "{PROJECT}"
endpoint = "{url}"
access_key = "{AK}"
secret_key_env = "TEST_CSMS_SK"
read_only = true

[profiles.other]
region = "ap-southeast-1"
project_id = "{OTHER_PROJECT}"
endpoint = "{url}"
access_key = "{OTHER_AK}"
secret_key_command = "printf %s {OTHER_SK}"
{extra}"#,
            url = self.url
        );
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn aksk_credentials() -> Credentials {
    Credentials::AkSk { access_key: AK.into(), secret_key: Redacted::new(SK), security_token: None }
}

pub fn password_credentials() -> Credentials {
    Credentials::Password { domain: DOMAIN.into(), user: USER.into(), password: Redacted::new(PASSWORD) }
}

/// Fetches a token from the emulator's IAM endpoint, as a user would.
pub async fn issue_token(url: &str) -> String {
    let body = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": DOMAIN}, "name": USER, "password": PASSWORD}}},
        "scope": {"project": {"id": PROJECT}}}});
    let r = reqwest::Client::new().post(format!("{url}/v3/auth/tokens")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    r.headers()["X-Subject-Token"].to_str().unwrap().to_string()
}

pub struct CliRun {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The state dir (log, journal) of CLI runs with this config: beside it, never the user's.
pub fn state_dir(config: &Path) -> PathBuf {
    config.parent().unwrap().join("state")
}

/// The journal CLI runs with this config write.
pub fn journal_path(config: &Path) -> PathBuf {
    state_dir(config).join("csms-tui/journal.jsonl")
}

/// Runs the real binary with a config and the env the test config names.
pub fn csms(config: &Path, token: &str, args: &[&str]) -> CliRun {
    csms_with_input(config, token, args, None)
}

/// The binary on `config` with the test credentials in its environment, its
/// state dir beside the config, stdout and stderr piped: for tests that
/// drive a running process.
pub fn csms_command(config: &Path, token: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_csms"));
    cmd.arg("--config")
        .arg(config)
        .args(args)
        .env("TEST_CSMS_SK", SK)
        .env("TEST_CSMS_SECURITY_TOKEN", TEMP_TOKEN)
        .env("TEST_CSMS_PASSWORD", PASSWORD)
        .env("TEST_CSMS_TOKEN", token)
        .env("CSMS_LOG", "off")
        .env("XDG_STATE_HOME", state_dir(config))
        .env_remove("CSMS_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// As `csms`, with `input` on standard input.
pub fn csms_with_input(config: &Path, token: &str, args: &[&str], input: Option<&[u8]>) -> CliRun {
    use std::io::Write;
    let mut child = csms_command(config, token, args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .spawn()
        .expect("csms runs");
    if let Some(bytes) = input {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().expect("csms runs");
    CliRun {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn create_request(name: &str) -> csms_tui::csms::model::CreateSecretRequest {
    csms_tui::csms::model::CreateSecretRequest {
        name: name.into(),
        secret_string: Some(format!("value-of-{name}")),
        description: Some(format!("description of {name}")),
        ..Default::default()
    }
}

/// Creates `n` secrets named `{prefix}-0000`.. and schedules every one for deletion if asked.
pub async fn populate(client: &Client, prefix: &str, n: usize, pending: bool) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("{prefix}-{i:04}")).collect();
    let jobs = names.iter().map(|name| async move {
        client.create_secret(&create_request(name)).await.unwrap();
        if pending {
            client.schedule_deletion(name, 7).await.unwrap();
        }
    });
    futures::future::join_all(jobs).await;
    names
}

/// A proxy on 127.0.0.1 to `upstream` that passes every request on and
/// every answer back, except the answer to a request whose path ends in
/// `hang_on`: that request reaches the server, and its answer never comes
/// back (the connection stays open until `hold` has passed).
pub fn forward_then_hang(upstream: &str, hang_on: &'static str, hold: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else { return };
                    let (mut client_rx, mut client_tx) = client.into_split();
                    let (mut server_rx, mut server_tx) = server.into_split();
                    let hung = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                    let seen = hung.clone();
                    let marker = format!("{hang_on} HTTP/1.1");
                    tokio::spawn(async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        while let Ok(n @ 1..) = client_rx.read(&mut buf).await {
                            if String::from_utf8_lossy(&buf[..n]).contains(&marker) {
                                seen.store(true, std::sync::atomic::Ordering::SeqCst);
                            }
                            if server_tx.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    });
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n @ 1..) = server_rx.read(&mut buf).await {
                        if hung.load(std::sync::atomic::Ordering::SeqCst) {
                            tokio::time::sleep(hold).await;
                            return;
                        }
                        if client_tx.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    format!("http://{addr}")
}
