//! The operations that manage a secret's life beyond its deletion: values,
//! stages, descriptions, tags, backups and generated passwords. Each is one
//! request through [`Client::send`]; `reconcile::apply` learns the outcome of
//! one whose answer was lost.

use reqwest::Method;

use super::client::Client;
use super::error::{Error, Result};
use super::model::*;
use super::redact::Redacted;

pub(super) const GENERATE_PASSWORD: &str = "generate password";
pub(super) const BACK_UP: &str = "back up secret";

/// POSTs that change nothing on the server: reads, for the read-only rule
/// (a read-only profile may still take a backup) and for the retries.
pub const READS_BY_POST: &[&str] = &[GENERATE_PASSWORD, BACK_UP];

#[derive(serde::Deserialize)]
struct PasswordEnvelope {
    password: String,
}

#[derive(serde::Deserialize)]
struct BlobEnvelope {
    secret_blob: String,
}

impl Client {
    /// A password from the service's generator (GenerateRandomPassword).
    pub async fn generate_password(&self, req: &PasswordRequest) -> Result<Redacted> {
        let body = serde_json::to_vec(req).expect("serializable");
        let env: PasswordEnvelope =
            self.json(Method::POST, &["csms", "generate-password"], vec![], Some(body), GENERATE_PASSWORD).await?;
        let password = Redacted::new(env.password);
        req.check_answer(password.expose()).map_err(|message| Error::Decode { message, request_id: None })?;
        Ok(password)
    }

    pub async fn show_stage(&self, name: &str, stage: &str) -> Result<Stage> {
        let env: StageEnvelope =
            self.json(Method::GET, &["secrets", name, "stages", stage], vec![], None, "show stage").await?;
        Ok(env.stage)
    }

    /// Puts `stage` on `version_id` (UpdateSecretStage). Moving SYSCURRENT
    /// is a rollback: the service moves SYSPREVIOUS along.
    pub async fn move_stage(&self, name: &str, stage: &str, version_id: &str) -> Result<Stage> {
        let body = serde_json::to_vec(&MoveStageRequest { version_id: version_id.to_string() }).expect("serializable");
        let env: StageEnvelope =
            self.json(Method::PUT, &["secrets", name, "stages", stage], vec![], Some(body), "move stage").await?;
        Ok(env.stage)
    }

    /// Sets a version's expiry (UpdateVersion).
    pub async fn update_version(
        &self,
        name: &str,
        version: &str,
        expire_time: Option<Millis>,
    ) -> Result<VersionMetadata> {
        let body = serde_json::to_vec(&UpdateVersionRequest { expire_time }).expect("serializable");
        let env: VersionMetadataEnvelope = self
            .json(Method::PUT, &["secrets", name, "versions", version], vec![], Some(body), "update version")
            .await?;
        Ok(env.version_metadata)
    }

    pub async fn list_tags(&self, secret_id: &str) -> Result<Vec<Tag>> {
        let list: TagList = self.json(Method::GET, &["csms", secret_id, "tags"], vec![], None, "list tags").await?;
        Ok(list.tags)
    }

    /// Creates (or re-values) or deletes tags in one request, all or none.
    pub async fn batch_tags(&self, secret_id: &str, batch: &TagBatch) -> Result<()> {
        let body = serde_json::to_vec(batch).expect("serializable");
        self.send(Method::POST, &["csms", secret_id, "tags", "action"], vec![], Some(body), "change tags").await?;
        Ok(())
    }

    /// The service's backup of a secret (DownloadSecretBlob): opaque, and as
    /// secret as the values it holds.
    pub async fn backup(&self, name: &str) -> Result<Redacted> {
        let env: BlobEnvelope = self.json(Method::POST, &["secrets", name, "backup"], vec![], None, BACK_UP).await?;
        Ok(Redacted::new(env.secret_blob))
    }

    /// Brings a backed-up secret back (UploadSecretBlob).
    pub async fn restore(&self, blob: &Redacted) -> Result<Secret> {
        let body = serde_json::to_vec(&serde_json::json!({ "secret_blob": blob.expose() })).expect("serializable");
        let env: SecretEnvelope =
            self.json(Method::POST, &["secrets", "restore"], vec![], Some(body), "restore secret").await?;
        Ok(env.secret)
    }
}
