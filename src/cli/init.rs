//! `csms config init`: a profile written from a few answers, checked live first.
//! Secrets never go into the file: they come from an environment variable,
//! a command, or the official SDK's own settings.

// `write!` into a String, which cannot fail.
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::{exit, usage};
use crate::config::{Config, SdkDefaults, regions};

/// The longest answer read: a region, a name, an endpoint or a command fits
/// many times over.
const ANSWER_LIMIT: usize = 4096;

/// Asks on stderr, reads a line from stdin; blank takes the default.
fn ask(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    question: &str,
    default: &str,
) -> Result<String, i32> {
    if default.is_empty() {
        eprint!("{question}: ");
    } else {
        eprint!("{question} [{default}]: ");
    }
    let _ = std::io::stderr().flush();
    let answer = match lines.next() {
        Some(Ok(line)) => line.trim().to_string(),
        Some(Err(e)) => return Err(usage(format!("{e}: nothing was written"))),
        None => return Err(usage("no answer on standard input: nothing was written")),
    };
    Ok(if answer.is_empty() { default.to_string() } else { answer })
}

/// How many times a credential's source is asked before init gives up.
const SOURCE_TRIES: usize = 3;

/// Asks where a credential comes from until the answer is usable (a few
/// tries): a secret pasted by mistake is refused without being repeated,
/// and the question comes again.
fn ask_source(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    base: &str,
    question: &str,
    default: &str,
) -> Result<String, i32> {
    for _ in 1..SOURCE_TRIES {
        match source_lines(base, &ask(lines, question, default)?) {
            Ok(lines) => return Ok(lines),
            Err(why) => eprintln!("{why}: try again"),
        }
    }
    source_lines(base, &ask(lines, question, default)?).map_err(|why| usage(format!("{why}: nothing was written")))
}

/// `env NAME` or `command CMD` (a bare word is a variable name) to the config key's lines.
/// The answer is never repeated in an error: it may be the secret itself, pasted.
fn source_lines(base: &str, answer: &str) -> Result<String, String> {
    let quoted = |v: &str| toml::Value::String(v.to_string()).to_string();
    let env = |var: &str| match is_variable_name(var) {
        true => Ok(format!("{base}_env = {}\n", quoted(var))),
        false => Err(format!(
            "{base}: that is not an environment variable's name (one set here, or of A-Z, 0-9 and _, \
             not first a digit)"
        )),
    };
    match answer.split_once(' ') {
        Some(("command", cmd)) => Ok(format!("{base}_command = {}\n", quoted(cmd.trim()))),
        Some(("env", var)) => env(var.trim()),
        None if !answer.is_empty() => env(answer),
        _ => Err(format!("{base}: answer `env VARIABLE` or `command COMMAND`")),
    }
}

/// A variable set in this environment, or a name of the usual form
/// (`[A-Z_][A-Z0-9_]*`, as `HUAWEICLOUD_SDK_SK`). A secret key is mixed
/// case letters and digits: a shell would take it for a name, this does not.
fn is_variable_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let word = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let usual = !name.bytes().any(|b| b.is_ascii_lowercase());
    word && (usual || std::env::var_os(name).is_some())
}

pub(super) async fn init(config: Option<&Path>) -> i32 {
    let Some((path, _)) = crate::config::locate(config) else {
        return usage("no config directory on this platform: pass --config PATH");
    };
    let stdin = std::io::stdin();
    let mut lines = crate::bounded::lines(stdin.lock(), "standard input", ANSWER_LIMIT, usize::MAX);
    match write_profile(&path, &mut lines).await {
        Ok(()) => exit::OK,
        Err(status) => status,
    }
}

