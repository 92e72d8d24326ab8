//! The emulator's SQLite store: secrets, their versions and stages, per project.
//!
//! The whole `Secret` is kept as JSON beside the columns that are queried
//! (name, state, deletion time), so the stored shape is the wire shape.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

mod backup;
mod tags;

pub use tags::TagAction;

use super::error::ApiError;
use super::rules::{self, MAX_STAGES, MAX_VERSIONS};
use crate::csms::model::{
    CreateSecretRequest, CreateVersionRequest, Millis, Secret, SecretState, Stage, UpdateSecretRequest, VersionMetadata,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS secrets (
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    scheduled_delete_time INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (project_id, name)
);
CREATE TABLE IF NOT EXISTS tags (
    project_id TEXT NOT NULL,
    secret_name TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (project_id, secret_name, key)
);
CREATE INDEX IF NOT EXISTS secrets_due ON secrets (scheduled_delete_time) WHERE scheduled_delete_time IS NOT NULL;
CREATE TABLE IF NOT EXISTS versions (
    project_id TEXT NOT NULL,
    secret_name TEXT NOT NULL,
    num INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    expire_time INTEGER,
    kms_key_id TEXT,
    secret_string TEXT,
    secret_binary TEXT,
    PRIMARY KEY (project_id, secret_name, num)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS stages (
    project_id TEXT NOT NULL,
    secret_name TEXT NOT NULL,
    stage TEXT NOT NULL,
    num INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY (project_id, secret_name, stage)
);
";

pub const SYSCURRENT: &str = "SYSCURRENT";
pub const SYSPREVIOUS: &str = "SYSPREVIOUS";
/// The KMS key a secret gets when none is named.
pub const DEFAULT_KMS_KEY: &str = "00000000-0000-4000-8000-00000000c5a5";

pub type StoreResult<T> = Result<T, ApiError>;

pub struct Store {
    conn: Connection,
}

/// A version's value.
pub struct VersionValue {
    pub metadata: VersionMetadata,
    pub secret_string: Option<String>,
    pub secret_binary: Option<String>,
}

fn version_id(num: i64) -> String {
    format!("v{num}")
}

impl Store {
    /// A file database in WAL mode: an acknowledged write survives a crash of
    /// the process, and the state survives a restart.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Store::init(conn)
    }

    pub fn in_memory() -> rusqlite::Result<Store> {
        Store::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> rusqlite::Result<Store> {
        conn.pragma_update(None, "busy_timeout", 5000)?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store { conn })
    }

    /// How far the emulator's clock was moved, as last kept.
    pub fn clock_offset(&self) -> StoreResult<Millis> {
        let stored: Option<i64> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'clock_offset'", [], |r| r.get(0)).optional()?;
        Ok(stored.unwrap_or(0))
    }

    pub fn set_clock_offset(&self, offset: Millis) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('clock_offset', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![offset],
        )?;
        Ok(())
    }

    // ---- secrets ---------------------------------------------------------

    pub fn get(&self, project: &str, name: &str) -> StoreResult<Option<Secret>> {
        let body: Option<String> = self
            .conn
            .query_row("SELECT body FROM secrets WHERE project_id = ?1 AND name = ?2", params![project, name], |r| {
                r.get(0)
            })
            .optional()?;
        body.map(|b| serde_json::from_str(&b).map_err(|e| ApiError::internal(e.to_string()))).transpose()
    }

    fn require(&self, project: &str, name: &str) -> StoreResult<Secret> {
        self.get(project, name)?.ok_or_else(|| ApiError::secret_not_found(name))
    }

    fn put(&self, project: &str, secret: &Secret) -> StoreResult<()> {
        StoreTx(&self.conn).put(project, secret)
    }

    /// A page of secrets sorted by name, starting after `marker` (where the
    /// name order would put it, whether or not it exists), only those
    /// subscribed to `event` when one is named; the flag says whether more follow.
    pub fn list(
        &self,
        project: &str,
        limit: u32,
        marker: Option<&str>,
        event: Option<&str>,
    ) -> StoreResult<(Vec<Secret>, bool)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM secrets WHERE project_id = ?1 AND name > ?2
             AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(body, '$.event_subscriptions') WHERE value = ?4))
             ORDER BY name LIMIT ?3",
        )?;
        let rows =
            stmt.query_map(params![project, marker.unwrap_or(""), limit as i64 + 1, event], |r| r.get::<_, String>(0))?;
        let mut secrets = Vec::new();
        for row in rows {
            secrets.push(serde_json::from_str(&row?).map_err(|e| ApiError::internal(e.to_string()))?);
        }
        let more = secrets.len() > limit as usize;
        secrets.truncate(limit as usize);
        Ok((secrets, more))
    }

    pub fn create(&mut self, project: &str, req: &CreateSecretRequest, now: Millis) -> StoreResult<Secret> {
        rules::create(req)?;
        if self.get(project, &req.name)?.is_some() {
            return Err(ApiError::bad_request("CSMS.0003", format!("secret {} already exists", req.name)));
        }
        let secret = Secret {
            id: Some(uuid::Uuid::new_v4().to_string()),
            state: Some(SecretState::Enabled),
            kms_key_id: Some(req.kms_key_id.clone().unwrap_or_else(|| DEFAULT_KMS_KEY.into())),
            description: Some(req.description.clone().unwrap_or_default()),
            create_time: Some(now),
            update_time: Some(now),
            secret_type: Some(req.secret_type.clone().unwrap_or_else(|| "COMMON".into())),
            auto_rotation: Some(req.auto_rotation.unwrap_or(false)),
            rotation_period: req.rotation_period.clone(),
            event_subscriptions: Some(req.event_subscriptions.clone().unwrap_or_default()),
            enterprise_project_id: Some(req.enterprise_project_id.clone().unwrap_or_else(|| "0".into())),
            rotation_config: req.rotation_config.clone().map(serde_json::Value::String),
            rotation_func_urn: req.rotation_func_urn.clone(),
            ..Secret::named(req.name.clone())
        };
        let tx = self.conn.transaction()?;
        {
            let store = StoreTx(&tx);
            store.put(project, &secret)?;
            store.add_version(
                project,
                &secret,
                req.secret_string.as_deref(),
                req.secret_binary.as_deref(),
                None,
                None,
                now,
            )?;
        }
        tx.commit()?;
        Ok(secret)
    }

    pub fn update(&self, project: &str, name: &str, req: &UpdateSecretRequest, now: Millis) -> StoreResult<Secret> {
        let mut s = self.require(project, name)?;
        if s.is_pending_delete() {
            return Err(ApiError::pending_delete(name));
        }
        rules::update(req, s.rotation_period.as_deref())?;
        if let Some(d) = &req.description {
            s.description = Some(d.clone());
        }
        if let Some(k) = &req.kms_key_id {
            s.kms_key_id = Some(k.clone());
        }
        if let Some(a) = req.auto_rotation {
            s.auto_rotation = Some(a);
        }
        if let Some(p) = &req.rotation_period {
            s.rotation_period = Some(p.clone());
        }
        if let Some(e) = &req.event_subscriptions {
            s.event_subscriptions = Some(e.clone());
        }
        if let Some(u) = &req.rotation_func_urn {
            s.rotation_func_urn = Some(u.clone());
        }
        s.update_time = Some(now);
        self.put(project, &s)?;
        Ok(s)
    }

    pub fn delete(&mut self, project: &str, name: &str) -> StoreResult<()> {
        self.require(project, name)?;
        let tx = self.conn.transaction()?;
        delete_rows(&tx, project, name)?;
        tx.commit()?;
        Ok(())
    }

    pub fn schedule_deletion(&self, project: &str, name: &str, days: i64, now: Millis) -> StoreResult<Secret> {
        if !(7..=30).contains(&days) {
            return Err(ApiError::invalid(format!("recovery_window_in_days must be between 7 and 30, got {days}")));
        }
        let mut s = self.require(project, name)?;
        if s.is_pending_delete() {
            return Err(ApiError::bad_request("CSMS.0107", format!("secret {name} is already scheduled for deletion")));
        }
        s.state = Some(SecretState::PendingDelete);
        s.scheduled_delete_time = Some(now + days * 86_400_000);
        s.update_time = Some(now);
        self.put(project, &s)?;
        Ok(s)
    }

    pub fn cancel_deletion(&self, project: &str, name: &str, now: Millis) -> StoreResult<Secret> {
        let mut s = self.require(project, name)?;
        if !s.is_pending_delete() {
            return Err(ApiError::bad_request("CSMS.0108", format!("secret {name} is not scheduled for deletion")));
        }
        s.state = Some(SecretState::Enabled);
        s.scheduled_delete_time = None;
        s.update_time = Some(now);
        self.put(project, &s)?;
        Ok(s)
    }

    /// Deletes every secret whose recovery window has passed; returns their names.
    pub fn reap(&mut self, now: Millis) -> StoreResult<Vec<(String, String)>> {
        let due: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT project_id, name FROM secrets
                 WHERE state = 'PENDING_DELETE' AND scheduled_delete_time IS NOT NULL AND scheduled_delete_time <= ?1",
            )?;
            stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        if due.is_empty() {
            return Ok(due);
        }
        let tx = self.conn.transaction()?;
        for (project, name) in &due {
            delete_rows(&tx, project, name)?;
        }
        tx.commit()?;
        Ok(due)
    }

    pub fn reset(&self) -> StoreResult<()> {
        self.conn.execute_batch("DELETE FROM secrets; DELETE FROM versions; DELETE FROM stages; DELETE FROM tags;")?;
        Ok(())
    }

    /// Puts a secret in any state at once (demo data and tests).
    pub fn seed(&mut self, project: &str, secret: &Secret, value: &str, now: Millis) -> StoreResult<()> {
        let tx = self.conn.transaction()?;
        {
            let store = StoreTx(&tx);
            store.put(project, secret)?;
            store.add_version(project, secret, Some(value), None, None, None, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    // ---- versions and stages ----------------------------------------------

    pub fn list_versions(
        &self,
        project: &str,
        name: &str,
        limit: u32,
        marker: Option<&str>,
    ) -> StoreResult<(Vec<VersionMetadata>, bool)> {
        let secret = self.require(project, name)?;
        // A marker is a position: `v7` starts after v7 whether or not v7 is still there.
        let after = match marker {
            None => 0,
            Some("latest") => StoreTx(&self.conn).stage_num(project, name, SYSCURRENT)?.unwrap_or(0),
            Some(m) => parse_version_id(m)?,
        };
        let nums: Vec<i64> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT num FROM versions WHERE project_id = ?1 AND secret_name = ?2 AND num > ?3 ORDER BY num LIMIT ?4",
            )?;
            stmt.query_map(params![project, name, after, limit as i64 + 1], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let more = nums.len() > limit as usize;
        let mut out = Vec::new();
        for num in nums.into_iter().take(limit as usize) {
            out.push(StoreTx(&self.conn).metadata(project, &secret, num)?);
        }
        Ok((out, more))
    }

    pub fn get_version(&self, project: &str, name: &str, version: &str) -> StoreResult<VersionValue> {
        let secret = self.require(project, name)?;
        match secret.state.as_ref() {
            Some(SecretState::PendingDelete) => return Err(ApiError::pending_delete(name)),
            Some(SecretState::Enabled) => {}
            other => {
                return Err(ApiError::bad_request(
                    "CSMS.0003",
                    format!(
                        "secret {name} is {} and its value cannot be read",
                        other.map_or("UNKNOWN", |s| s.as_str())
                    ),
                ));
            }
        }
        let num = self.resolve_version(project, name, version)?;
        let (secret_string, secret_binary): (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT secret_string, secret_binary FROM versions WHERE project_id = ?1 AND secret_name = ?2 AND num = ?3",
            params![project, name, num],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(VersionValue {
            metadata: StoreTx(&self.conn).metadata(project, &secret, num)?,
            secret_string,
            secret_binary,
        })
    }

    pub fn create_version(
        &mut self,
        project: &str,
        name: &str,
        req: &CreateVersionRequest,
        now: Millis,
    ) -> StoreResult<VersionMetadata> {
        let mut secret = self.require(project, name)?;
        if secret.is_pending_delete() {
            return Err(ApiError::pending_delete(name));
        }
        rules::value(req.secret_string.as_deref(), req.secret_binary.as_deref())?;
        rules::version_stages(req.version_stages.as_deref())?;
        rules::expire_time(req.expire_time)?;
        if self.version_count(project, name)? >= MAX_VERSIONS as i64 {
            return Err(ApiError::bad_request(
                "CSMS.0202",
                format!("secret {name} has {MAX_VERSIONS} versions, the most a secret can hold"),
            ));
        }
        let stages = req.version_stages.clone().unwrap_or_else(|| vec![SYSCURRENT.to_string()]);
        self.check_stage_quota(project, name, &stages)?;
        secret.update_time = Some(now);
        let tx = self.conn.transaction()?;
        let meta = {
            let store = StoreTx(&tx);
            store.put(project, &secret)?;
            store.add_version(
                project,
                &secret,
                req.secret_string.as_deref(),
                req.secret_binary.as_deref(),
                req.version_stages.clone(),
                req.expire_time,
                now,
            )?
        };
        tx.commit()?;
        Ok(meta)
    }

    /// Sets (or clears) a version's expiry; only an ENABLED secret's.
    pub fn update_version(
        &self,
        project: &str,
        name: &str,
        version: &str,
        expire_time: Option<Millis>,
    ) -> StoreResult<VersionMetadata> {
        let secret = self.require(project, name)?;
        if secret.is_pending_delete() {
            return Err(ApiError::pending_delete(name));
        }
        if secret.state != Some(SecretState::Enabled) {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "CSMS.0109",
                format!("secret {name} is {} and cannot be changed", secret.state_label()),
            ));
        }
        rules::expire_time(expire_time)?;
        let num = self.resolve_version(project, name, version)?;
        self.conn.execute(
            "UPDATE versions SET expire_time = ?4 WHERE project_id = ?1 AND secret_name = ?2 AND num = ?3",
            params![project, name, num, expire_time],
        )?;
        StoreTx(&self.conn).metadata(project, &secret, num)
    }

    pub fn get_stage(&self, project: &str, name: &str, stage: &str) -> StoreResult<Stage> {
        self.require(project, name)?;
        let row: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT num, update_time FROM stages WHERE project_id = ?1 AND secret_name = ?2 AND stage = ?3",
                params![project, name, stage],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (num, update_time) =
            row.ok_or_else(|| ApiError::resource_not_found(format!("stage {stage} of secret {name} does not exist")))?;
        Ok(Stage {
            name: stage.to_string(),
            update_time: Some(update_time),
            secret_name: Some(name.to_string()),
            version_id: Some(version_id(num)),
        })
    }

    pub fn move_stage(
        &mut self,
        project: &str,
        name: &str,
        stage: &str,
        version: &str,
        now: Millis,
    ) -> StoreResult<Stage> {
        let secret = self.require(project, name)?;
        if secret.is_pending_delete() {
            return Err(ApiError::pending_delete(name));
        }
        rules::stage_name(stage)?;
        let num = self.resolve_version(project, name, version)?;
        let mut added = vec![stage.to_string()];
        if stage == SYSCURRENT {
            added.push(SYSPREVIOUS.to_string());
        }
        self.check_stage_quota(project, name, &added)?;
        let tx = self.conn.transaction()?;
        {
            let store = StoreTx(&tx);
            if stage == SYSCURRENT {
                // Moving SYSCURRENT by hand demotes the old current version, as a new version does.
                if let Some(old) = store.stage_num(project, name, SYSCURRENT)?
                    && old != num
                {
                    store.set_stage(project, name, SYSPREVIOUS, old, now)?;
                }
            }
            store.set_stage(project, name, stage, num, now)?;
        }
        tx.commit()?;
        self.get_stage(project, name, stage)
    }

    pub fn delete_stage(&self, project: &str, name: &str, stage: &str) -> StoreResult<()> {
        self.require(project, name)?;
        if stage == SYSCURRENT || stage == SYSPREVIOUS {
            return Err(ApiError::bad_request("CSMS.0105", format!("the built-in stage {stage} cannot be deleted")));
        }
        let n = self.conn.execute(
            "DELETE FROM stages WHERE project_id = ?1 AND secret_name = ?2 AND stage = ?3",
            params![project, name, stage],
        )?;
        if n == 0 {
            return Err(ApiError::resource_not_found(format!("stage {stage} of secret {name} does not exist")));
        }
        Ok(())
    }

    fn version_count(&self, project: &str, name: &str) -> StoreResult<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM versions WHERE project_id = ?1 AND secret_name = ?2",
            params![project, name],
            |r| r.get(0),
        )?)
    }

    /// A secret carries at most 12 stages: adding one more is CSMS.0203.
    fn check_stage_quota(&self, project: &str, name: &str, adding: &[String]) -> StoreResult<()> {
        let existing: Vec<String> = {
            let mut stmt =
                self.conn.prepare_cached("SELECT stage FROM stages WHERE project_id = ?1 AND secret_name = ?2")?;
            stmt.query_map(params![project, name], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let new = adding.iter().filter(|s| !existing.contains(s)).collect::<std::collections::HashSet<_>>().len();
        if existing.len() + new > MAX_STAGES {
            return Err(ApiError::bad_request(
                "CSMS.0203",
                format!("secret {name} would carry more than {MAX_STAGES} stages"),
            ));
        }
        Ok(())
    }

    /// `v3` or `latest` to a version number that exists.
    fn resolve_version(&self, project: &str, name: &str, version: &str) -> StoreResult<i64> {
        let not_found = || ApiError::resource_not_found(format!("version {version} of secret {name} does not exist"));
        if version == "latest" {
            return StoreTx(&self.conn).stage_num(project, name, SYSCURRENT)?.ok_or_else(not_found);
        }
        let num = parse_version_id(version)?;
        let exists: Option<i64> = self
            .conn
            .query_row(
                "SELECT num FROM versions WHERE project_id = ?1 AND secret_name = ?2 AND num = ?3",
                params![project, name, num],
                |r| r.get(0),
            )
            .optional()?;
        exists.ok_or_else(not_found)
    }
}

/// Operations that run inside a transaction or on the plain connection.
struct StoreTx<'a>(&'a Connection);

