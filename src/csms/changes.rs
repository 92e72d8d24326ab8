//! Each change to a secret as one call that learns its outcome: sent once,
//! read back after a lost answer (`reconcile::apply`), never repeated
//! blindly. The CLI and the TUI's worker both go through here.

use std::collections::BTreeSet;

use super::client::Client;
use super::model::VersionMetadata;
use super::model::{CreateSecretRequest, CreateVersionRequest, Secret, Stage, Tag, TagBatch, UpdateSecretRequest};
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

pub async fn create(client: &Client, req: &CreateSecretRequest) -> Outcome<Secret> {
    apply(client, || client.create_secret(req), || find(client, &req.name)).await
}

/// A new version with `value`; `before` are the version ids that existed
/// before, so that a lost answer can be told from a new version.
pub async fn put_value(client: &Client, name: &str, value: &Redacted, before: &[String]) -> Outcome<VersionMetadata> {
    let req = CreateVersionRequest { secret_string: Some(value.expose().to_string()), ..Default::default() };
    let before: BTreeSet<&str> = before.iter().map(String::as_str).collect();
    apply(
        client,
        || client.create_version(name, &req),
        || async {
            let now = client.list_versions(name).await?;
            Ok(now.into_iter().find(|v| !before.contains(v.id.as_str())))
        },
    )
    .await
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

/// Restores a backup; `name` (when the backup says it) lets a lost answer be read back.
pub async fn restore(client: &Client, blob: &Redacted, name: Option<&str>) -> Outcome<Secret> {
    apply(
        client,
        || client.restore(blob),
        || async {
            match name {
                Some(n) => find(client, n).await,
                None => Err(super::Error::Invalid("the backup does not name its secret".into())),
            }
        },
    )
    .await
}
