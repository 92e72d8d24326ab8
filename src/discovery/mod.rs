//! Profiles with `regions`: IAM lists the projects their credentials reach,
//! and each project kept becomes a target of its own, named
//! `PROFILE/PROJECT-NAME`, with the project's id, region and endpoints.
//! Everything downstream (the UI, the CLI, the worker, the journal) takes a
//! target for a profile.

pub mod cache;

use futures::future::join_all;

use crate::config::{AuthConfig, Config, Profile, SecretSource, regions};
use crate::csms::model::Millis;
use crate::csms::{Client, Credentials, Error, ProjectSummary};

/// How fresh the projects of a profile with `regions` must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Ask IAM now (`csms profiles --refresh`).
    Ask,
    /// The cached list when it is younger than this, else ask IAM.
    Cached(Millis),
    /// The cached list of any age, else nothing yet: the UI opens at once
    /// and every such profile is asked for behind it (`Expansion::behind`).
    Behind,
}

/// How long the CLI trusts what discovery found: a script run every few
/// minutes does not ask IAM each time, and a project added is seen soon.
pub const CLI_CACHE_MS: Millis = 10 * 60 * 1000;

/// Profiles replaced by their targets, and what is left to say or do.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Projects skipped, and why.
    pub skipped: Vec<Skipped>,
    /// Profiles to ask IAM for behind the UI: those whose targets came
    /// from the cache, and (`Freshness::Behind`) those still in place,
    /// whose projects nobody has found yet.
    pub behind: Vec<ToAsk>,
}

/// A profile with `regions` to ask IAM for. Its targets from the cache share
/// its credentials (`AuthConfig::read_once`): a `*_command` runs once for all.
#[derive(Debug, Clone)]
pub struct ToAsk {
    pub profile: Profile,
}

/// What became of a profile with `regions` at start.
enum AtStart {
    /// IAM was asked: its list, and the targets made of it.
    Asked(Vec<ProjectSummary>, Found),
    /// The cached list made the targets, which share the profile's
    /// credentials, read when the first of them is used (the profile given).
    Cached(Found, Box<Profile>),
    /// Nothing yet: asked behind the UI.
    Later,
}

/// A profile with `regions` still in place of its targets, its projects not
/// found yet (under `Freshness::Behind`): neither targets nor a failure.
pub fn finding(p: &Profile) -> bool {
    p.discovery.is_some() && p.unusable.is_none()
}

/// What discovery made of one profile.
#[derive(Debug)]
pub struct Found {
    pub targets: Vec<Profile>,
    /// Projects passed over, and why.
    pub skipped: Vec<Skipped>,
}

/// A project discovery passed over: `acme/MOS`, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub target: String,
    pub why: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.target, self.why)
    }
}

/// The targets of `profile` among the `projects` IAM listed, by name. With
/// `credentials`, targets carry them resolved: a `*_command` runs once per
/// profile, not once per target.
pub fn targets(profile: &Profile, credentials: Option<&Credentials>, projects: &[ProjectSummary]) -> Found {
    let Some(d) = &profile.discovery else {
        return Found { targets: vec![profile.clone()], skipped: vec![] };
    };
    let mut projects: Vec<&ProjectSummary> = projects.iter().collect();
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    let mut found = Found { targets: vec![], skipped: vec![] };
    let mut kept = Vec::new();
    for p in projects {
        let region = regions::region_of(&p.name);
        if d.regions.as_ref().is_some_and(|rs| !rs.iter().any(|r| r == region)) {
            continue;
        }
        if !d.projects.is_empty() && !d.projects.contains(&p.name) {
            continue;
        }
        kept.push(&p.name);
        let target = format!("{}/{}", profile.name, crate::printable::printable(&p.name));
        if !regions::is_project_name(&p.name) {
            let why = "IAM gave a name no project can have (letters, digits, _ and - only): not used".into();
            found.skipped.push(Skipped { target, why });
            continue;
        }
        if !regions::is_project_id(&p.id) {
            let why = "IAM gave an id no project has (32 lowercase hex digits): not used".into();
            found.skipped.push(Skipped { target, why });
            continue;
        }
        let endpoints = match endpoints_of(d, region) {
            Ok(Some(endpoints)) => endpoints,
            Ok(None) => {
                found.skipped.push(Skipped { target, why: format!("no CSMS in region {region}") });
                continue;
            }
            Err(why) => {
                found.skipped.push(Skipped { target, why });
                continue;
            }
        };
        // Checked whether or not a template takes it: the region is the
        // target's own, shown and sent as such.
        if !regions::is_region(region) {
            let why = format!("'{}' is not a region name", crate::printable::printable(region));
            found.skipped.push(Skipped { target, why });
            continue;
        }
        let mut t = profile.clone();
        t.name = target;
        t.region = region.to_string();
        t.project_id = Some(p.id.clone());
        (t.endpoint, t.iam_endpoint) = endpoints;
        t.discovery = None;
        t.found_under = Some(profile.name.clone());
        if let Some(c) = credentials {
            t.auth = resolved(c);
        }
        found.targets.push(t);
    }
    for name in &d.projects {
        if !kept.contains(&name) {
            let target = format!("{}/{name}", profile.name);
            found.skipped.push(Skipped { target, why: "no such project for these credentials and regions".into() });
        }
    }
    found
}

