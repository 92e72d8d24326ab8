//! Backups of one secret (DownloadSecretBlob) and their restore
//! (UploadSecretBlob). A blob holds every version, stage and tag, sealed
//! (ChaCha20-Poly1305) with a key kept in this database and bound to the
//! project: only the same emulator restores it, in the same project, and a
//! blob changed by one bit is refused.

use base64::Engine;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Store, StoreResult};
use crate::csms::model::{Millis, Secret, SecretState};
use crate::emulator::error::ApiError;

/// The blob's first byte: its format.
const FORMAT: u8 = 1;

/// The content of a blob, once opened.
#[derive(Serialize, Deserialize)]
pub struct SecretBlob {
    secret: Secret,
    versions: Vec<BlobVersion>,
    /// (stage, version number, update time)
    stages: Vec<(String, i64, Millis)>,
    tags: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct BlobVersion {
    num: i64,
    create_time: Millis,
    expire_time: Option<Millis>,
    kms_key_id: Option<String>,
    secret_string: Option<String>,
    secret_binary: Option<String>,
}

fn not_ours() -> ApiError {
    ApiError::invalid("secret_blob is not a backup made by this server for this project, or it was changed")
}

impl Store {
    /// This database's sealing key, made on first use.
    fn blob_key(&self) -> StoreResult<LessSafeKey> {
        let stored: Option<Vec<u8>> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'blob_key'", [], |r| r.get(0)).optional()?;
        let key = match stored {
            Some(k) => k,
            None => {
                let mut k = vec![0u8; 32];
                SystemRandom::new().fill(&mut k).map_err(|_| ApiError::internal("no randomness"))?;
                self.conn.execute("INSERT INTO meta (key, value) VALUES ('blob_key', ?1)", params![k])?;
                k
            }
        };
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key).map_err(|_| ApiError::internal("bad blob key"))?;
        Ok(LessSafeKey::new(unbound))
    }

    /// Everything about one secret, sealed. Values included: the blob is as
    /// secret as the secret.
    pub fn backup(&self, project: &str, name: &str) -> StoreResult<String> {
        let secret = self.require(project, name)?;
        let versions = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT num, create_time, expire_time, kms_key_id, secret_string, secret_binary FROM versions
                 WHERE project_id = ?1 AND secret_name = ?2 ORDER BY num",
            )?;
            stmt.query_map(params![project, name], |r| {
                Ok(BlobVersion {
                    num: r.get(0)?,
                    create_time: r.get(1)?,
                    expire_time: r.get(2)?,
                    kms_key_id: r.get(3)?,
                    secret_string: r.get(4)?,
                    secret_binary: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        let stages = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT stage, num, update_time FROM stages WHERE project_id = ?1 AND secret_name = ?2 ORDER BY stage",
            )?;
            stmt.query_map(params![project, name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<Vec<_>, _>>()?
        };
        let tags = self.tags_of(project, name)?;
        let mut sealed = serde_json::to_vec(&SecretBlob { secret, versions, stages, tags }).expect("serializable");
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| ApiError::internal("no randomness"))?;
        self.blob_key()?
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(project.as_bytes()), &mut sealed)
            .map_err(|_| ApiError::internal("sealing failed"))?;
        let mut blob = vec![FORMAT];
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(blob))
    }

    /// Brings a backed-up secret back, as it was but usable: a secret backed
    /// up while pending deletion comes back ENABLED. A name in use is refused.
    pub fn restore(&mut self, project: &str, blob: &str, now: Millis) -> StoreResult<Secret> {
        let raw = base64::engine::general_purpose::STANDARD.decode(blob.trim()).map_err(|_| not_ours())?;
        if raw.len() < 1 + NONCE_LEN || raw[0] != FORMAT {
            return Err(not_ours());
        }
        let nonce = Nonce::try_assume_unique_for_key(&raw[1..1 + NONCE_LEN]).map_err(|_| not_ours())?;
        let mut sealed = raw[1 + NONCE_LEN..].to_vec();
        let opened = self
            .blob_key()?
            .open_in_place(nonce, Aad::from(project.as_bytes()), &mut sealed)
            .map_err(|_| not_ours())?;
        let backup: SecretBlob = serde_json::from_slice(opened).map_err(|_| not_ours())?;
        let mut secret = backup.secret;
        if self.get(project, &secret.name)?.is_some() {
            return Err(ApiError::bad_request("CSMS.0003", format!("secret {} already exists", secret.name)));
        }
        if secret.is_pending_delete() {
            secret.state = Some(SecretState::Enabled);
            secret.scheduled_delete_time = None;
        }
        secret.update_time = Some(now);
        let name = secret.name.clone();
        let tx = self.conn.transaction()?;
        super::StoreTx(&tx).put(project, &secret)?;
        for v in &backup.versions {
            tx.execute(
                "INSERT INTO versions (project_id, secret_name, num, create_time, expire_time, kms_key_id, secret_string, secret_binary)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![project, name, v.num, v.create_time, v.expire_time, v.kms_key_id, v.secret_string, v.secret_binary],
            )?;
        }
        for (stage, num, update_time) in &backup.stages {
            tx.execute(
                "INSERT INTO stages (project_id, secret_name, stage, num, update_time) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![project, name, stage, num, update_time],
            )?;
        }
        for (key, value) in &backup.tags {
            tx.execute(
                "INSERT INTO tags (project_id, secret_name, key, value) VALUES (?1, ?2, ?3, ?4)",
                params![project, name, key, value],
            )?;
        }
        tx.commit()?;
        Ok(secret)
    }
}
