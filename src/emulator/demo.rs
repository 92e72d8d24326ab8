//! The embedded demo: an in-process emulator on a free loopback port with an
//! in-memory database, seeded from `assets/demo.toml`.

use serde::Deserialize;

use super::accounts::{self, Accounts, CredentialAccount, Project};
use super::{Database, Running, ServeOptions};
use crate::csms::model::{Secret, SecretState};
use crate::timefmt::parse_duration;

const DEMO_DATA: &str = include_str!("../../assets/demo.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    profiles: Vec<DemoProfileSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoProfileSpec {
    name: String,
    region: String,
    secrets: Vec<DemoSecret>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSecret {
    name: String,
    description: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    deletes_in: Option<String>,
}

/// One demo profile: a project on the demo emulator and its credentials.
#[derive(Debug, Clone)]
pub struct DemoProfile {
    pub name: String,
    pub region: String,
    pub project_id: String,
    pub access_key: String,
    pub secret_key: crate::csms::Redacted,
}

pub struct Demo {
    pub server: Running,
    pub profiles: Vec<DemoProfile>,
}

/// Starts the demo emulator and seeds it.
pub async fn start() -> anyhow::Result<Demo> {
    let file: DemoFile = toml::from_str(DEMO_DATA).expect("assets/demo.toml is valid");
    let access_key = accounts::random_access_key();
    let secret_key = accounts::random_secret_key();
    let mut projects = Vec::new();
    let mut profiles = Vec::new();
    for p in &file.profiles {
        let id = accounts::random_project_id();
        projects.push(Project { id: id.clone(), region: p.region.clone(), name: None });
        profiles.push(DemoProfile {
            name: p.name.clone(),
            region: p.region.clone(),
            project_id: id,
            access_key: access_key.clone(),
            secret_key: crate::csms::Redacted::new(secret_key.clone()),
        });
    }
    let accounts = Accounts {
        credentials: vec![CredentialAccount {
            access_key,
            secret_key,
            security_token: None,
            projects: projects.iter().map(|p| p.id.clone()).collect(),
        }],
        projects,
        users: vec![],
    };
    let server = super::start(ServeOptions {
        listen: "127.0.0.1:0".parse().expect("loopback address"),
        database: Database::Memory,
        accounts,
        admin_token: None,
        read_timeout: super::DEFAULT_READ_TIMEOUT,
        quirks: Default::default(),
    })
    .await?;
    let now = server.shared.clock.now();
    {
        let mut store = server.shared.store();
        for (spec, profile) in file.profiles.iter().zip(&profiles) {
            for (i, s) in spec.secrets.iter().enumerate() {
                // Spread creation and update times over the past months.
                let created = now - (40 + 7 * i as i64) * 86_400_000;
                let updated = now - ((i as i64 * 37) % 90 + 1) * 3_600_000;
                let scheduled =
                    s.deletes_in.as_deref().map(|d| now + parse_duration(d).expect("demo durations are valid"));
                let secret = Secret {
                    id: Some(uuid::Uuid::new_v4().to_string()),
                    state: Some(SecretState::parse(s.state.as_deref().unwrap_or(if scheduled.is_some() {
                        "PENDING_DELETE"
                    } else {
                        "ENABLED"
                    }))),
                    description: Some(s.description.clone()),
                    create_time: Some(created),
                    update_time: Some(updated),
                    scheduled_delete_time: scheduled,
                    secret_type: Some("COMMON".into()),
                    kms_key_id: Some(super::store::DEFAULT_KMS_KEY.into()),
                    auto_rotation: Some(false),
                    enterprise_project_id: Some("0".into()),
                    event_subscriptions: Some(vec![]),
                    ..Secret::named(s.name.clone())
                };
                store
                    .seed(&profile.project_id, &secret, &format!("demo-value-of-{}", s.name), updated)
                    .map_err(|e| anyhow::anyhow!("seeding the demo: {}", e.message))?;
            }
        }
    }
    Ok(Demo { server, profiles })
}
