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
    regions: BTreeMap<String, RegionEndpoints>,
}

static REGIONS: LazyLock<BTreeMap<String, RegionEndpoints>> = LazyLock::new(|| {
    serde_json::from_str::<Table>(include_str!("../../assets/regions.json")).expect("the bundled region table").regions
});

pub fn endpoints(region: &str) -> Option<&'static RegionEndpoints> {
    REGIONS.get(region)
}

/// The regions that have CSMS, for an error message.
pub fn known() -> Vec<&'static str> {
    REGIONS.iter().filter(|(_, e)| e.csms.is_some()).map(|(name, _)| name.as_str()).collect()
}