async fn write_profile(path: &Path, lines: &mut impl Iterator<Item = std::io::Result<String>>) -> Result<(), i32> {
    // A file that is there but cannot be read is not empty: appending to it would break it.
    let existing = match crate::bounded::read_file_string(path, crate::bounded::FILE_LIMIT) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            let why = format!("{}: cannot read it ({e}): nothing was written; fix or move it first", path.display());
            return Err(usage(why));
        }
    };
    let name = ask(lines, "profile name", "default")?;
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(usage(format!("'{name}': a profile name is letters, digits, - and _")));
    }
    if existing.contains(&format!("[profiles.{name}]")) {
        return Err(usage(format!("{} already has a profile '{name}': nothing was written", path.display())));
    }
    let region = ask(lines, "region", "cn-north-4")?;
    let endpoint = ask(lines, "endpoint (blank: the region's)", "")?;
    if endpoint.is_empty() && regions::endpoints(&region).and_then(|r| r.csms.as_ref()).is_none() {
        return Err(usage(format!("'{region}' is not a region with CSMS: one of {}", regions::known().join(", "))));
    }
    let quoted = |v: &str| toml::Value::String(v.to_string()).to_string();
    let mut block = format!("\n[profiles.{name}]\nregion = {}\n", quoted(&region));
    if !endpoint.is_empty() {
        let _ = write!(block, "endpoint = {}\niam_endpoint = {}\n", quoted(&endpoint), quoted(&endpoint));
        // Said, not asked: one more question would not help most, and the file is easy to edit.
        esayln!(
            "note: iam_endpoint is {endpoint} too: a custom endpoint (a proxy, a private cloud, `csms serve`) \
             usually answers IAM as well; change iam_endpoint in {} if yours does not",
            path.display()
        );
    }
    let sdk = SdkDefaults::load();
    let use_sdk = sdk.access_key.is_some()
        && sdk.secret_key.is_some()
        && ask(lines, &format!("use the official SDK's credentials ({})? y/n", sdk.origin), "y")?.starts_with('y');
    if !use_sdk {
        let auth = ask(lines, "auth: aksk, password or token", "aksk")?;
        let var = format!("CSMS_{}", name.to_uppercase().replace('-', "_"));
        match auth.as_str() {
            "aksk" => {
                let ak = ask(lines, "access key", "")?;
                let question = "secret key from `env VARIABLE` or `command COMMAND`";
                let sk = ask_source(lines, "secret_key", question, &format!("env {var}_SK"))?;
                let _ = write!(block, "auth = \"aksk\"\naccess_key = {}\n{sk}", quoted(&ak));
            }
            "password" => {
                let domain = ask(lines, "account (domain) name", "")?;
                let user = ask(lines, "IAM user", "")?;
                let question = "password from `env VARIABLE` or `command COMMAND`";
                let pw = ask_source(lines, "password", question, &format!("env {var}_PASSWORD"))?;
                let _ =
                    write!(block, "auth = \"password\"\ndomain = {}\nuser = {}\n{pw}", quoted(&domain), quoted(&user));
            }
            "token" => {
                let question = "token from `env VARIABLE` or `command COMMAND`";
                let token = ask_source(lines, "token", question, &format!("env {var}_TOKEN"))?;
                let _ = write!(block, "auth = \"token\"\n{token}");
            }
            other => return Err(usage(format!("'{other}' is not aksk, password or token"))),
        }
    }
    let project_default = sdk.project_id.clone().unwrap_or_default();
    let project = ask(lines, "project id (empty: IAM gives the region's)", &project_default)?;
    if !project.is_empty() {
        let _ = writeln!(block, "project_id = {}", quoted(&project));
    }

    // The whole file as it would be, parsed and checked before anything is written.
    let head =
        if existing.trim().is_empty() { format!("default_profile = {}\n", quoted(&name)) } else { String::new() };
    let text = format!("{existing}{head}{block}");
    let parsed = Config::parse(path, &text, &sdk).map_err(|e| usage(format!("{e}: nothing was written")))?;
    let profile = parsed.profiles.get(&name).expect("just parsed");
    eprint!("checking profile {name}… ");
    let check = match crate::workspace::Workspace::client_for(profile) {
        Ok(client) => client.check().await.map(|_| ()),
        Err(e) => Err(e),
    };
    match &check {
        Ok(()) => eprintln!("it works"),
        Err(e) => {
            // The server's message is its own text: shown escaped, as `list` shows it.
            esayln!("it does not work yet: {e}");
            if !ask(lines, "write it anyway? y/n", "n")?.starts_with('y') {
                return Err(exit::FAILED);
            }
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| usage(format!("{}: {e}", dir.display())))?;
    }
    let mut file = crate::private_file::open_append(path).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    file.write_all(format!("{head}{block}").as_bytes()).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    eprintln!("profile {name} written to {} (mode 0600)", path.display());
    Ok(())
}
