//! Runs the state machine's effects as tokio tasks and reports each outcome
//! back as a `Msg` over a channel. Nothing here touches the terminal, and the
//! UI loop never waits for any of it.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc};

use crate::app::{Effect, Msg};
use crate::config::Profile;
use crate::csms::bulk::{self, DEFAULT_CONCURRENCY};
use crate::csms::{Client, Error, Redacted, reconcile};
use crate::journal::{self, Entry, Journal, Target};

/// Secrets per list request.
const PAGE_SIZE: u32 = 200;

#[derive(Clone)]
pub struct Worker {
    /// Indexed as the UI's profiles are.
    profiles: Arc<Vec<Profile>>,
    clients: Arc<Mutex<HashMap<usize, Arc<Client>>>>,
    tx: mpsc::UnboundedSender<Msg>,
    /// Every change's outcome is written here before the UI hears of it.
    journal: Option<Arc<Journal>>,
}

impl Worker {
    pub fn new(profiles: Vec<Profile>, tx: mpsc::UnboundedSender<Msg>) -> Worker {
        let journal = Journal::open_default().map(Arc::new);
        Worker { profiles: Arc::new(profiles), clients: Arc::default(), tx, journal }
    }

    fn target(&self, i: usize) -> Target {
        self.profiles.get(i).map(Profile::journal_target).unwrap_or_else(|| Target {
            profile: format!("#{i}"),
            region: String::new(),
            project: String::new(),
        })
    }

    fn record(&self, entry: Entry) {
        journal::record(self.journal.as_deref(), entry);
    }

    /// One client per profile, made on first use. Resolving credentials may
    /// run a command, so it happens off the async threads.
    async fn client(&self, i: usize) -> Result<Arc<Client>, Error> {
        let mut clients = self.clients.lock().await;
        if let Some(c) = clients.get(&i) {
            return Ok(c.clone());
        }
        let profile = self.profiles.get(i).cloned().ok_or_else(|| Error::Invalid(format!("no profile #{i}")))?;
        let client = tokio::task::spawn_blocking(move || Client::new(profile.client_options()?))
            .await
            .map_err(|e| Error::Invalid(format!("resolving credentials failed: {e}")))??;
        let client = Arc::new(client);
        clients.insert(i, client.clone());
        Ok(client)
    }

    fn send(&self, msg: Msg) {
        // The UI has gone when the channel is closed; nothing is left to tell.
        let _ = self.tx.send(msg);
    }

    /// Starts the effect and returns at once.
    pub fn run(&self, effect: Effect) {
        let w = self.clone();
        tokio::spawn(async move {
            match effect {
                Effect::Load { generation, profile } => {
                    let result = async {
                        let page =
                            |p: &[crate::csms::Secret]| w.send(Msg::Page { generation, profile, secrets: p.to_vec() });
                        w.client(profile).await?.list_secrets_with(PAGE_SIZE, page).await
                    }
                    .await
                    .map_err(|e| e.to_string());
                    w.send(Msg::Loaded { generation, profile, result });
                }
                Effect::Cancel { profile, name } => {
                    let outcome = match w.client(profile).await {
                        Ok(c) => reconcile::cancel_deletion(&c, &name).await,
                        Err(e) => reconcile::CancelOutcome::Failed(e),
                    };
                    w.record(Entry::cancel(&w.target(profile), &name, &outcome));
                    w.send(Msg::CancelDone { profile, name, outcome: Box::new(outcome), bulk: false });
                }
                Effect::CancelMany { profile, names } => match w.client(profile).await {
                    Ok(c) => {
                        let tx = w.tx.clone();
                        let target = w.target(profile);
                        bulk::cancel_many(
                            c,
                            names,
                            DEFAULT_CONCURRENCY,
                            |name, outcome, _| {
                                w.record(Entry::cancel(&target, name, outcome));
                                let _ = tx.send(Msg::CancelDone {
                                    profile,
                                    name: name.to_string(),
                                    outcome: Box::new(outcome.clone()),
                                    bulk: true,
                                });
                            },
                            std::future::pending(),
                        )
                        .await;
                    }
                    Err(e) => {
                        for name in names {
                            let outcome = Box::new(reconcile::CancelOutcome::Failed(e.clone()));
                            w.record(Entry::cancel(&w.target(profile), &name, &outcome));
                            w.send(Msg::CancelDone { profile, name, outcome, bulk: true });
                        }
                    }
                },
                Effect::Schedule { profile, name, days } => {
                    let outcome = match w.client(profile).await {
                        Ok(c) => reconcile::schedule_deletion(&c, &name, days).await,
                        Err(e) => reconcile::ScheduleOutcome::Failed(e),
                    };
                    w.record(Entry::schedule(&w.target(profile), &name, days, &outcome));
                    let result = outcome.into_result().map(Box::new);
                    w.send(Msg::ScheduleDone { profile, name, result });
                }
                Effect::RevealValue { profile, name } => {
                    let result = async { w.client(profile).await?.show_version(&name, "latest").await }
                        .await
                        .map_err(|e| e.to_string())
                        .map(|v| match (v.secret_string, v.secret_binary) {
                            (Some(s), _) => Redacted::new(s),
                            (None, Some(b)) => Redacted::new(format!("(binary, base64) {b}")),
                            (None, None) => Redacted::new(String::new()),
                        });
                    w.send(Msg::ValueLoaded { profile, name, result });
                }
                Effect::LoadVersions { profile, name } => {
                    let result =
                        async { w.client(profile).await?.list_versions(&name).await }.await.map_err(|e| e.to_string());
                    w.send(Msg::VersionsLoaded { profile, name, result });
                }
            }
        });
    }
}