/// The CSMS and IAM endpoints of a project in `region`: the profile's
/// templates filled, else the SDKs' table; `None` where the region has no
/// CSMS. A region that cannot be filled into a URL safely is refused.
fn endpoints_of(d: &crate::config::Discovery, region: &str) -> Result<Option<(String, String)>, String> {
    let endpoint = match (&d.endpoint, regions::csms(region)) {
        (Some(t), _) => regions::fill(t, region)?,
        (None, Some(e)) => e.to_string(),
        (None, None) => return Ok(None),
    };
    let iam = match &d.iam_endpoint {
        Some(template) => regions::fill(template, region)?,
        None => regions::iam_default(region)?,
    };
    Ok(Some((endpoint, iam)))
}

/// Credentials already resolved, as a target's configuration.
fn resolved(c: &Credentials) -> AuthConfig {
    match c.clone() {
        Credentials::Token(t) => AuthConfig::Token(SecretSource::Literal(t)),
        Credentials::Password { domain, user, password } => {
            AuthConfig::Password { domain, user, password: SecretSource::Literal(password) }
        }
        Credentials::AkSk { access_key, secret_key, security_token } => AuthConfig::AkSk {
            access_key: Some(access_key),
            secret_key: Some(SecretSource::Literal(secret_key)),
            security_token: security_token.map(SecretSource::Literal),
        },
    }
}

/// The profile's credentials, resolved (a command may run: off the async threads).
async fn resolve(profile: &Profile) -> Result<crate::csms::ClientOptions, Error> {
    let p = profile.clone();
    tokio::task::spawn_blocking(move || p.client_options())
        .await
        .map_err(|e| Error::Invalid(format!("resolving credentials failed: {e}")))?
}

/// Asks IAM once for the projects `profile`'s credentials reach (resolved
/// here): the list, and the targets made of it.
pub async fn discover(profile: &Profile) -> Result<(Vec<ProjectSummary>, Found), Error> {
    let mut options = resolve(profile).await?;
    if options.endpoint.is_empty() {
        // `regions = ["*"]` without `endpoint`: no region, so no CSMS endpoint,
        // and none is needed: this client only asks IAM (each target gets
        // its region's endpoint from the table).
        options.endpoint = options.iam_endpoint.clone();
    }
    let credentials = options.credentials.clone();
    let projects = Client::new(options)?.list_projects().await?;
    let found = targets(profile, Some(&credentials), &projects);
    Ok((projects, found))
}

