//! Who may call the emulator: projects, AK/SK pairs and IAM users, from a
//! TOML accounts file or generated at start.

use std::path::Path;

use rand::RngExt;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: String,
    #[serde(default = "default_region")]
    pub region: String,
    /// The IAM project name; a region's main project is named after it.
    #[serde(default)]
    pub name: Option<String>,
}

impl Project {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.region)
    }
}

fn default_region() -> String {
    "cn-north-4".to_string()
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialAccount {
    pub access_key: String,
    pub secret_key: String,
    /// Temporary credentials: requests must carry this `X-Security-Token`.
    #[serde(default)]
    pub security_token: Option<String>,
    pub projects: Vec<String>,
}

impl std::fmt::Debug for CredentialAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialAccount")
            .field("access_key", &self.access_key)
            .field("projects", &self.projects)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserAccount {
    pub domain: String,
    pub name: String,
    pub password: String,
    pub projects: Vec<String>,
}

impl std::fmt::Debug for UserAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserAccount")
            .field("domain", &self.domain)
            .field("name", &self.name)
            .field("projects", &self.projects)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accounts {
    #[serde(default)]
    pub projects: Vec<Project>,
    #[serde(default)]
    pub credentials: Vec<CredentialAccount>,
    #[serde(default)]
    pub users: Vec<UserAccount>,
}

fn random_string(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
}

pub fn random_project_id() -> String {
    random_string(32, b"0123456789abcdef")
}

pub fn random_access_key() -> String {
    random_string(20, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

pub fn random_secret_key() -> String {
    random_string(40, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
}

impl Accounts {
    pub fn load(path: &Path) -> Result<Accounts, String> {
        let text = crate::bounded::read_file_string(path, crate::bounded::FILE_LIMIT)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let accounts: Accounts = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            match line {
                Some(l) => format!("{}:{l}: {}", path.display(), e.message()),
                None => format!("{}: {}", path.display(), e.message()),
            }
        })?;
        accounts.validate().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(accounts)
    }

    /// One project and one AK/SK pair, made up on the spot.
    pub fn generated() -> Accounts {
        let project = random_project_id();
        Accounts {
            projects: vec![Project { id: project.clone(), region: default_region(), name: None }],
            credentials: vec![CredentialAccount {
                access_key: random_access_key(),
                secret_key: random_secret_key(),
                security_token: None,
                projects: vec![project],
            }],
            users: vec![],
        }
    }

    fn validate(&self) -> Result<(), String> {
        if self.projects.is_empty() {
            return Err("no [[projects]]".into());
        }
        for p in &self.projects {
            if !is_valid_project_id(&p.id) {
                return Err(format!("project id '{}' is not 1 to 64 of letters, digits, '_' and '-'", p.id));
            }
        }
        let mut keys = std::collections::HashSet::new();
        for c in &self.credentials {
            if c.access_key.trim().is_empty() {
                return Err("a credential has an empty access_key".into());
            }
            if c.secret_key.is_empty() {
                return Err(format!("credential {} has an empty secret_key", c.access_key));
            }
            if !keys.insert(c.access_key.as_str()) {
                return Err(format!("access key {} is listed twice", c.access_key));
            }
        }
        let mut users = std::collections::HashSet::new();
        for u in &self.users {
            if u.password.is_empty() {
                return Err(format!("user {}/{} has an empty password", u.domain, u.name));
            }
            if !users.insert((u.domain.as_str(), u.name.as_str())) {
                return Err(format!("user {}/{} is listed twice", u.domain, u.name));
            }
        }
        let known = |p: &String| self.projects.iter().any(|x| &x.id == p);
        for c in &self.credentials {
            if let Some(p) = c.projects.iter().find(|p| !known(p)) {
                return Err(format!("credential {} names unknown project {p}", c.access_key));
            }
        }
        for u in &self.users {
            if let Some(p) = u.projects.iter().find(|p| !known(p)) {
                return Err(format!("user {}/{} names unknown project {p}", u.domain, u.name));
            }
        }
        Ok(())
    }

    pub fn credential(&self, access_key: &str) -> Option<&CredentialAccount> {
        self.credentials.iter().find(|c| c.access_key == access_key)
    }

    pub fn user(&self, domain: &str, name: &str) -> Option<&UserAccount> {
        self.users.iter().find(|u| u.domain == domain && u.name == name)
    }

    /// The project of that name (a region's own project is named after it).
    pub fn project_by_name(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name() == name)
    }
}

/// Project ids as the service makes them; anything else could be read
/// differently once percent-decoded from a path.
pub fn is_valid_project_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The opaque part of an issued token.
pub fn random_string_token() -> String {
    random_string(96, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Accounts, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.toml");
        std::fs::write(&path, text).unwrap();
        Accounts::load(&path)
    }

    const PROJECT: &str = "[[projects]]\nid = \"p1\"\n";

    #[test]
    fn refuses_project_ids_that_decode_differently() {
        let err = load("[[projects]]\nid = \"a%62\"\n").unwrap_err();
        assert!(err.contains("project id 'a%62'"), "{err}");
        assert!(load("[[projects]]\nid = \"a/b\"\n").is_err());
        assert!(load(PROJECT).is_ok());
    }

    #[test]
    fn refuses_duplicate_and_empty_keys() {
        let cred = |ak: &str, sk: &str| {
            format!("[[credentials]]\naccess_key = \"{ak}\"\nsecret_key = \"{sk}\"\nprojects = [\"p1\"]\n")
        };
        let err = load(&format!("{PROJECT}{}{}", cred("AK1", "s1"), cred("AK1", "s2"))).unwrap_err();
        assert!(err.contains("access key AK1 is listed twice"), "{err}");
        let err = load(&format!("{PROJECT}{}", cred("AK1", ""))).unwrap_err();
        assert!(err.contains("empty secret_key"), "{err}");
        let err = load(&format!("{PROJECT}{}", cred(" ", "s"))).unwrap_err();
        assert!(err.contains("empty access_key"), "{err}");
        assert!(load(&format!("{PROJECT}{}{}", cred("AK1", "s1"), cred("AK2", "s2"))).is_ok());
    }
}
