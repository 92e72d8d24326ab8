//! The regions the official SDKs know, with their CSMS and IAM endpoints
//! (`assets/regions.json`, from the SDKs' tables).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct RegionEndpoints {
    pub csms: Option<String>,
    pub iam: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    iam_global_endpoint: String,
    regions: BTreeMap<String, RegionEndpoints>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    serde_json::from_str::<Table>(include_str!("../../assets/regions.json")).expect("the bundled region table")
});

pub fn endpoints(region: &str) -> Option<&'static RegionEndpoints> {
    TABLE.regions.get(region)
}

/// The regions that have CSMS, for an error message.
pub fn known() -> Vec<&'static str> {
    TABLE.regions.iter().filter(|(_, e)| e.csms.is_some()).map(|(name, _)| name.as_str()).collect()
}

/// The region a project is in: its name up to the first `_` (a sub-project
/// is named `REGION_NAME`).
pub fn region_of(project_name: &str) -> &str {
    project_name.split('_').next().unwrap_or(project_name)
}

/// Whether `name` can be a region (`^[a-z0-9]+(-[a-z0-9]+)*$`). Regions
/// reach URLs from IAM's project names and from `targets.json`: only such a
/// name is ever filled in, so `@`, `:`, `/` or `#` cannot move the host.
pub fn is_region(name: &str) -> bool {
    !name.is_empty() && name.split('-').all(|part| !part.is_empty() && part.bytes().all(is_lower_or_digit))
}

fn is_lower_or_digit(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Whether IAM could have given this project name: at most 64 characters
/// (IAM's limit), of letters, digits, `_` and `-` (a region, or a region,
/// `_` and a sub-project's name; IAM's own projects such as `MOS` too).
pub fn is_project_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether IAM could have given this project id. IAM's documentation gives
/// no pattern; the ids it issues are 32 lowercase hex digits, and an id goes
/// into every request's path and `X-Project-Id`, so nothing else is taken.
pub fn is_project_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `{region}` in an endpoint template replaced by `region`: refused unless
/// `region` is a region name and the URL keeps the template's scheme, port,
/// path and number of host labels (the region may change a label, nothing else).
pub fn fill(template: &str, region: &str) -> Result<String, String> {
    if !has_region(template) {
        return Ok(template.to_string());
    }
    if !is_region(region) {
        return Err(format!("'{}' is not a region name", crate::printable::printable(region)));
    }
    let filled = template.replace("{region}", region);
    let reference = template.replace("{region}", "region");
    match (reqwest::Url::parse(&reference), reqwest::Url::parse(&filled)) {
        (Ok(r), Ok(f)) if same_shape(&r, &f) => Ok(filled),
        _ => Err(format!("'{template}' with region '{region}' is not the same kind of URL")),
    }
}

/// Same scheme, credentials, port, path, query and fragment, and a host of
/// as many labels.
fn same_shape(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    let labels = |u: &reqwest::Url| u.host_str().map(|h| h.split('.').count());
    a.scheme() == b.scheme()
        && a.username() == b.username()
        && a.password() == b.password()
        && a.port() == b.port()
        && a.path() == b.path()
        && a.query() == b.query()
        && a.fragment() == b.fragment()
        && labels(a).is_some()
        && labels(a) == labels(b)
}

/// Whether an endpoint template names the region.
pub fn has_region(template: &str) -> bool {
    template.contains("{region}")
}

/// IAM's global endpoint, for the questions about a whole account.
pub fn iam_global() -> &'static str {
    &TABLE.iam_global_endpoint
}

/// A region's IAM endpoint: the SDKs' table, else the usual pattern
/// (refused for a name that is not a region, as `fill` refuses it).
pub fn iam_default(region: &str) -> Result<String, String> {
    match endpoints(region).and_then(|r| r.iam.clone()) {
        Some(iam) => Ok(iam),
        None => fill("https://iam.{region}.myhuaweicloud.com", region),
    }
}

/// A region's CSMS endpoint from the SDKs' table; `None` where it has no CSMS.
pub fn csms(region: &str) -> Option<&'static str> {
    endpoints(region).and_then(|r| r.csms.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_region_name_fills_a_template_and_the_host_keeps_its_shape() {
        let template = "http://kms.{region}.example.test";
        assert_eq!(fill(template, "cn-north-4").unwrap(), "http://kms.cn-north-4.example.test");
        for hostile in ["x@127.0.0.1:47111#", "a.b", "a/b", "A", "a--b", "-a", "a-", "", "a b", "cn-north-4_x"] {
            let err = fill(template, hostile).unwrap_err();
            assert!(err.contains("is not a region name"), "{hostile:?}: {err}");
        }
        assert_eq!(fill("http://127.0.0.1:9", "x@evil#").unwrap(), "http://127.0.0.1:9", "nothing to fill");
        let err = fill("http://127.0.0.1:9/{region}", "cn-north-4").unwrap_err();
        assert!(err.contains("not the same kind of URL"), "{err}");
    }

    #[test]
    fn the_default_iam_host_takes_only_a_region_name() {
        assert_eq!(iam_default("lab-2").unwrap(), "https://iam.lab-2.myhuaweicloud.com");
        let err = iam_default("x@127.0.0.1:47112#").unwrap_err();
        assert!(err.contains("is not a region name"), "{err}");
    }

    #[test]
    fn project_names_are_what_iam_gives() {
        for good in ["cn-north-4", "cn-north-4_payments", "MOS", "ap-southeast-1_Data-2"] {
            assert!(is_project_name(good), "{good}");
        }
        let long = format!("cn-north-4_{}", "a".repeat(54));
        for bad in ["x@127.0.0.1:47111#", "cn-north-4_a$(touch${IFS}/tmp/PWNED)", "a\"b", "", "a.b", long.as_str()] {
            assert!(!is_project_name(bad), "{bad}");
        }
    }
}
