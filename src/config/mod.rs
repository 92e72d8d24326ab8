//! The config file: profiles (project, region, endpoint, credentials), with
//! errors that name the file, the line and the key.

pub mod regions;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::csms::{ClientOptions, Credentials, ProjectRef, Redacted, RetryPolicy};
pub use source::{SdkDefaults, SecretSource};

pub const DEFAULT_REFRESH_SECS: u64 = 60;

/// A config problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": {key}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    Token,
    Password,
    AkSk,
}

#[derive(Debug, Clone)]
pub enum AuthConfig {
    Token(SecretSource),
    Password {
        domain: String,
        user: String,
        password: SecretSource,
    },
    /// `access_key: None` falls back to the official SDK's env vars and file.
    AkSk {
        access_key: Option<String>,
        secret_key: Option<SecretSource>,
        security_token: Option<SecretSource>,
    },
}

impl AuthConfig {
    /// The same credentials, each source read at most once by all the clones
    /// (the targets of one profile) together, when the first needs it.
    pub fn read_once(&self) -> AuthConfig {
        let once = |s: &SecretSource| s.clone().once();
        match self {
            AuthConfig::Token(s) => AuthConfig::Token(once(s)),
            AuthConfig::Password { domain, user, password } => {
                AuthConfig::Password { domain: domain.clone(), user: user.clone(), password: once(password) }
            }
            AuthConfig::AkSk { access_key, secret_key, security_token } => AuthConfig::AkSk {
                access_key: access_key.clone(),
                secret_key: secret_key.as_ref().map(once),
                security_token: security_token.as_ref().map(once),
            },
        }
    }
}

/// What a profile with `regions` asks IAM for: every project its
/// credentials reach in those regions, each becoming a target of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// `None`: every region (`regions = ["*"]`).
    pub regions: Option<Vec<String>>,
    /// Project names to keep; empty keeps every one found.
    pub projects: Vec<String>,
    /// `endpoint` and `iam_endpoint` as written: `{region}` is each
    /// target's region; without it, they apply to every region.
    pub endpoint: Option<String>,
    pub iam_endpoint: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile's name; a discovered target's is `PROFILE/PROJECT-NAME`.
    pub name: String,
    /// For a profile with `regions`: its first region (or `*`).
    pub region: String,
    /// `None` falls back to the SDK's project id (env or credentials file).
    pub project_id: Option<String>,
    pub endpoint: String,
    pub iam_endpoint: String,
    pub auth: AuthConfig,
    pub read_only: bool,
    pub insecure_skip_tls_verify: bool,
    /// PEM certificates to trust besides the usual roots (private clouds, proxies).
    pub ca_file: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_attempts: u32,
    /// How long a `*_command` may take to print its secret.
    pub credential_command_timeout: Duration,
    /// Secrets asked for per page (the service's most: 1000).
    pub page_size: u32,
    /// Set for a profile with `regions`, until its targets replace it.
    pub discovery: Option<Discovery>,
    /// For a discovered target: the profile it was found under.
    pub found_under: Option<String>,
    /// Why a profile with `regions` has no targets (IAM refused, unreachable):
    /// every use of it fails with this.
    pub unusable: Option<crate::csms::Error>,
}

/// The most secrets the service gives per page, and what is asked by default.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Default of `credential_command_timeout`, in seconds.
pub const DEFAULT_CREDENTIAL_COMMAND_SECS: u64 = 30;

#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from; `None` for the built-in demo.
    pub path: Option<PathBuf>,
    pub default_profile: Option<String>,
    pub refresh_interval: Duration,
    /// How long a value copied in the UI stays on the clipboard (zero: until replaced).
    pub clipboard_clear: Duration,
    /// The UI takes mouse events (wheel, click, double-click); off leaves
    /// the terminal's own selection alone.
    pub mouse: bool,
    pub profiles: BTreeMap<String, Profile>,
}

pub const DEFAULT_CLIPBOARD_CLEAR_SECS: u64 = 30;

