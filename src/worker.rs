//! Runs the state machine's effects as tokio tasks and reports each outcome
//! back as a `Msg` over a channel. Nothing here touches the terminal, and the
//! UI loop never waits for any of it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{OnceCell, mpsc};

use crate::app::health::LoadError;
use crate::app::targets::Checked;
use crate::app::{Effect, Msg, ProfileInfo};
use crate::config::Profile;
use crate::csms::bulk::{self, DEFAULT_CEILING, DEFAULT_CONCURRENCY};
use crate::csms::host_limit::HostLimits;
use crate::csms::model::{CreateSecretRequest, PasswordRequest};
use crate::csms::reconcile::{OUTCOME_UNKNOWN, Outcome};
use crate::csms::{Client, Error, Redacted, changes, reconcile};
use crate::discovery::ToAsk;
use crate::journal::{self, Entry, Journal, Target};

/// A profile's client, made by the first request that needs it.
type ClientCell = Arc<OnceCell<Arc<Client>>>;

#[derive(Clone)]
pub struct Worker {
    /// Indexed as the UI's profiles are; targets found behind the UI are
    /// added at the end, as the UI adds them.
    profiles: Arc<std::sync::RwLock<Vec<Profile>>>,
    /// One client per profile, each made once, on first use: the lock is held
    /// only to find a profile's cell, never while credentials are resolved.
    clients: Arc<std::sync::Mutex<HashMap<usize, ClientCell>>>,
    tx: mpsc::UnboundedSender<Msg>,
    /// Every change's outcome is written here before the UI hears of it.
    journal: Option<Arc<Journal>>,
    /// Loads in flight per endpoint host.
    loads: HostLimits,
    /// The answers each task still owes the UI (see `Owed`), by task.
    owed: Arc<std::sync::Mutex<BTreeMap<u64, Vec<Owed>>>>,
    tasks: Arc<AtomicU64>,
    /// The task this clone runs (0: none): its answers settle what it owes.
    task: u64,
}

/// An answer a task owes the UI: one per secret it acts on, one for a load
/// or a read. A task that ends without giving it (a panic) reports it
/// unknown, and so does the journal for a change csms quit before.
struct Owed {
    /// One effect per answer (a bulk cancel owes one `Cancel` per secret).
    effect: Effect,
    bulk: bool,
}

impl Worker {
    pub fn new(profiles: Vec<Profile>, tx: mpsc::UnboundedSender<Msg>) -> Worker {
        let journal = Journal::open_default().map(Arc::new);
        let profiles = Arc::new(std::sync::RwLock::new(profiles));
        Worker {
            profiles,
            clients: Arc::default(),
            tx,
            journal,
            loads: HostLimits::default(),
            owed: Arc::default(),
            tasks: Arc::default(),
            task: 0,
        }
    }

    fn profile(&self, i: usize) -> Option<Profile> {
        self.profiles.read().expect("profiles lock").get(i).cloned()
    }

    /// Asks IAM for the projects of profiles with regions (whose targets
    /// came from the cache, or that are still in place of them), caches the
    /// answer, and tells the UI what changed.
    pub fn revalidate(&self, discovering: Vec<ToAsk>) {
        if discovering.is_empty() {
            return;
        }
        let w = self.clone();
        tokio::spawn(async move {
            let asked = discovering.iter().map(|a| crate::discovery::discover(&a.profile));
            let results = futures::future::join_all(asked).await;
            // One read and write of the cache for all of them, off the async
            // threads: concurrent writes would lose some.
            let now = crate::timefmt::now_ms();
            let lists: Vec<(Profile, Vec<crate::csms::ProjectSummary>)> = discovering
                .iter()
                .zip(&results)
                .filter_map(|(a, result)| result.as_ref().ok().map(|(list, _)| (a.profile.clone(), list.clone())))
                .collect();
            let saved = tokio::task::spawn_blocking(move || {
                let mut cache = crate::discovery::cache::Cache::load();
                for (profile, list) in lists {
                    cache.put(&profile, list, now);
                }
                cache.save();
            });
            saved.await.ok();
            for (ToAsk { profile }, result) in discovering.into_iter().zip(results) {
                match result {
                    Ok((_, found)) if found.targets.is_empty() => {
                        w.targets_failed(&profile.name, crate::discovery::no_projects(&profile.name))
                    }
                    Ok((_, found)) => w.take_targets(&profile.name, found),
                    Err(e) => w.targets_failed(&profile.name, e),
                }
            }
        });
    }

