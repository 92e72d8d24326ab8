//! Tags, addressed by the secret's id: one at a time, in batches, and all
//! of a project's at once.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreResult};
use crate::emulator::error::ApiError;
use crate::emulator::rules::{self, MAX_TAGS};

/// What a batch does with its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagAction {
    Create,
    Delete,
}

impl Store {
    /// The name of the secret with this id.
    fn name_of(&self, project: &str, secret_id: &str) -> StoreResult<String> {
        self.conn
            .query_row(
                "SELECT name FROM secrets WHERE project_id = ?1 AND json_extract(body, '$.id') = ?2",
                params![project, secret_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::resource_not_found(format!("secret {secret_id} does not exist")))
    }

    pub(super) fn tags_of(&self, project: &str, name: &str) -> StoreResult<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM tags WHERE project_id = ?1 AND secret_name = ?2 ORDER BY key")?;
        Ok(stmt.query_map(params![project, name], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?)
    }

    pub fn list_tags(&self, project: &str, secret_id: &str) -> StoreResult<Vec<(String, String)>> {
        let name = self.name_of(project, secret_id)?;
        self.tags_of(project, &name)
    }

    /// Adds a tag, or gives an existing key its new value.
    pub fn put_tag(&mut self, project: &str, secret_id: &str, key: &str, value: &str) -> StoreResult<()> {
        self.batch_tags(project, secret_id, TagAction::Create, &[(key.to_string(), Some(value.to_string()))])
    }

    pub fn delete_tag(&self, project: &str, secret_id: &str, key: &str) -> StoreResult<()> {
        let name = self.name_of(project, secret_id)?;
        let n = self.conn.execute(
            "DELETE FROM tags WHERE project_id = ?1 AND secret_name = ?2 AND key = ?3",
            params![project, name, key],
        )?;
        if n == 0 {
            return Err(ApiError::resource_not_found(format!("tag {key} does not exist")));
        }
        Ok(())
    }

    /// Creates (or re-values) or deletes several tags at once: all of them or,
    /// on any invalid tag or a count over 20, none. A delete with a value
    /// removes the key only while it has that value.
    pub fn batch_tags(
        &mut self,
        project: &str,
        secret_id: &str,
        action: TagAction,
        tags: &[(String, Option<String>)],
    ) -> StoreResult<()> {
        let name = self.name_of(project, secret_id)?;
        if tags.is_empty() {
            return Err(ApiError::invalid("tags names no tag"));
        }
        let mut after: BTreeMap<String, String> = self.tags_of(project, &name)?.into_iter().collect();
        for (key, value) in tags {
            match action {
                TagAction::Create => {
                    let value = value.clone().unwrap_or_default();
                    rules::tag(key, &value)?;
                    after.insert(key.clone(), value);
                }
                TagAction::Delete => {
                    if value.as_ref().is_none_or(|v| after.get(key) == Some(v)) {
                        after.remove(key);
                    }
                }
            }
        }
        if after.len() > MAX_TAGS {
            return Err(ApiError::invalid(format!("a secret has at most {MAX_TAGS} tags")));
        }
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM tags WHERE project_id = ?1 AND secret_name = ?2", params![project, name])?;
        for (key, value) in &after {
            tx.execute(
                "INSERT INTO tags (project_id, secret_name, key, value) VALUES (?1, ?2, ?3, ?4)",
                params![project, name, key, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every tag key of the project's secrets with the values it takes.
    pub fn project_tags(&self, project: &str) -> StoreResult<Vec<(String, Vec<String>)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT key, value FROM tags WHERE project_id = ?1 ORDER BY key, value")?;
        let rows: Vec<(String, String)> =
            stmt.query_map(params![project], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in rows {
            by_key.entry(k).or_default().push(v);
        }
        Ok(by_key.into_iter().collect())
    }
}
