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

/// `{region}` in an endpoint template replaced by `region`.
pub fn fill(template: &str, region: &str) -> String {
    template.replace("{region}", region)
}

/// Whether an endpoint template names the region.
pub fn has_region(template: &str) -> bool {
    template.contains("{region}")
}

/// IAM's global endpoint, for the questions about a whole account.
pub fn iam_global() -> &'static str {
    &TABLE.iam_global_endpoint
}

/// A region's IAM endpoint: the SDKs' table, else the usual pattern.
pub fn iam_default(region: &str) -> String {
    endpoints(region).and_then(|r| r.iam.clone()).unwrap_or_else(|| format!("https://iam.{region}.myhuaweicloud.com"))
}

/// A region's CSMS endpoint from the SDKs' table; `None` where it has no CSMS.
pub fn csms(region: &str) -> Option<&'static str> {
    endpoints(region).and_then(|r| r.csms.as_deref())
}
