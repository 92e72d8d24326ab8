//! What a run works on: the configured profiles, or the embedded demo when
//! nothing is configured (or `--demo` asks for it).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{AuthConfig, Config, ConfigError, Profile, SecretSource};
use crate::csms::{Client, RetryPolicy};
use crate::discovery::Freshness;
use crate::emulator::demo::{self, Demo};

pub struct Workspace {
    /// Profiles with `regions` are replaced by the targets IAM gave.
    pub config: Config,
    /// The running demo emulator, kept alive as long as the workspace.
    pub demo: Option<Demo>,
    /// Projects discovery passed over, and why.
    pub skipped: Vec<crate::discovery::Skipped>,
    /// Profiles with regions to ask IAM for behind the UI (see `discovery::Expansion`).
    pub behind: Vec<crate::discovery::ToAsk>,
}

/// The profiles a run acts on: credentials are resolved and IAM asked for
/// those only, so a slow credential command of another profile holds up nothing.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Every,
    /// One profile, target or profile with regions: the one named, else the default.
    One(Option<&'a str>),
}

#[derive(Debug)]
pub enum OpenError {
    Config(ConfigError),
    Other(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Config(e) => e.fmt(f),
            OpenError::Other(e) => f.write_str(e),
        }
    }
}

impl Workspace {
    /// Loads the config (`--config`, `CSMS_CONFIG`, the platform dir). With
    /// `demo`, starts the demo; so does `demo_when_unconfigured` (the UI's
    /// first run) when no file exists and none was named. Scripts never get
    /// demo data they did not ask for.
    pub async fn open(
        config_flag: Option<&Path>,
        demo: bool,
        demo_when_unconfigured: bool,
        freshness: Freshness,
        scope: Scope<'_>,
    ) -> Result<Workspace, OpenError> {
        if demo {
            return Workspace::demo().await;
        }
        match crate::config::locate(config_flag) {
            Some((path, named)) if named || path.exists() => {
                let mut config = Config::load(&path).map_err(OpenError::Config)?;
                // Without a name or a default, which profile is meant is not known yet: every one.
                let only = match scope {
                    Scope::Every => None,
                    Scope::One(name) => name.or(config.default_profile.as_deref()).map(str::to_string),
                };
                let now = crate::timefmt::now_ms();
                let found = crate::discovery::expand(&mut config, freshness, now, only.as_deref()).await;
                Ok(Workspace { config, demo: None, skipped: found.skipped, behind: found.behind })
            }
            _ if demo_when_unconfigured => Workspace::demo().await,
            located => Err(OpenError::Other(format!(
                "no configuration at {}: write one (a [profiles.NAME] table with region, project_id and \
                 credentials; the README shows a full example), pass --config, or try --demo",
                located.map_or("the platform config dir".into(), |(p, _)| p.display().to_string())
            ))),
        }
    }

    pub async fn demo() -> Result<Workspace, OpenError> {
        crate::journal::use_demo_journal();
        let demo = demo::start().await.map_err(|e| OpenError::Other(format!("cannot start the demo: {e}")))?;
        let endpoint = demo.server.base_url();
        let profiles: BTreeMap<String, Profile> = demo
            .profiles
            .iter()
            .map(|p| {
                let profile = Profile {
                    name: p.name.clone(),
                    region: p.region.clone(),
                    project_id: Some(p.project_id.clone()),
                    endpoint: endpoint.clone(),
                    iam_endpoint: endpoint.clone(),
                    auth: AuthConfig::AkSk {
                        access_key: Some(p.access_key.clone()),
                        secret_key: Some(SecretSource::Literal(p.secret_key.clone())),
                        security_token: None,
                    },
                    read_only: false,
                    insecure_skip_tls_verify: false,
                    ca_file: None,
                    connect_timeout: Duration::from_secs(5),
                    request_timeout: Duration::from_secs(30),
                    max_attempts: RetryPolicy::default().max_attempts,
                    credential_command_timeout: Duration::from_secs(crate::config::DEFAULT_CREDENTIAL_COMMAND_SECS),
                    page_size: crate::config::MAX_PAGE_SIZE,
                    discovery: None,
                    found_under: None,
                    unusable: None,
                };
                (p.name.clone(), profile)
            })
            .collect();
        let config = Config {
            path: None,
            default_profile: demo.profiles.first().map(|p| p.name.clone()),
            refresh_interval: Duration::from_secs(crate::config::DEFAULT_REFRESH_SECS),
            clipboard_clear: Duration::from_secs(crate::config::DEFAULT_CLIPBOARD_CLEAR_SECS),
            mouse: true,
            profiles,
        };
        Ok(Workspace { config, demo: Some(demo), skipped: vec![], behind: vec![] })
    }

    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    pub fn profile(&self, name: Option<&str>) -> Result<&Profile, String> {
        self.config.profile(name)
    }

    /// A client for a profile; resolves its credentials.
    pub fn client(&self, profile: &Profile) -> Result<Arc<Client>, crate::csms::Error> {
        Workspace::client_for(profile)
    }

    /// As `client`, resolved on a blocking thread: a slow `*_command` holds up
    /// this profile only, not the others fetched beside it.
    pub async fn client_apart(&self, profile: &Profile) -> Result<Arc<Client>, crate::csms::Error> {
        let owned = profile.clone();
        tokio::task::spawn_blocking(move || Workspace::client_for(&owned))
            .await
            .map_err(|e| crate::csms::Error::Invalid(format!("resolving credentials failed: {e}")))?
    }

    /// A client for any profile, in a workspace or not (`csms config init` checks one before writing it).
    pub fn client_for(profile: &Profile) -> Result<Arc<Client>, crate::csms::Error> {
        Ok(Arc::new(Client::new(profile.client_options()?)?))
    }
}
