//! Each change to a secret as one call that learns its outcome: sent once,
//! read back after a lost answer (`reconcile::apply`), never repeated
//! blindly. The CLI and the TUI's worker both go through here.

use std::collections::BTreeSet;

use super::client::Client;
use super::model::{CreateSecretRequest, CreateVersionRequest, Secret, Stage, Tag, TagBatch, UpdateSecretRequest};
use super::model::{Millis, VersionMetadata};
use super::reconcile::{Outcome, apply};
use super::redact::Redacted;

/// Reads a secret back: `None` when it does not exist.
async fn find(client: &Client, name: &str) -> super::Result<Option<Secret>> {
    match client.show_secret(name).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// How far before a request's start a server time may fall and still be
/// the request's: the service's times and its `Date` are cut to the second,
/// and the server's clock is known to within two seconds.
const CLOCK_SLACK_MS: Millis = 3_000;

/// When a request was first sent, by this machine's clock: what a lost
/// answer's read-back compares the server's times to.
#[derive(Debug, Clone, Copy)]
struct Sent(Millis);

impl Sent {
    fn now() -> Sent {
        Sent(crate::timefmt::now_ms())
    }

    /// Whether the server's `time` is at or after the send, on the server's
    /// clock (as its last `Date` told). No time proves nothing.
    fn precedes(self, client: &Client, time: Option<Millis>) -> bool {
        let start = self.0.saturating_add(client.clock_offset().unwrap_or(0)).saturating_sub(CLOCK_SLACK_MS);
        time.is_some_and(|t| t >= start)
    }
}

pub async fn create(client: &Client, req: &CreateSecretRequest) -> Outcome<Secret> {
    let sent = Sent::now();
    apply(client, || client.create_secret(req), || made_by(client, req, sent)).await
}

/// Reads back a create whose answer was lost. A secret of that name proves
/// nothing by itself (it may have been there before, and the create
/// refused): it is this create's only when its one version holds the value
/// sent and it was created after the request was sent. Any other secret of
/// that name leaves the outcome unknown.
async fn made_by(client: &Client, req: &CreateSecretRequest, sent: Sent) -> super::Result<Option<Secret>> {
    let Some(secret) = find(client, &req.name).await? else { return Ok(None) };
    let versions = client.list_versions(&req.name).await?;
    let holds_ours = match versions.as_slice() {
        [only] => {
            let v = client.show_version(&req.name, &only.id).await?;
            v.secret_string == req.secret_string && v.secret_binary == req.secret_binary
        }
        _ => false,
    };
    let lost = |why: String| {
        Err(super::Error::Invalid(format!(
            "the answer was lost, and the secret named {} that exists {why}: it is not known to be this create's",
            req.name
        )))
    };
    if !holds_ours {
        lost(format!("does not hold the value sent ({} versions)", versions.len()))
    } else if !sent.precedes(client, secret.create_time.or(versions[0].create_time)) {
        lost("holds the value sent but was created before the request was sent".into())
    } else {
        Ok(Some(secret))
    }
}

/// A new version with `value`; `before` are the version ids that existed
/// before, so that a lost answer can be told from a new version.
pub async fn put_value(client: &Client, name: &str, value: &Redacted, before: &[String]) -> Outcome<VersionMetadata> {
    let req = CreateVersionRequest { secret_string: Some(value.expose().to_string()), ..Default::default() };
    let before: BTreeSet<&str> = before.iter().map(String::as_str).collect();
    let sent = Sent::now();
    apply(client, || client.create_version(name, &req), || version_made_by(client, name, value, &before, sent)).await
}

/// Reads back a new value whose answer was lost: only a version that was not
/// there before, created after the request was sent and holding the value
/// sent is this request's. Another writer's version is not; when none is
/// ours the request did not land, and it is sent again.
async fn version_made_by(
    client: &Client,
    name: &str,
    value: &Redacted,
    before: &BTreeSet<&str>,
    sent: Sent,
) -> super::Result<Option<VersionMetadata>> {
    for v in client.list_versions(name).await? {
        if before.contains(v.id.as_str()) || !sent.precedes(client, v.create_time) {
            continue;
        }
        let shown = client.show_version(name, &v.id).await?;
        if shown.secret_string.as_deref() == Some(value.expose()) {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// Moves SYSCURRENT to `version` (the service moves SYSPREVIOUS along).
pub async fn rollback(client: &Client, name: &str, version: &str) -> Outcome<Stage> {
    apply(
        client,
        || client.move_stage(name, "SYSCURRENT", version),
        || async {
            let stage = client.show_stage(name, "SYSCURRENT").await?;
            Ok((stage.version_id.as_deref() == Some(version)).then_some(stage))
        },
    )
    .await
}

pub async fn describe(client: &Client, name: &str, description: &str) -> Outcome<Secret> {
    let req = UpdateSecretRequest { description: Some(description.to_string()), ..Default::default() };
    apply(
        client,
        || client.update_secret(name, &req),
        || async {
            let s = client.show_secret(name).await?;
            Ok((s.description.as_deref() == Some(description)).then_some(s))
        },
    )
    .await
}

/// Removes `delete` (keys) and then sets `create` on the secret with id
/// `secret_id`; the tags as the server then has them.
pub async fn change_tags(client: &Client, secret_id: &str, create: &[Tag], delete: &[Tag]) -> Outcome<Vec<Tag>> {
    let removed = |tags: &[Tag]| delete.iter().all(|d| !tags.iter().any(|t| t.key == d.key));
    let set = |tags: &[Tag]| create.iter().all(|c| tags.iter().any(|t| t.key == c.key && t.value == c.value));
    for (action, tags) in [("delete", delete), ("create", create)] {
        if tags.is_empty() {
            continue;
        }
        let batch = TagBatch { action: action.to_string(), tags: tags.to_vec() };
        let outcome = apply(
            client,
            || async { client.batch_tags(secret_id, &batch).await.map(|_| ()) },
            || async {
                let now = client.list_tags(secret_id).await?;
                let applied = if action == "delete" { removed(&now) } else { set(&now) };
                Ok(applied.then_some(()))
            },
        )
        .await;
        match outcome {
            Outcome::Done(()) => {}
            Outcome::Failed(e) => return Outcome::Failed(e),
            Outcome::Unknown(e) => return Outcome::Unknown(e),
        }
    }
    match client.list_tags(secret_id).await {
        Ok(tags) => Outcome::Done(tags),
        // The change is made; only the list that would show it failed.
        Err(e) => Outcome::Unknown(e),
    }
}

pub async fn delete_now(client: &Client, name: &str) -> Outcome<()> {
    apply(client, || client.delete_secret(name), || async { Ok(find(client, name).await?.is_none().then_some(())) })
        .await
}

/// The secret a backup says it holds: its name and its id, which a restore keeps.
#[derive(Debug, Clone, Copy)]
pub struct BackupOf<'a> {
    pub name: &'a str,
    pub id: &'a str,
}

/// A restore refused before it was sent: the secret with the backup's id
/// exists, under `secret` (its own name, whatever name the file gives).
#[derive(Debug)]
pub struct Refused {
    pub secret: String,
    pub error: super::Error,
}

/// Restores a backup. When the backup says which secret it holds, that
/// secret is looked for first: a restore over it is refused before anything
/// is sent (the service refuses it too), and its absence is what lets a lost
/// answer be read back, since the secret with the backup's id found after
/// the request can then only be this restore's.
pub async fn restore(
    client: &Client,
    blob: &Redacted,
    holds: Option<BackupOf<'_>>,
) -> Result<Outcome<Secret>, Refused> {
    if let Some(holds) = holds {
        match with_id(client, holds).await {
            Ok(None) => {}
            Ok(Some(s)) => {
                let error = super::Error::Invalid(format!(
                    "secret {} already exists (it has the backup's id {}), and the service refuses a restore \
                     over an existing secret: nothing was sent",
                    s.name, holds.id
                ));
                return Err(Refused { secret: s.name, error });
            }
            // Nothing was sent; without knowing the secret absent, a lost answer could not be read back.
            Err(e) => return Ok(Outcome::Failed(e)),
        }
    }
    Ok(apply(client, || client.restore(blob), || restored(client, holds)).await)
}

/// Reads back a restore whose answer was lost: the secret with the backup's
/// id, absent before the request, proves it.
async fn restored(client: &Client, holds: Option<BackupOf<'_>>) -> super::Result<Option<Secret>> {
    let Some(holds) = holds else {
        return Err(super::Error::Invalid(
            "the answer was lost, and the backup does not say which secret it holds".into(),
        ));
    };
    with_id(client, holds).await
}

/// The secret with the backup's id, if one exists. It is looked for under
/// the name the backup gives, then among every secret (a name edited in the
/// file must not make another secret pass for the restored one).
async fn with_id(client: &Client, holds: BackupOf<'_>) -> super::Result<Option<Secret>> {
    if let Some(s) = find(client, holds.name).await?
        && s.id.as_deref() == Some(holds.id)
    {
        return Ok(Some(s));
    }
    let all = client.list_secrets(200).await?;
    Ok(all.into_iter().find(|s| s.id.as_deref() == Some(holds.id)))
}