// ---- the file as written ---------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    default_profile: Option<Spanned<String>>,
    refresh_interval: Option<Spanned<u64>>,
    clipboard_clear_seconds: Option<Spanned<u64>>,
    mouse: Option<bool>,
    #[serde(default)]
    profiles: BTreeMap<String, Spanned<RawProfile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    region: Option<Spanned<String>>,
    regions: Option<Spanned<Vec<String>>>,
    projects: Option<Spanned<Vec<String>>>,
    project_id: Option<Spanned<String>>,
    endpoint: Option<Spanned<String>>,
    iam_endpoint: Option<Spanned<String>>,
    auth: Option<Spanned<String>>,
    token: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_command: Option<Spanned<String>>,
    domain: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    password_command: Option<Spanned<String>>,
    access_key: Option<Spanned<String>>,
    secret_key: Option<Spanned<String>>,
    secret_key_env: Option<Spanned<String>>,
    secret_key_command: Option<Spanned<String>>,
    security_token_env: Option<Spanned<String>>,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    insecure_skip_tls_verify: bool,
    ca_file: Option<Spanned<String>>,
    connect_timeout: Option<Spanned<u64>>,
    request_timeout: Option<Spanned<u64>>,
    max_attempts: Option<Spanned<u32>>,
    credential_command_timeout: Option<Spanned<u64>>,
    page_size: Option<Spanned<u32>>,
}

/// Builds errors located in one file.
struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Locator<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
    }

    fn at<T>(&self, spanned: &Spanned<T>, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.to_path_buf(),
            line: Some(self.line_of(spanned.span().start)),
            key: Some(key.to_string()),
            message: message.into(),
        }
    }

    /// The name of the `[table]` that encloses an offset, for context.
    fn table_at(&self, offset: usize) -> Option<String> {
        self.text[..offset.min(self.text.len())]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
    }

    fn toml_error(&self, e: &toml::de::Error) -> ConfigError {
        let message = e.message().trim().to_string();
        let Some(span) = e.span() else {
            return ConfigError { path: self.path.to_path_buf(), line: None, key: None, message };
        };
        let line = self.line_of(span.start);
        let text = self.text.lines().nth(line - 1).unwrap_or("").trim();
        let header =
            text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).map(|t| t.trim_matches(['[', ']']).trim());
        let join = |table: Option<String>, key: &str| match table {
            Some(t) if !t.is_empty() => format!("{t}.{key}"),
            _ => key.to_string(),
        };
        let key = match header {
            // A missing field points at its table's header; serde names the field.
            Some(table) => message.split('`').nth(1).map(|field| join(Some(table.to_string()), field)),
            // Otherwise the error is on a `key = value` line of the enclosing table.
            None => text
                .split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"'))
                .filter(|k| !k.is_empty())
                .map(|k| join(self.table_at(span.start), k)),
        };
        ConfigError { path: self.path.to_path_buf(), line: Some(line), key, message }
    }
}

/// Where the config file is: the one named (`--config`, or `CSMS_CONFIG`
/// through clap), else the platform config dir. The flag says whether the
/// user named it.
pub fn locate(named: Option<&Path>) -> Option<(PathBuf, bool)> {
    match named {
        Some(p) => Some((p.to_path_buf(), true)),
        None => default_path().map(|p| (p, false)),
    }
}

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "csms-tui").map(|d| d.config_dir().join("config.toml"))
}

/// Where a configuration would go, with the home directory as `~`.
pub fn default_path_display() -> String {
    let Some(path) = default_path() else { return "config.toml".into() };
    home_relative(&path)
}

/// The demo's word on real profiles: how to open the ones configured at
/// `path` (a file with a `[profiles.NAME]`), else where a configuration goes.
pub fn demo_hint(path: Option<&Path>) -> String {
    let configured = path.and_then(|p| std::fs::read_to_string(p).ok()).is_some_and(|text| {
        toml::from_str::<toml::Table>(&text)
            .is_ok_and(|t| t.get("profiles").and_then(toml::Value::as_table).is_some_and(|p| !p.is_empty()))
    });
    match path {
        Some(p) if configured => {
            format!("your profiles in {} open with csms (without --demo); p picks one", home_relative(p))
        }
        _ => format!("configure a real account in {}", default_path_display()),
    }
}