    /// Adds the targets IAM lists that were not known, and tells the UI, with
    /// those it no longer lists. Told under the lock: the UI numbers the new
    /// ones in the order they were added here.
    fn take_targets(&self, under: &str, found: crate::discovery::Found) {
        let mut profiles = self.profiles.write().expect("profiles lock");
        // The profile itself, when it was still in place of its targets: they replace it.
        let finding = finding_index(&profiles, under);
        if let Some(i) = finding {
            let replaced = Error::Invalid(format!("profile '{under}' is replaced by its projects"));
            profiles[i].unusable = Some(replaced);
            profiles[i].discovery = None;
        }
        let known: Vec<(usize, String)> = profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| p.found_under.as_deref() == Some(under))
            .map(|(i, p)| (i, p.name.clone()))
            .collect();
        let gone = known.iter().filter(|(_, n)| !found.targets.iter().any(|t| &t.name == n)).map(|(i, _)| *i).collect();
        let mut added = Vec::new();
        for t in found.targets {
            if !known.iter().any(|(_, n)| n == &t.name) {
                added.push((profiles.len(), ProfileInfo::from(&t)));
                profiles.push(t);
            }
        }
        let skipped = found.skipped.into_iter().map(|s| (s.target, s.why)).collect();
        let checked = Checked { profile: under.to_string(), added, gone, skipped, failed: None, finding };
        self.send(Msg::TargetsChecked(checked));
    }

    /// Asks IAM again for the projects of profile `i`, still in place of its
    /// targets, unless that is under way.
    fn find_again(&self, i: usize) {
        let again = {
            let mut profiles = self.profiles.write().expect("profiles lock");
            match profiles.get_mut(i) {
                Some(p) if !crate::discovery::finding(p) => {
                    p.unusable = None;
                    Some(p.clone())
                }
                _ => None,
            }
        };
        if let Some(profile) = again {
            self.revalidate(vec![ToAsk { profile }]);
        }
    }

    /// IAM did not answer for a profile: a profile still in place of its
    /// targets fails with why from now on; targets from the cache stay.
    fn targets_failed(&self, under: &str, e: Error) {
        let mut profiles = self.profiles.write().expect("profiles lock");
        let finding = finding_index(&profiles, under);
        let mut failed = LoadError::of(&e);
        match finding {
            Some(i) => profiles[i].unusable = Some(e),
            None => failed.text = format!("{under}: its projects could not be checked again: {e}"),
        }
        let checked = Checked {
            profile: under.to_string(),
            added: vec![],
            gone: vec![],
            skipped: vec![],
            failed: Some(failed),
            finding,
        };
        self.send(Msg::TargetsChecked(checked));
    }

    /// Where profile `i`'s changes land, with the project id IAM gave when
    /// the profile names none.
    fn target(&self, i: usize) -> Target {
        // Also written after a task panicked: a lock it poisoned only hides the project id IAM gave.
        let client = self.clients.lock().ok().and_then(|c| c.get(&i).and_then(|c| c.get().cloned()));
        self.target_of(i, client.as_deref())
    }

    /// As `target`, with the profile's client at hand.
    fn target_of(&self, i: usize, client: Option<&Client>) -> Target {
        self.profile(i).map(|p| p.journal_target(client)).unwrap_or_else(|| Target {
            profile: format!("#{i}"),
            region: String::new(),
            project: String::new(),
        })
    }

    fn record(&self, entry: &Entry) {
        journal::record(self.journal.as_deref(), entry);
    }

    /// The journal's line for a change's outcome.
    fn entry<T>(&self, profile: usize, name: &str, action: &str, outcome: &Outcome<T>) -> Entry {
        Entry::new(&self.target(profile), name, action).outcome(outcome.label(), outcome.error())
    }

    /// A version's value, as the details or the clipboard asked for it.
    async fn read_value(&self, profile: usize, name: &str, version: &str) -> Result<Redacted, String> {
        async { self.client(profile).await?.show_version(name, version).await }.await.map_err(|e| e.to_string()).map(
            |v| match (v.secret_string, v.secret_binary) {
                (Some(s), _) => Redacted::new(s),
                (None, Some(b)) => Redacted::new(format!("(binary, base64) {b}")),
                (None, None) => Redacted::new(String::new()),
            },
        )
    }

    /// One client per profile, made on first use (a failure is tried again
    /// next time). Resolving credentials may run a slow command: it runs off
    /// the async threads, and only this profile's requests wait for it.
    async fn client(&self, i: usize) -> Result<Arc<Client>, Error> {
        let cell = self.clients.lock().expect("clients lock").entry(i).or_default().clone();
        let made = cell.get_or_try_init(|| async {
            let profile = self.profile(i).ok_or_else(|| Error::Invalid(format!("no profile #{i}")))?;
            let client = tokio::task::spawn_blocking(move || Client::new(profile.client_options()?))
                .await
                .map_err(|e| Error::Invalid(format!("resolving credentials failed: {e}")))??;
            Ok::<_, Error>(Arc::new(client))
        });
        made.await.cloned()
    }

    fn send(&self, msg: Msg) {
        if let Some(key) = answer_key(&msg)
            && let Some(owed) = self.owed.lock().expect("owed lock").get_mut(&self.task)
        {
            owed.retain(|o| owed_key(&o.effect) != key);
        }
        // The UI has gone when the channel is closed; nothing is left to tell.
        let _ = self.tx.send(msg);
    }

    /// Starts the effect and returns at once. A task that ends without its
    /// answers (it panicked) has them reported unknown.
    pub fn run(&self, effect: Effect) {
        if let Some((profile, name, action)) = change_of(&effect) {
            journal::attempt(self.journal.as_deref(), Entry::new(&self.target(profile), name, action));
        }
        let mut w = self.clone();
        w.task = self.tasks.fetch_add(1, Ordering::Relaxed) + 1;
        self.owed.lock().expect("owed lock").insert(w.task, owed_by(&effect));
        let task = w.task;
        let ran = tokio::spawn(async move { w.execute(effect).await });
        let w = self.clone();
        tokio::spawn(async move {
            let ended = ran.await;
            let owed = w.owed.lock().expect("owed lock").remove(&task).unwrap_or_default();
            match ended {
                Err(e) if e.is_panic() => {
                    let message = panic_message(e.into_panic());
                    tracing::error!(%message, "a worker task panicked");
                    w.default(owed, &Error::Invalid("csms failed while waiting for the answer (see csms.log)".into()))
                }
                // Cancelled: the runtime is shutting down and the UI is gone.
                _ => {}
            }
        });
    }

    /// Changes sent that have had no answer: the journal records each as
    /// unknown, as csms quits before them.
    pub fn quit(&self) {
        let owed: Vec<Owed> =
            std::mem::take(&mut *self.owed.lock().expect("owed lock")).into_values().flatten().collect();
        self.default(owed, &Error::Invalid("csms quit before the answer".into()));
    }

    /// Reports every answer in `owed` unknown, to the UI and (for a change) the journal.
    fn default(&self, owed: Vec<Owed>, why: &Error) {
        for o in owed {
            if let Some((profile, name, action)) = change_of(&o.effect) {
                self.record(&Entry::new(&self.target(profile), name, action).outcome("unknown", Some(why)));
            }
            if let Some(msg) = unanswered(o, why) {
                let _ = self.tx.send(msg);
            }
        }
    }

    async fn execute(self, effect: Effect) {
        let w = self;
        match effect {
            // A profile with regions still in place of its targets: its projects
            // are being found (or, after a failure, asked for again), and their
            // news (targets, or why not) settles the load.
            Effect::Load { profile, .. } if w.profile(profile).is_some_and(|p| p.discovery.is_some()) => {
                w.find_again(profile)
            }
            Effect::Load { generation, profile } => {
                let endpoint = w.profile(profile).map(|p| p.endpoint).unwrap_or_default();
                let _room = w.loads.acquire(&endpoint).await;
                let result = async {
                    let page =
                        |p: &[crate::csms::Secret]| w.send(Msg::Page { generation, profile, secrets: p.to_vec() });
                    let client = w.client(profile).await?;
                    let page_size = w.profile(profile).map_or(crate::config::MAX_PAGE_SIZE, |p| p.page_size);
                    let secrets = client.list_secrets_with(page_size, page).await;
                    if client.project_found_by_iam()
                        && let Some(id) = client.known_project_id()
                    {
                        w.send(Msg::ProjectFound { profile, project_id: id.to_string() });
                    }
                    // Countdowns follow the server's clock, as its answers gave it.
                    if let Some(offset) = client.clock_offset() {
                        w.send(Msg::ServerClock { profile, offset });
                    }
                    secrets
                }
                .await;
                let result = result.map_err(|e| LoadError::of(&e));
                w.send(Msg::Loaded { generation, profile, result });
            }
            Effect::Cancel { profile, name } => {
                let outcome = match w.client(profile).await {
                    // Rows may be a refresh old: the secret is read again first.
                    Ok(c) => reconcile::cancel_deletion(&c, &name, None).await,
                    Err(e) => reconcile::CancelOutcome::Failed(e),
                };
                w.record(&Entry::cancel(&w.target(profile), &name, &outcome));
                w.send(Msg::CancelDone { profile, name, outcome: Box::new(outcome), bulk: false });
            }
            Effect::CancelMany { profile, names } => match w.client(profile).await {
                Ok(c) => {
                    let tx = w.tx.clone();
                    let client = Arc::clone(&c);
                    bulk::cancel_many_noting(
                        c,
                        names,
                        (DEFAULT_CONCURRENCY, DEFAULT_CEILING),
                        |name| {
                            let target = w.target_of(profile, Some(&client));
                            journal::attempt(w.journal.as_deref(), Entry::new(&target, name, "cancel"));
                        },
                        |name, outcome, _| {
                            w.record(&Entry::cancel(&w.target_of(profile, Some(&client)), name, outcome));
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
                        w.record(&Entry::cancel(&w.target(profile), &name, &outcome));
                        w.send(Msg::CancelDone { profile, name, outcome, bulk: true });
                    }
                }
            },
            Effect::Schedule { profile, name, days } => {
                let outcome = match w.client(profile).await {
                    Ok(c) => reconcile::schedule_deletion(&c, &name, days).await,
                    Err(e) => reconcile::ScheduleOutcome::Failed(e),
                };
                w.record(&Entry::schedule(&w.target(profile), &name, days, &outcome));
                let result = outcome.into_result().map(Box::new);
                w.send(Msg::ScheduleDone { profile, name, result });
            }
            Effect::RevealValue { profile, name, version } => {
                let result = w.read_value(profile, &name, &version).await;
                w.send(Msg::ValueLoaded { profile, name, version, result });
            }
            Effect::CopyValue { profile, name } => {
                let result = w.read_value(profile, &name, "latest").await;
                w.send(Msg::ValueForCopy { profile, name, result });
            }
            Effect::GeneratePassword { profile, generator } => {
                let req = PasswordRequest {
                    length: Some(generator.length),
                    exclude_punctuation: !generator.symbols,
                    require_each_included_type: true,
                    ..Default::default()
                };
                let result =
                    async { w.client(profile).await?.generate_password(&req).await }.await.map_err(|e| e.to_string());
                w.send(Msg::PasswordGenerated(result));
            }
            Effect::Create { profile, name, description, value } => {
                let req = CreateSecretRequest {
                    name: name.clone(),
                    secret_string: Some(value.expose().to_string()),
                    description: (!description.is_empty()).then_some(description),
                    ..Default::default()
                };
                let (tell, about) = (w.clone(), name.clone());
                let report = move |send| tell.send(Msg::Resent { profile, name: about.clone(), send });
                let outcome = match w.client(profile).await {
                    Ok(c) => crate::csms::reconcile::reporting_sends(report, changes::create(&c, &req)).await,
                    Err(e) => Outcome::Failed(e),
                };
                // A create makes v1, but only a confirmed one is known to have.
                let made = matches!(outcome, Outcome::Done(_)).then(|| "v1".to_string());
                w.record(&w.entry(profile, &name, "create", &outcome).versions(made));
                w.send(Msg::Created { profile, name, result: outcome_result(outcome).map(Box::new) });
            }
            Effect::PutValue { profile, name, value, before } => {
                let outcome = match w.client(profile).await {
                    Ok(c) => changes::put_value(&c, &name, &value, &before).await,
                    Err(e) => Outcome::Failed(e),
                };
                let made = match &outcome {
                    Outcome::Done(m) => vec![m.id.clone()],
                    _ => vec![],
                };
                w.record(&w.entry(profile, &name, "put-value", &outcome).versions(made));
                w.send(Msg::ValuePut { profile, name, result: outcome_result(outcome).map(|m| m.id) });
            }
            Effect::Rollback { profile, name, from, to } => {
                let outcome = match w.client(profile).await {
                    Ok(c) => changes::rollback(&c, &name, &to).await,
                    Err(e) => Outcome::Failed(e),
                };
                let entry = w.entry(profile, &name, "rollback", &outcome);
                w.record(&entry.versions([from.clone(), to.clone()]).detail(format!("SYSCURRENT {from} -> {to}")));
                let result = outcome_result(outcome).map(|_| ());
                w.send(Msg::RolledBack { profile, name, from, to, result });
            }
            Effect::Describe { profile, name, description } => {
                let outcome = match w.client(profile).await {
                    Ok(c) => changes::describe(&c, &name, &description).await,
                    Err(e) => Outcome::Failed(e),
                };
                let detail = format!("description, {} characters", description.chars().count());
                w.record(&w.entry(profile, &name, "update", &outcome).detail(detail));
                w.send(Msg::Described { profile, name, result: outcome_result(outcome).map(Box::new) });
            }
            Effect::LoadTags { profile, name } => {
                let result = async {
                    let c = w.client(profile).await?;
                    let id = c.show_secret(&name).await?.id.unwrap_or_default();
                    let tags = c.list_tags(&id).await?;
                    Ok::<_, Error>((id, tags))
                }
                .await
                .map_err(|e| e.to_string());
                w.send(Msg::TagsLoaded { profile, name, result });
            }
            Effect::ChangeTags { profile, name, secret_id, create, delete } => {
                let outcome = match w.client(profile).await {
                    Ok(c) => changes::change_tags(&c, &secret_id, &create, &delete).await,
                    Err(e) => Outcome::Failed(e),
                };
                let mut detail: Vec<String> = create.iter().map(|t| format!("+{}", t.key)).collect();
                detail.extend(delete.iter().map(|t| format!("-{}", t.key)));
                w.record(&w.entry(profile, &name, "tag", &outcome).detail(detail.join(" ")));
                w.send(Msg::TagsChanged { profile, name, result: outcome_result(outcome) });
            }
            Effect::LoadHistory => {
                let result = tokio::task::spawn_blocking(|| match Journal::open_default() {
                    Some(j) => j.read().map(|(entries, _)| entries).map_err(|e| format!("{}: {e}", j.path().display())),
                    None => Err("no state directory on this platform: there is no journal".to_string()),
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
                w.send(Msg::HistoryLoaded(result));
            }
            // The terminal's own effect: the event loop writes it, the worker never gets it.
            Effect::Clipboard { .. } => tracing::error!("a clipboard effect reached the worker"),
            Effect::LoadVersions { profile, name } => {
                let result =
                    async { w.client(profile).await?.list_versions(&name).await }.await.map_err(|e| e.to_string());
                w.send(Msg::VersionsLoaded { profile, name, result });
            }
        }
    }
}

/// The answers an effect owes: one per secret of a bulk cancel, else one
/// (none for the clipboard, which the terminal writes).
fn owed_by(effect: &Effect) -> Vec<Owed> {
    match effect {
        Effect::CancelMany { profile, names } => names
            .iter()
            .map(|name| Owed { effect: Effect::Cancel { profile: *profile, name: name.clone() }, bulk: true })
            .collect(),
        Effect::Clipboard { .. } => vec![],
        other => vec![Owed { effect: other.clone(), bulk: false }],
    }
}

/// What answers an effect: its profile and secret ("" for none).
fn owed_key(effect: &Effect) -> (usize, &str) {
    match effect {
        Effect::Cancel { profile, name }
        | Effect::Schedule { profile, name, .. }
        | Effect::LoadVersions { profile, name }
        | Effect::RevealValue { profile, name, .. }
        | Effect::Create { profile, name, .. }
        | Effect::PutValue { profile, name, .. }
        | Effect::Rollback { profile, name, .. }
        | Effect::Describe { profile, name, .. }
        | Effect::LoadTags { profile, name }
        | Effect::ChangeTags { profile, name, .. }
        | Effect::CopyValue { profile, name } => (*profile, name),
        Effect::Load { profile, .. } => (*profile, ""),
        Effect::GeneratePassword { .. }
        | Effect::CancelMany { .. }
        | Effect::Clipboard { .. }
        | Effect::LoadHistory => (usize::MAX, ""),
    }
}

/// The profile and secret a message answers, as `owed_key` names them;
/// `None` for news that answers nothing (a page, a clock).
fn answer_key(msg: &Msg) -> Option<(usize, &str)> {
    match msg {
        Msg::CancelDone { profile, name, .. }
        | Msg::ScheduleDone { profile, name, .. }
        | Msg::ValueLoaded { profile, name, .. }
        | Msg::VersionsLoaded { profile, name, .. }
        | Msg::Created { profile, name, .. }
        | Msg::ValuePut { profile, name, .. }
        | Msg::RolledBack { profile, name, .. }
        | Msg::Described { profile, name, .. }
        | Msg::TagsLoaded { profile, name, .. }
        | Msg::TagsChanged { profile, name, .. }
        | Msg::ValueForCopy { profile, name, .. } => Some((*profile, name)),
        Msg::Loaded { profile, .. } => Some((*profile, "")),
        Msg::HistoryLoaded(_) | Msg::PasswordGenerated(_) => Some((usize::MAX, "")),
        _ => None,
    }
}

/// The change an effect makes, as the journal names it.
fn change_of(effect: &Effect) -> Option<(usize, &str, &'static str)> {
    let (profile, name) = owed_key(effect);
    let action = match effect {
        Effect::Cancel { .. } => "cancel",
        Effect::Schedule { .. } => "schedule",
        Effect::Create { .. } => "create",
        Effect::PutValue { .. } => "put-value",
        Effect::Rollback { .. } => "rollback",
        Effect::Describe { .. } => "update",
        Effect::ChangeTags { .. } => "tag",
        _ => return None,
    };
    Some((profile, name, action))
}

/// The message that tells the UI an owed answer will not come.
fn unanswered(owed: Owed, why: &Error) -> Option<Msg> {
    let unknown = format!("{OUTCOME_UNKNOWN} ({why}); the next refresh shows what the server has");
    let failed = why.to_string();
    Some(match owed.effect {
        Effect::Load { generation, profile } => Msg::Loaded { generation, profile, result: Err(LoadError::of(why)) },
        Effect::Cancel { profile, name } => Msg::CancelDone {
            profile,
            name,
            outcome: Box::new(reconcile::CancelOutcome::Unknown { error: why.clone(), seen: None }),
            bulk: owed.bulk,
        },
        Effect::Schedule { profile, name, .. } => Msg::ScheduleDone { profile, name, result: Err(unknown) },
        Effect::Create { profile, name, .. } => Msg::Created { profile, name, result: Err(unknown) },
        Effect::PutValue { profile, name, .. } => Msg::ValuePut { profile, name, result: Err(unknown) },
        Effect::Rollback { profile, name, from, to } => {
            Msg::RolledBack { profile, name, from, to, result: Err(unknown) }
        }
        Effect::Describe { profile, name, .. } => Msg::Described { profile, name, result: Err(unknown) },
        Effect::ChangeTags { profile, name, .. } => Msg::TagsChanged { profile, name, result: Err(unknown) },
        Effect::RevealValue { profile, name, version } => {
            Msg::ValueLoaded { profile, name, version, result: Err(failed) }
        }
        Effect::CopyValue { profile, name } => Msg::ValueForCopy { profile, name, result: Err(failed) },
        Effect::LoadVersions { profile, name } => Msg::VersionsLoaded { profile, name, result: Err(failed) },
        Effect::LoadTags { profile, name } => Msg::TagsLoaded { profile, name, result: Err(failed) },
        Effect::GeneratePassword { .. } => Msg::PasswordGenerated(Err(failed)),
        Effect::LoadHistory => Msg::HistoryLoaded(Err(failed)),
        Effect::CancelMany { .. } | Effect::Clipboard { .. } => return None,
    })
}

/// A panic's message, as `panic!` was given it.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload.downcast::<&str>().map_or_else(|_| "(no message)".into(), |s| s.to_string()),
    }
}

