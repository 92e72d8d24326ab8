//! Where a secret value comes from: the config file itself, an environment
//! variable, or the output of a command.

use std::process::Command;

use crate::csms::Redacted;

#[derive(Debug, Clone)]
pub enum SecretSource {
    Literal(Redacted),
    Env(String),
    Command(String),
}

impl SecretSource {
    /// Reads the value. The error says where it looked, never what it found.
    pub fn resolve(&self) -> Result<Redacted, String> {
        match self {
            SecretSource::Literal(v) => Ok(v.clone()),
            SecretSource::Env(var) => match std::env::var(var) {
                Ok(v) if !v.trim().is_empty() => Ok(Redacted::new(v.trim())),
                Ok(_) => Err(format!("environment variable {var} is empty")),
                Err(_) => Err(format!("environment variable {var} is not set")),
            },
            SecretSource::Command(cmd) => {
                // stderr is captured, never let through: it would scribble over the UI.
                let out = Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .map_err(|e| format!("cannot run command `{cmd}`: {e}"))?;
                if !out.status.success() {
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let said = stderr.lines().rev().find(|l| !l.trim().is_empty()).map(str::trim);
                    return Err(match said {
                        Some(line) => format!("command `{cmd}` failed with {}: {line}", out.status),
                        None => format!("command `{cmd}` failed with {}", out.status),
                    });
                }
                let value = String::from_utf8(out.stdout)
                    .map_err(|_| format!("command `{cmd}` printed something that is not UTF-8"))?;
                let value = value.trim();
                if value.is_empty() {
                    return Err(format!("command `{cmd}` printed nothing"));
                }
                Ok(Redacted::new(value))
            }
        }
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
            };
        }
        let path = env("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
            .map(std::path::PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".huaweicloud/credentials")));
        let Some(path) = path else { return SdkDefaults::default() };
        let Ok(text) = std::fs::read_to_string(&path) else { return SdkDefaults::default() };
        let basic = ini_section(&text, "basic");
        let get = |k: &str| basic.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        SdkDefaults {
            access_key: get("ak"),
            secret_key: get("sk").map(Redacted::new),
            project_id: get("project_id"),
            security_token: get("security_token").map(Redacted::new),
            iam_endpoint: get("iam_endpoint"),
            origin: path.display().to_string(),
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

    #[test]
    fn command_source() {
        assert_eq!(SecretSource::Command("echo ' tok '".into()).resolve().unwrap().expose(), "tok");
        let err = SecretSource::Command("echo 'no such entry' >&2; exit 3".into()).resolve().unwrap_err();
        assert!(err.contains("exit status: 3") && err.ends_with(": no such entry"), "{err}");
        assert!(SecretSource::Env("CSMS_TEST_SURELY_UNSET_VAR".into()).resolve().is_err());
    }
}