/// `path` with the home directory as `~`.
fn home_relative(path: &Path) -> String {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    match home.as_deref().and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::bounded::read_file_string(path, crate::bounded::FILE_LIMIT).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: None,
            key: None,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(path, &text, &SdkDefaults::load())
    }

    /// Parses and validates. `sdk` supplies the official SDK's fallbacks.
    pub fn parse(path: &Path, text: &str, sdk: &SdkDefaults) -> Result<Config, ConfigError> {
        let loc = Locator { path, text };
        let raw: RawConfig = toml::from_str(text).map_err(|e| loc.toml_error(&e))?;
        let mut profiles = BTreeMap::new();
        let mut literal_secrets = Vec::new();
        for (name, raw_profile) in &raw.profiles {
            if name.contains('/') {
                return Err(loc.at(
                    raw_profile,
                    &format!("profiles.{name}"),
                    "a profile name cannot hold '/': it separates a profile from its projects",
                ));
            }
            let profile = build_profile(&loc, name, raw_profile, sdk, &mut literal_secrets)?;
            profiles.insert(name.clone(), profile);
        }
        if let Some(d) = &raw.default_profile
            && !profiles.contains_key(d.get_ref())
        {
            return Err(loc.at(d, "default_profile", format!("no profile named '{}'", d.get_ref())));
        }
        let refresh_interval = match &raw.refresh_interval {
            Some(r) if *r.get_ref() < 5 => {
                return Err(loc.at(r, "refresh_interval", "must be at least 5 seconds"));
            }
            Some(r) => Duration::from_secs(*r.get_ref()),
            None => Duration::from_secs(DEFAULT_REFRESH_SECS),
        };
        let clipboard_clear = match &raw.clipboard_clear_seconds {
            Some(c) if *c.get_ref() > 86_400 => {
                return Err(loc.at(c, "clipboard_clear_seconds", "must be 0 (never) to 86400 seconds"));
            }
            Some(c) => Duration::from_secs(*c.get_ref()),
            None => Duration::from_secs(DEFAULT_CLIPBOARD_CLEAR_SECS),
        };
        if let Some((key, line)) = literal_secrets.first() {
            check_private(path, key, *line)?;
        }
        Ok(Config {
            path: Some(path.to_path_buf()),
            default_profile: raw.default_profile.map(|d| d.into_inner()),
            refresh_interval,
            clipboard_clear,
            mouse: raw.mouse.unwrap_or(true),
            profiles,
        })
    }

    /// The profile to use: the one named, else `default_profile`, else the only one.
    pub fn profile(&self, name: Option<&str>) -> Result<&Profile, String> {
        let known = || self.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
        match name.or(self.default_profile.as_deref()) {
            Some(n) => match self.group(n).as_slice() {
                [one] => Ok(one),
                [] => Err(format!("no profile named '{n}' (known: {})", known())),
                several => Err(format!(
                    "profile '{n}' has {} projects: name one ({})",
                    several.len(),
                    several.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
                )),
            },
            None if self.profiles.len() == 1 => Ok(self.profiles.values().next().expect("one profile")),
            None if self.profiles.is_empty() => Err(format!(
                "{} defines no profiles",
                self.path.as_deref().map_or("the configuration".into(), |p| p.display().to_string())
            )),
            None => Err(format!("several profiles and no default_profile: pick one with --profile ({})", known())),
        }
    }
}

impl Config {
    /// The profiles a name stands for: the profile (or target) of that name,
    /// or every target found under a profile with `regions`.
    pub fn group(&self, name: &str) -> Vec<&Profile> {
        match self.profiles.get(name) {
            Some(p) => vec![p],
            None => self.profiles.values().filter(|p| p.found_under.as_deref() == Some(name)).collect(),
        }
    }

    /// Whether `name` is a profile with `regions` whose targets took its place.
    pub fn is_group(&self, name: &str) -> bool {
        !self.profiles.contains_key(name) && !self.group(name).is_empty()
    }
}