impl StoreTx<'_> {
    fn put(&self, project: &str, secret: &Secret) -> StoreResult<()> {
        let body = serde_json::to_string(secret).expect("serializable");
        self.0.execute(
            "INSERT INTO secrets (project_id, name, state, scheduled_delete_time, body)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (project_id, name) DO UPDATE SET
               state = excluded.state, scheduled_delete_time = excluded.scheduled_delete_time, body = excluded.body",
            params![project, secret.name, secret.state_label(), secret.scheduled_delete_time, body],
        )?;
        Ok(())
    }

    fn stage_num(&self, project: &str, name: &str, stage: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .0
            .query_row(
                "SELECT num FROM stages WHERE project_id = ?1 AND secret_name = ?2 AND stage = ?3",
                params![project, name, stage],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn set_stage(&self, project: &str, name: &str, stage: &str, num: i64, now: Millis) -> StoreResult<()> {
        self.0.execute(
            "INSERT INTO stages (project_id, secret_name, stage, num, update_time) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (project_id, secret_name, stage) DO UPDATE SET num = excluded.num, update_time = excluded.update_time",
            params![project, name, stage, num, now],
        )?;
        Ok(())
    }

    /// Adds the next version. SYSCURRENT moves to it unless other stages are
    /// named; the version that loses SYSCURRENT becomes SYSPREVIOUS.
    #[allow(clippy::too_many_arguments)]
    fn add_version(
        &self,
        project: &str,
        secret: &Secret,
        secret_string: Option<&str>,
        secret_binary: Option<&str>,
        stages: Option<Vec<String>>,
        expire_time: Option<Millis>,
        now: Millis,
    ) -> StoreResult<VersionMetadata> {
        let name = &secret.name;
        let num: i64 = self.0.query_row(
            "SELECT COALESCE(MAX(num), 0) + 1 FROM versions WHERE project_id = ?1 AND secret_name = ?2",
            params![project, name],
            |r| r.get(0),
        )?;
        self.0.execute(
            "INSERT INTO versions (project_id, secret_name, num, create_time, expire_time, kms_key_id, secret_string, secret_binary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![project, name, num, now, expire_time, secret.kms_key_id, secret_string, secret_binary],
        )?;
        let stages = stages.unwrap_or_else(|| vec![SYSCURRENT.to_string()]);
        for stage in &stages {
            if stage == SYSCURRENT
                && let Some(old) = self.stage_num(project, name, SYSCURRENT)?
            {
                self.set_stage(project, name, SYSPREVIOUS, old, now)?;
            }
            self.set_stage(project, name, stage, num, now)?;
        }
        self.metadata(project, secret, num)
    }

    fn metadata(&self, project: &str, secret: &Secret, num: i64) -> StoreResult<VersionMetadata> {
        let (create_time, expire_time, kms_key_id): (i64, Option<i64>, Option<String>) = self.0.query_row(
            "SELECT create_time, expire_time, kms_key_id FROM versions WHERE project_id = ?1 AND secret_name = ?2 AND num = ?3",
            params![project, secret.name, num],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut stmt = self.0.prepare_cached(
            "SELECT stage FROM stages WHERE project_id = ?1 AND secret_name = ?2 AND num = ?3 ORDER BY stage",
        )?;
        let version_stages =
            stmt.query_map(params![project, secret.name, num], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
        Ok(VersionMetadata {
            id: version_id(num),
            create_time: Some(create_time),
            expire_time,
            kms_key_id,
            secret_name: Some(secret.name.clone()),
            version_stages,
        })
    }
}

fn delete_rows(conn: &Connection, project: &str, name: &str) -> StoreResult<()> {
    for table in [
        "DELETE FROM secrets WHERE project_id = ?1 AND name = ?2",
        "DELETE FROM versions WHERE project_id = ?1 AND secret_name = ?2",
        "DELETE FROM stages WHERE project_id = ?1 AND secret_name = ?2",
        "DELETE FROM tags WHERE project_id = ?1 AND secret_name = ?2",
    ] {
        conn.execute(table, params![project, name])?;
    }
    Ok(())
}

/// `v1`..`v9999999999` to its number.
fn parse_version_id(version: &str) -> StoreResult<i64> {
    version
        .strip_prefix('v')
        .filter(|d| (1..=10).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<i64>().ok())
        .ok_or_else(|| ApiError::invalid(format!("invalid version id '{version}'")))
}