/// Every profile with `regions` replaced by its targets, all asked for at
/// once (or taken from the cache, as `freshness` allows). A profile IAM did
/// not answer for (or that finds nothing) stays as one entry that fails with
/// why wherever it is used, so it shows as failed beside the others.
/// With `only` (the profile or target a run acts on), the other profiles
/// stay as they are: nothing is resolved or asked for them.
pub async fn expand(config: &mut Config, freshness: Freshness, now: Millis, only: Option<&str>) -> Expansion {
    let needed = |p: &Profile| {
        only.is_none_or(|name| {
            name.strip_prefix(p.name.as_str()).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    let discovering: Vec<Profile> =
        config.profiles.values().filter(|p| p.discovery.is_some() && needed(p)).cloned().collect();
    if discovering.is_empty() {
        return Expansion::default();
    }
    let mut cache = cache::Cache::load();
    let mut expansion = Expansion::default();
    for profile in discovering.iter().filter(|p| cache.dropped().contains(&p.name)) {
        let why =
            "its projects cached in targets.json hold a name or id csms never writes there: not used, IAM is asked"
                .into();
        expansion.skipped.push(Skipped { target: profile.name.clone(), why });
    }
    if let Some(why) = cache.unreadable() {
        for profile in &discovering {
            let why = format!("the projects found last: {why}; IAM is asked");
            expansion.skipped.push(Skipped { target: profile.name.clone(), why });
        }
    }
    let cached: Vec<Option<Vec<ProjectSummary>>> = discovering
        .iter()
        .map(|p| match freshness {
            Freshness::Ask => None,
            Freshness::Cached(max_age) => cache.get(p, Some(max_age), now).map(<[_]>::to_vec),
            Freshness::Behind => cache.get(p, None, now).map(<[_]>::to_vec),
        })
        .collect();
    let results = join_all(discovering.iter().zip(&cached).map(|(p, c)| async move {
        match (c, freshness) {
            // Nothing is resolved or asked yet: a slow credential command
            // holds up this profile's targets only, once one is used.
            (Some(list), _) => {
                let shared = Profile { auth: p.auth.read_once(), ..p.clone() };
                Ok(AtStart::Cached(targets(&shared, None, list), Box::new(shared)))
            }
            (None, Freshness::Behind) => Ok(AtStart::Later),
            (None, _) => discover(p).await.map(|(list, found)| AtStart::Asked(list, found)),
        }
    }))
    .await;
    let mut asked = false;
    for (profile, result) in discovering.into_iter().zip(results) {
        let found = match result {
            // Left in place, as it is: its projects are found behind the UI.
            Ok(AtStart::Later) => {
                expansion.behind.push(ToAsk { profile });
                continue;
            }
            Ok(AtStart::Asked(list, found)) => {
                cache.put(&profile, list, now);
                asked = true;
                Ok(found)
            }
            Ok(AtStart::Cached(found, shared)) => {
                expansion.behind.push(ToAsk { profile: *shared });
                Ok(found)
            }
            Err(e) => Err(e),
        };
        expansion.skipped.extend(install(config, profile, found));
    }
    if asked {
        cache.save();
    }
    expansion
}

/// Why a profile with `regions` has no targets although IAM answered.
pub fn no_projects(profile: &str) -> Error {
    Error::Config {
        profile: profile.to_string(),
        key: "regions".into(),
        message: "IAM lists no project with CSMS for these credentials in these regions".into(),
    }
}

/// Puts a profile's targets in its place, or the profile itself, marked
/// with why it has none. Gives the notes of what was skipped.
fn install(config: &mut Config, mut profile: Profile, found: Result<Found, Error>) -> Vec<Skipped> {
    let (error, skipped) = match found {
        Ok(found) if !found.targets.is_empty() => {
            config.profiles.remove(&profile.name);
            for t in found.targets {
                config.profiles.insert(t.name.clone(), t);
            }
            return found.skipped;
        }
        Ok(found) => (no_projects(&profile.name), found.skipped),
        Err(e) => (e, vec![]),
    };
    profile.unusable = Some(error);
    config.profiles.insert(profile.name.clone(), profile);
    skipped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SdkDefaults;
    use std::path::Path;

    fn profile(extra: &str) -> Profile {
        let text = format!("[profiles.acme]\naccess_key = \"AK\"\nsecret_key_env = \"SK_ENV\"\n{extra}");
        let config = Config::parse(Path::new("c.toml"), &text, &SdkDefaults::default()).unwrap();
        config.profiles["acme"].clone()
    }

    fn listed(names: &[&str]) -> Vec<ProjectSummary> {
        names.iter().map(|n| ProjectSummary { id: id_of(n), name: n.to_string() }).collect()
    }

    /// An id of IAM's form, one per name.
    fn id_of(name: &str) -> String {
        format!("{:032x}", name.bytes().fold(0u128, |h, b| h.wrapping_mul(131).wrapping_add(b.into())))
    }

    fn names(found: &Found) -> Vec<&str> {
        found.targets.iter().map(|t| t.name.as_str()).collect()
    }

    #[test]
    fn projects_in_the_regions_named_become_targets_with_their_endpoints() {
        let p = profile("regions = [\"cn-north-4\", \"ap-southeast-1\"]\n");
        let found =
            targets(&p, None, &listed(&["cn-north-4_payments", "ap-southeast-1", "cn-north-4", "cn-east-3", "MOS"]));
        assert_eq!(names(&found), ["acme/ap-southeast-1", "acme/cn-north-4", "acme/cn-north-4_payments"]);
        let payments = &found.targets[2];
        assert_eq!(payments.region, "cn-north-4");
        assert_eq!(payments.project_id.as_deref(), Some(id_of("cn-north-4_payments").as_str()));
        assert_eq!(payments.endpoint, "https://kms.cn-north-4.myhuaweicloud.com");
        assert_eq!(payments.found_under.as_deref(), Some("acme"));
        assert!(payments.discovery.is_none());
        assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    }

    #[test]
    fn every_region_skips_and_names_those_without_csms_and_projects_narrow() {
        let p = profile("regions = [\"*\"]\n");
        assert_eq!(p.iam_endpoint, "https://iam.myhuaweicloud.com", "the account is asked at the global IAM");
        let found = targets(&p, None, &listed(&["cn-north-4", "MOS", "cn-east-3_dev"]));
        assert_eq!(names(&found), ["acme/cn-east-3_dev", "acme/cn-north-4"]);
        assert_eq!(found.skipped[0].to_string(), "acme/MOS: no CSMS in region MOS");

        let p = profile("regions = [\"*\"]\nprojects = [\"cn-east-3_dev\", \"cn-east-3_gone\"]\n");
        let found = targets(&p, None, &listed(&["cn-north-4", "cn-east-3_dev"]));
        assert_eq!(names(&found), ["acme/cn-east-3_dev"]);
        let gone = found.skipped[0].to_string();
        assert_eq!(gone, "acme/cn-east-3_gone: no such project for these credentials and regions");
    }

    #[test]
    fn region_templates_fill_per_target_and_an_endpoint_without_one_applies_to_all() {
        let p = profile(
            "regions = [\"cn-north-4\", \"lab-2\"]\nendpoint = \"https://kms.{region}.lab\"\n\
             iam_endpoint = \"http://127.0.0.1:9\"\n",
        );
        let found = targets(&p, None, &listed(&["lab-2", "cn-north-4"]));
        assert_eq!(found.targets[0].endpoint, "https://kms.cn-north-4.lab");
        assert_eq!(found.targets[1].endpoint, "https://kms.lab-2.lab", "a private region, by its template");
        assert!(found.targets.iter().all(|t| t.iam_endpoint == "http://127.0.0.1:9"));
    }

    #[test]
    fn a_project_name_that_would_move_a_url_is_skipped_never_filled_in() {
        let p = profile("regions = [\"*\"]\nendpoint = \"http://kms.{region}.example.test\"\n");
        let found = targets(&p, None, &listed(&["x@127.0.0.1:47111#", "cn-north-4_a$(touch${IFS}/tmp/PWNED)", "MOS"]));
        assert!(found.targets.is_empty(), "{:?}", names(&found));
        let why: Vec<String> = found.skipped.iter().map(Skipped::to_string).collect();
        assert_eq!(why[0], "acme/MOS: 'MOS' is not a region name");
        assert!(why[1].ends_with("IAM gave a name no project can have (letters, digits, _ and - only): not used"));
        assert!(why[2].starts_with("acme/x@127.0.0.1:47111#: "), "{}", why[2]);

        // Without iam_endpoint, the default IAM host is not filled with it either.
        let p = profile("regions = [\"*\"]\nendpoint = \"http://127.0.0.1:9\"\n");
        let found = targets(&p, None, &listed(&["lab-2", "Lab-2", "x@127.0.0.1:47112#"]));
        assert_eq!(names(&found), ["acme/lab-2"]);
        assert_eq!(found.targets[0].iam_endpoint, "https://iam.lab-2.myhuaweicloud.com");
        assert_eq!(found.skipped[0].to_string(), "acme/Lab-2: 'Lab-2' is not a region name");
    }

    #[test]
    fn targets_carry_the_credentials_resolved_once() {
        let p = profile("regions = [\"cn-north-4\"]\n");
        let creds = Credentials::AkSk {
            access_key: "AK".into(),
            secret_key: crate::csms::Redacted::new("resolved"),
            security_token: None,
        };
        let found = targets(&p, Some(&creds), &listed(&["cn-north-4"]));
        // SK_ENV is not set: only a resolved secret makes options here.
        let options = found.targets[0].client_options().unwrap();
        assert!(
            matches!(options.credentials, Credentials::AkSk { secret_key, .. } if secret_key.expose() == "resolved")
        );
        assert_eq!(options.project, crate::csms::ProjectRef::Id(id_of("cn-north-4")));
    }
}