fn build_profile(
    loc: &Locator<'_>,
    name: &str,
    spanned: &Spanned<RawProfile>,
    sdk: &SdkDefaults,
    literal_secrets: &mut Vec<(String, usize)>,
) -> Result<Profile, ConfigError> {
    let raw = spanned.get_ref();
    let key = |k: &str| format!("profiles.{name}.{k}");
    // `endpoint` and `iam_endpoint` may hold `{region}`: checked as URLs with a region in it.
    let template = |v: &Option<Spanned<String>>, k: &str| -> Result<Option<String>, ConfigError> {
        let Some(s) = v else { return Ok(None) };
        let text = s.get_ref().trim().trim_end_matches('/').to_string();
        let filled = regions::fill(&text, "cn-north-4").map_err(|why| loc.at(s, &key(k), why))?;
        match reqwest::Url::parse(&filled) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(Some(text)),
            _ => Err(loc.at(s, &key(k), format!("'{}' is not an http(s) URL", s.get_ref()))),
        }
    };
    let endpoint_template = template(&raw.endpoint, "endpoint")?;
    let iam_template = template(&raw.iam_endpoint, "iam_endpoint")?.or_else(|| sdk.iam_endpoint.clone());
    // A region the SDKs do not know would fail later as a DNS error: say it
    // now, unless the profile names its endpoint (private clouds, csms serve).
    let unknown = |region: &str, at: &dyn Fn(String) -> ConfigError| -> Result<(), ConfigError> {
        if regions::csms(region).is_some() || endpoint_template.is_some() {
            return Ok(());
        }
        let why = if regions::endpoints(region).is_some() { "has no CSMS" } else { "is not a region the SDKs know" };
        Err(at(format!("'{region}' {why}; set endpoint, or use one of: {}", regions::known().join(", "))))
    };
    let (region, discovery) = match (&raw.region, &raw.regions) {
        (Some(_), Some(r)) => {
            return Err(loc.at(
                r,
                &key("regions"),
                "name region (its one project) or regions (every project found in them), not both",
            ));
        }
        (None, None) => {
            return Err(loc.at(spanned, &key("region"), "missing field `region` (or `regions`)"));
        }
        (Some(r), None) => {
            let region = r.get_ref().trim().to_string();
            if !regions::is_region(&region) {
                return Err(loc.at(r, &key("region"), format!("'{region}' is not a region name")));
            }
            unknown(&region, &|m| loc.at(r, &key("region"), m))?;
            if let Some(p) = &raw.projects {
                return Err(loc.at(p, &key("projects"), "projects narrows what regions finds: name regions too"));
            }
            (region, None)
        }
        (None, Some(list)) => {
            let names: Vec<String> = list.get_ref().iter().map(|r| r.trim().to_string()).collect();
            let at = |m: String| loc.at(list, &key("regions"), m);
            let every = names == ["*"];
            if names.is_empty() {
                return Err(at("lists no region; [\"*\"] means every region".into()));
            }
            if !every {
                for r in &names {
                    if !regions::is_region(r) {
                        return Err(at(format!("'{r}' is not a region name ([\"*\"] alone means every region)")));
                    }
                    unknown(r, &at)?;
                }
            }
            if every && iam_template.as_deref().is_some_and(regions::has_region) {
                let why = "with regions = [\"*\"] IAM has no region to be asked in: give iam_endpoint without {region}";
                return Err(match &raw.iam_endpoint {
                    Some(i) => loc.at(i, &key("iam_endpoint"), why),
                    None => at(format!("HUAWEICLOUD_SDK_IAM_ENDPOINT names {{region}}; {why}")),
                });
            }
            let projects = raw.projects.as_ref().map(|p| p.get_ref().clone()).unwrap_or_default();
            let discovery = Discovery {
                regions: (!every).then(|| names.clone()),
                projects,
                endpoint: endpoint_template.clone(),
                iam_endpoint: iam_template.clone(),
            };
            (names[0].clone(), Some(discovery))
        }
    };
    // The region was checked above, and the templates with a region in them.
    let region_error = |why: String| loc.at(spanned, &key("region"), why);
    let endpoint = match &endpoint_template {
        Some(t) if region == "*" => t.clone(),
        Some(t) => regions::fill(t, &region).map_err(region_error)?,
        None => regions::csms(&region).unwrap_or_default().to_string(),
    };
    // Discovery asks IAM in the first region named, or the global IAM for every region.
    let iam_endpoint = match (&iam_template, region.as_str()) {
        (Some(t), r) => regions::fill(t, r).map_err(region_error)?,
        (None, "*") => regions::iam_global().to_string(),
        (None, r) => regions::iam_default(r).map_err(region_error)?,
    };

    let kind = match raw.auth.as_ref() {
        None => AuthKind::AkSk,
        Some(a) => match a.get_ref().as_str() {
            "token" => AuthKind::Token,
            "password" => AuthKind::Password,
            "aksk" => AuthKind::AkSk,
            other => {
                return Err(loc.at(a, &key("auth"), format!("'{other}' is not one of token, password, aksk")));
            }
        },
    };
    let auth_anchor = raw.auth.as_ref().map(|a| a.span()).unwrap_or_else(|| spanned.span());
    let anchored = |k: &str, msg: String| ConfigError {
        path: loc.path.to_path_buf(),
        line: Some(loc.line_of(auth_anchor.start)),
        key: Some(key(k)),
        message: msg,
    };

    // Keys that belong to another auth mode are mistakes, not silent no-ops.
    let foreign: &[(&str, bool)] = &[
        ("token", raw.token.is_some()),
        ("token_env", raw.token_env.is_some()),
        ("token_command", raw.token_command.is_some()),
        ("domain", raw.domain.is_some()),
        ("user", raw.user.is_some()),
        ("password", raw.password.is_some()),
        ("password_env", raw.password_env.is_some()),
        ("password_command", raw.password_command.is_some()),
        ("access_key", raw.access_key.is_some()),
        ("secret_key", raw.secret_key.is_some()),
        ("secret_key_env", raw.secret_key_env.is_some()),
        ("secret_key_command", raw.secret_key_command.is_some()),
        ("security_token_env", raw.security_token_env.is_some()),
    ];
    let allowed: &[&str] = match kind {
        AuthKind::Token => &["token", "token_env", "token_command"],
        AuthKind::Password => &["domain", "user", "password", "password_env", "password_command"],
        AuthKind::AkSk => &["access_key", "secret_key", "secret_key_env", "secret_key_command", "security_token_env"],
    };
    let mode = raw.auth.as_ref().map_or("aksk", |a| a.get_ref().as_str());
    if let Some((k, _)) = foreign.iter().find(|(k, present)| *present && !allowed.contains(k)) {
        return Err(anchored(k, format!("does not apply to auth = \"{mode}\"")));
    }

    // Exactly one source among literal / env / command.
    let mut one_source = |literal: &Option<Spanned<String>>,
                          env: &Option<Spanned<String>>,
                          cmd: &Option<Spanned<String>>,
                          base: &str|
     -> Result<Option<SecretSource>, ConfigError> {
        let given = [literal.is_some(), env.is_some(), cmd.is_some()].iter().filter(|b| **b).count();
        if given > 1 {
            return Err(anchored(base, format!("give only one of {base}, {base}_env and {base}_command")));
        }
        Ok(if let Some(l) = literal {
            literal_secrets.push((key(base), loc.line_of(l.span().start)));
            Some(SecretSource::Literal(Redacted::new(l.get_ref().clone())))
        } else if let Some(e) = env {
            Some(SecretSource::Env(e.get_ref().clone()))
        } else {
            cmd.as_ref().map(|c| SecretSource::Command(c.get_ref().clone()))
        })
    };

    let auth = match kind {
        AuthKind::Token => {
            let src = one_source(&raw.token, &raw.token_env, &raw.token_command, "token")?
                .ok_or_else(|| anchored("token_env", "auth = \"token\" needs token_env or token_command".into()))?;
            AuthConfig::Token(src)
        }
        AuthKind::Password => {
            let domain = raw.domain.as_ref().map(|d| d.get_ref().clone());
            let user = raw.user.as_ref().map(|u| u.get_ref().clone());
            let password = one_source(&raw.password, &raw.password_env, &raw.password_command, "password")?;
            let (Some(domain), Some(user), Some(password)) = (domain, user, password) else {
                return Err(anchored(
                    "user",
                    "auth = \"password\" needs domain, user and one of password_env or password_command".into(),
                ));
            };
            AuthConfig::Password { domain, user, password }
        }
        AuthKind::AkSk => {
            let secret_key = one_source(&raw.secret_key, &raw.secret_key_env, &raw.secret_key_command, "secret_key")?;
            let access_key = raw.access_key.as_ref().map(|a| a.get_ref().clone());
            if access_key.is_some() != secret_key.is_some() {
                return Err(anchored("access_key", "access_key and a secret_key source go together".into()));
            }
            if access_key.is_none() && (sdk.access_key.is_none() || sdk.secret_key.is_none()) {
                // A file that is there but unusable is the likelier mistake: name it and why.
                let unread = sdk.unread.as_ref().map(|u| format!("; the file there was not used: {u}"));
                let message = format!(
                    "auth = \"aksk\" needs access_key and secret_key_env (or secret_key_command), \
                     or HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK, or ~/.huaweicloud/credentials{}",
                    unread.unwrap_or_default()
                );
                return Err(anchored("access_key", message));
            }
            let security_token = raw.security_token_env.as_ref().map(|e| SecretSource::Env(e.get_ref().clone()));
            AuthConfig::AkSk { access_key, secret_key, security_token }
        }
    };

    let project_id = raw.project_id.as_ref().map(|p| p.get_ref().trim().to_string());
    if let (Some(p), Some(span)) = (&project_id, &raw.project_id)
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(loc.at(span, &key("project_id"), format!("'{p}' is not a project id")));
    }
    if let (Some(p), Some(_)) = (&raw.project_id, &discovery) {
        return Err(loc.at(p, &key("project_id"), "names one project, and regions finds them: keep one of the two"));
    }
    // Without one, IAM gives the id of the project named after the region on
    // first use. A profile with regions takes every project found instead.
    let project_id = match discovery {
        Some(_) => None,
        None => project_id.or_else(|| sdk.project_id.clone()),
    };
    let secs = |v: &Option<Spanned<u64>>, k: &str, default: u64| -> Result<Duration, ConfigError> {
        match v {
            Some(s) if *s.get_ref() == 0 || *s.get_ref() > 600 => Err(loc.at(s, &key(k), "must be 1 to 600 seconds")),
            Some(s) => Ok(Duration::from_secs(*s.get_ref())),
            None => Ok(Duration::from_secs(default)),
        }
    };
    // A relative ca_file is relative to the config file, not to wherever csms runs.
    let ca_file = match &raw.ca_file {
        None => None,
        Some(f) => {
            let path = loc.path.parent().unwrap_or(Path::new(".")).join(f.get_ref());
            if !path.is_file() {
                return Err(loc.at(f, &key("ca_file"), format!("{} is not a readable file", path.display())));
            }
            Some(path)
        }
    };
    let max_attempts = match &raw.max_attempts {
        Some(m) if !(1..=20).contains(m.get_ref()) => {
            return Err(loc.at(m, &key("max_attempts"), "must be 1 to 20"));
        }
        Some(m) => *m.get_ref(),
        None => RetryPolicy::default().max_attempts,
    };
    Ok(Profile {
        name: name.to_string(),
        region,
        project_id,
        endpoint,
        iam_endpoint,
        auth,
        read_only: raw.read_only,
        insecure_skip_tls_verify: raw.insecure_skip_tls_verify,
        ca_file,
        connect_timeout: secs(&raw.connect_timeout, "connect_timeout", 5)?,
        request_timeout: secs(&raw.request_timeout, "request_timeout", 30)?,
        max_attempts,
        credential_command_timeout: secs(
            &raw.credential_command_timeout,
            "credential_command_timeout",
            DEFAULT_CREDENTIAL_COMMAND_SECS,
        )?,
        page_size: match &raw.page_size {
            Some(p) if !(1..=MAX_PAGE_SIZE).contains(p.get_ref()) => {
                return Err(loc.at(p, &key("page_size"), "must be 1 to 1000"));
            }
            Some(p) => *p.get_ref(),
            None => MAX_PAGE_SIZE,
        },
        discovery,
        found_under: None,
        unusable: None,
    })
}