/// An outcome as the UI shows it: an unknown one says so.
fn outcome_result<T>(outcome: Outcome<T>) -> Result<T, String> {
    match outcome {
        Outcome::Done(t) => Ok(t),
        Outcome::Failed(e) => Err(e.to_string()),
        Outcome::Unknown(e) => Err(format!("{OUTCOME_UNKNOWN} ({e}); the next refresh shows what the server has")),
    }
}

/// Where the profile `under` still stands in place of its targets, if it does.
fn finding_index(profiles: &[Profile], under: &str) -> Option<usize> {
    profiles.iter().position(|p| p.name == under && crate::discovery::finding(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_task_that_panics_reports_its_changes_unknown_to_the_ui_and_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut w = Worker::new(vec![], tx);
        let journal = Arc::new(Journal::at(&dir.path().join("journal.jsonl")));
        w.journal = Some(journal.clone());
        // A thread that panicked holding the clients' lock: the next task to need a client panics on it.
        let clients = w.clients.clone();
        std::thread::spawn(move || {
            let _held = clients.lock().unwrap();
            panic!("the lock is poisoned");
        })
        .join()
        .unwrap_err();

        w.run(Effect::Cancel { profile: 0, name: "db".into() });
        w.run(Effect::CancelMany { profile: 0, names: vec!["a".into(), "b".into()] });
        let mut answered = Vec::new();
        while answered.len() < 3 {
            match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap() {
                Msg::CancelDone { name, outcome, bulk, .. } => {
                    assert!(matches!(*outcome, reconcile::CancelOutcome::Unknown { .. }), "{name}: {outcome:?}");
                    answered.push((name, bulk));
                }
                other => panic!("{other:?}"),
            }
        }
        answered.sort();
        assert_eq!(answered, [("a".into(), true), ("b".into(), true), ("db".into(), false)]);
        let (entries, _) = journal.read().unwrap();
        let mut lines: Vec<_> =
            entries.iter().map(|e| (e.secret.as_str(), e.action.as_str(), e.outcome.as_str())).collect();
        lines.sort();
        assert_eq!(lines, [("a", "cancel", "unknown"), ("b", "cancel", "unknown"), ("db", "cancel", "unknown")]);
    }
}