/// Literal secrets only in a file its owner alone can read, as ssh insists.
#[cfg(unix)]
fn check_private(path: &Path, key: &str, line: usize) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError {
            path: path.to_path_buf(),
            line: Some(line),
            key: Some(key.to_string()),
            message: format!(
                "a literal secret in a file with mode {mode:04o}: other users can read it. \
                 Run `chmod 600 {}` or use an _env / _command key instead",
                path.display()
            ),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path, _: &str, _: usize) -> Result<(), ConfigError> {
    Ok(())
}

impl Profile {
    /// Resolves the credentials (reads env vars, runs commands) into client
    /// options. A source that yields nothing is a configuration error naming
    /// the profile and the key, not an authentication failure.
    pub fn client_options(&self) -> Result<ClientOptions, crate::csms::Error> {
        if let Some(e) = &self.unusable {
            return Err(e.clone());
        }
        let config_error =
            |key: String, message: String| crate::csms::Error::Config { profile: self.name.clone(), key, message };
        let timeout = self.credential_command_timeout;
        let resolve = |src: &SecretSource, base: &str| src.resolve(timeout).map_err(|m| config_error(src.key(base), m));
        let credentials = match &self.auth {
            AuthConfig::Token(src) => Credentials::Token(resolve(src, "token")?),
            AuthConfig::Password { domain, user, password } => Credentials::Password {
                domain: domain.clone(),
                user: user.clone(),
                password: resolve(password, "password")?,
            },
            AuthConfig::AkSk { access_key: Some(ak), secret_key: Some(sk), security_token } => Credentials::AkSk {
                access_key: ak.clone(),
                secret_key: resolve(sk, "secret_key")?,
                security_token: security_token.as_ref().map(|s| resolve(s, "security_token")).transpose()?,
            },
            AuthConfig::AkSk { .. } => {
                let d = SdkDefaults::load();
                match (d.access_key, d.secret_key) {
                    (Some(access_key), Some(secret_key)) => {
                        Credentials::AkSk { access_key, secret_key, security_token: d.security_token }
                    }
                    _ => {
                        return Err(config_error(
                            "access_key".into(),
                            "not set, and the SDK's environment variables and credentials file are gone".into(),
                        ));
                    }
                }
            }
        };
        let project = match (&self.project_id, &self.discovery) {
            (Some(id), _) => ProjectRef::Id(id.clone()),
            // Not a project: the account, whose projects discovery lists.
            (None, Some(_)) => ProjectRef::Account,
            (None, None) => ProjectRef::Named(self.region.clone()),
        };
        Ok(ClientOptions {
            profile: self.name.clone(),
            endpoint: self.endpoint.clone(),
            iam_endpoint: self.iam_endpoint.clone(),
            project,
            credentials,
            read_only: self.read_only,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ca_file: self.ca_file.clone(),
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            retry: RetryPolicy { max_attempts: self.max_attempts, ..RetryPolicy::default() },
        })
    }

    /// Where this profile's changes land, as the journal names it: with the
    /// project id IAM gave `client` when the profile names none.
    pub fn journal_target(&self, client: Option<&crate::csms::Client>) -> crate::journal::Target {
        let found = || client.and_then(|c| c.known_project_id()).map(str::to_string);
        crate::journal::Target {
            profile: self.name.clone(),
            region: self.region.clone(),
            project: self.project_id.clone().or_else(found).unwrap_or_default(),
        }
    }

    pub fn auth_mode(&self) -> &'static str {
        match self.auth {
            AuthConfig::Token(_) => "token",
            AuthConfig::Password { .. } => "password",
            AuthConfig::AkSk { .. } => "aksk",
        }
    }
}

#[cfg(test)]
mod tests;
