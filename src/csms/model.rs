//! Wire types of the CSMS API, shared by the client and the emulator so the
//! two cannot drift apart.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Milliseconds since the Unix epoch, the unit CSMS uses on the wire.
pub type Millis = i64;

/// The lifecycle state of a secret. Any state this build does not know is
/// kept verbatim and shown as-is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretState {
    Enabled,
    Disabled,
    PendingDelete,
    Frozen,
    Unknown(String),
}

impl SecretState {
    pub fn as_str(&self) -> &str {
        match self {
            SecretState::Enabled => "ENABLED",
            SecretState::Disabled => "DISABLED",
            SecretState::PendingDelete => "PENDING_DELETE",
            SecretState::Frozen => "FROZEN",
            SecretState::Unknown(s) => s,
        }
    }

    pub fn parse(s: &str) -> SecretState {
        match s {
            "ENABLED" => SecretState::Enabled,
            "DISABLED" => SecretState::Disabled,
            "PENDING_DELETE" => SecretState::PendingDelete,
            "FROZEN" => SecretState::Frozen,
            other => SecretState::Unknown(other.to_string()),
        }
    }

    pub fn is_pending_delete(&self) -> bool {
        matches!(self, SecretState::PendingDelete)
    }
}

impl std::fmt::Display for SecretState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SecretState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SecretState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(SecretState::parse(&s))
    }
}

/// The end of year 9999, in milliseconds: a server's time beyond it (either
/// way) is no time at all, and arithmetic on it could overflow.
const LAST_MILLIS: u64 = 253_402_300_799_999;

/// Accepts a timestamp in milliseconds, or in seconds when it has at most
/// ten digits (the prose docs say seconds; the service sends milliseconds);
/// `None` past year 9999 either way.
pub fn normalize_timestamp(v: i64) -> Option<Millis> {
    let ms = if v.unsigned_abs() < 10_000_000_000 { v * 1000 } else { v };
    (ms.unsigned_abs() <= LAST_MILLIS).then_some(ms)
}

/// A timestamp sent as a float, in whole units: the fraction is dropped, and
/// `as` saturates a value out of range (refused then as past year 9999).
#[allow(clippy::cast_possible_truncation)]
fn whole_millis(f: f64) -> i64 {
    f as i64
}

fn de_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => {
            n.as_i64().or_else(|| n.as_f64().map(whole_millis)).and_then(normalize_timestamp)
        }
        // Some gateways quote numbers; a string that is not a number is dropped
        // rather than failing the whole listing.
        Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok().and_then(normalize_timestamp),
        Some(_) => None,
    })
}

/// A count nothing depends on: one that is not a number a page can hold
/// (negative, past u32, a string) is dropped rather than failing the page.
fn de_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.as_ref().and_then(serde_json::Value::as_u64).and_then(|n| u32::try_from(n).ok()))
}

/// A list the service may send as `null` (the official examples do): read as empty.
fn de_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A string the service may send as a number (`enterprise_project_id: 0` in the definition's example).
fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => Some(other.to_string()),
        Some(other) => return Err(serde::de::Error::custom(format!("expected text, got {other}"))),
    })
}

/// A page of secrets in which one the model cannot read does not hide the
/// others: it stays in the list, marked unreadable with the reason, and is logged.
fn de_secrets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Secret>, D::Error> {
    let items: Vec<serde_json::Value> = de_list(d)?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item.get("name").and_then(|n| n.as_str()).map(str::to_string);
            serde_json::from_value::<Secret>(item).unwrap_or_else(|e| {
                let name = name.unwrap_or_else(|| format!("(unreadable #{})", i + 1));
                tracing::warn!(secret = %name, error = %e, "a secret in the listing could not be read");
                Secret::unreadable(name, e.to_string())
            })
        })
        .collect())
}

/// A secret as the API describes it. Every field but `name` may be missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Secret {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub state: Option<SecretState>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub create_time: Option<Millis>,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub update_time: Option<Millis>,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub scheduled_delete_time: Option<Millis>,
    #[serde(default)]
    pub secret_type: Option<String>,
    #[serde(default)]
    pub auto_rotation: Option<bool>,
    #[serde(default)]
    pub rotation_period: Option<String>,
    /// A string in the docs, an object in their example: kept as JSON.
    #[serde(default)]
    pub rotation_config: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub rotation_time: Option<Millis>,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub next_rotation_time: Option<Millis>,
    #[serde(default)]
    pub event_subscriptions: Option<Vec<String>>,
    #[serde(default, deserialize_with = "de_text")]
    pub enterprise_project_id: Option<String>,
    #[serde(default)]
    pub rotation_func_urn: Option<String>,
    /// Set when the service's entry for this secret could not be read: why.
    /// Never sent by a server; shown, and given in `-o json`.
    #[serde(default, skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
}

impl Secret {
    pub fn named(name: impl Into<String>) -> Secret {
        Secret {
            id: None,
            name: name.into(),
            state: None,
            kms_key_id: None,
            description: None,
            create_time: None,
            update_time: None,
            scheduled_delete_time: None,
            secret_type: None,
            auto_rotation: None,
            rotation_period: None,
            rotation_config: None,
            rotation_time: None,
            next_rotation_time: None,
            event_subscriptions: None,
            enterprise_project_id: None,
            rotation_func_urn: None,
            unreadable: None,
        }
    }

    /// The row for an entry that could not be read: its state says so.
    pub fn unreadable(name: String, reason: String) -> Secret {
        Secret {
            state: Some(SecretState::Unknown("UNREADABLE".into())),
            unreadable: Some(reason),
            ..Secret::named(name)
        }
    }

    pub fn is_pending_delete(&self) -> bool {
        self.state.as_ref().is_some_and(SecretState::is_pending_delete)
    }

    /// The state to show: a missing state reads as UNKNOWN.
    pub fn state_label(&self) -> &str {
        self.state.as_ref().map_or("UNKNOWN", SecretState::as_str)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    #[serde(default)]
    pub next_marker: Option<String>,
    #[serde(default)]
    pub previous_marker: Option<String>,
    #[serde(default, deserialize_with = "de_count")]
    pub current_count: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretList {
    #[serde(default, deserialize_with = "de_secrets")]
    pub secrets: Vec<Secret>,
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretEnvelope {
    pub secret: Secret,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionMetadata {
    pub id: String,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub create_time: Option<Millis>,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub expire_time: Option<Millis>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub secret_name: Option<String>,
    #[serde(default, deserialize_with = "de_list")]
    pub version_stages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionList {
    #[serde(default, deserialize_with = "de_list")]
    pub version_metadatas: Vec<VersionMetadata>,
    #[serde(default)]
    pub page_info: Option<PageInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionMetadataEnvelope {
    pub version_metadata: VersionMetadata,
}

/// A version with its value. `Debug` never prints the value.
#[derive(Clone, Serialize, Deserialize)]
pub struct Version {
    pub version_metadata: VersionMetadata,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binary: Option<String>,
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Version")
            .field("version_metadata", &self.version_metadata)
            .field("secret_string", &self.secret_string.as_ref().map(|_| "<redacted>"))
            .field("secret_binary", &self.secret_binary.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionEnvelope {
    pub version: Version,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub name: String,
    #[serde(default, deserialize_with = "de_timestamp")]
    pub update_time: Option<Millis>,
    #[serde(default)]
    pub secret_name: Option<String>,
    #[serde(default)]
    pub version_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageEnvelope {
    pub stage: Stage,
}

/// Body of `POST /secrets`. `Debug` never prints the value.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct CreateSecretRequest {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_rotation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_subscriptions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    /// Required for RDS-FG and GaussDB-FG secrets: `{"InstanceId":..,"SecretSubType":..}` as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_func_urn: Option<String>,
}

impl std::fmt::Debug for CreateSecretRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateSecretRequest")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("secret_type", &self.secret_type)
            .finish_non_exhaustive()
    }
}

/// Body of `PUT /secrets/{name}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateSecretRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_rotation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_subscriptions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_func_urn: Option<String>,
}

/// Body of `POST /secrets/{name}/versions`. `Debug` never prints the value.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct CreateVersionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_string: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_binary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_stages: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<Millis>,
}

impl std::fmt::Debug for CreateVersionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateVersionRequest")
            .field("version_stages", &self.version_stages)
            .field("expire_time", &self.expire_time)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduleDeletionRequest {
    pub recovery_window_in_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MoveStageRequest {
    pub version_id: String,
}

/// A tag of a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    #[serde(default, deserialize_with = "de_text")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagList {
    #[serde(default, deserialize_with = "de_list")]
    pub tags: Vec<Tag>,
}

/// Body of `POST /csms/{secret_id}/tags/action`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagBatch {
    /// `create` or `delete`.
    pub action: String,
    pub tags: Vec<Tag>,
}

/// Body of `POST /csms/generate-password`: what the password is made of.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PasswordRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_punctuation: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_numbers: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_uppercase: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_lowercase: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_each_included_type: bool,
}

/// The largest value the service stores, in bytes.
const MAX_VALUE_BYTES: usize = 32 * 1024;

/// A kind of character a generated password may hold: whether it was
/// asked for, its name, and its test.
type CharClass = (bool, &'static str, fn(&char) -> bool);

impl PasswordRequest {
    /// The character classes this request lets in, with their names.
    fn classes(&self) -> [CharClass; 4] {
        [
            (!self.exclude_lowercase, "lowercase letter", char::is_ascii_lowercase),
            (!self.exclude_uppercase, "uppercase letter", char::is_ascii_uppercase),
            (!self.exclude_numbers, "digit", char::is_ascii_digit),
            (!self.exclude_punctuation, "symbol", char::is_ascii_punctuation),
        ]
    }

    /// Why a generated `password` is not what this request asked for, if it
    /// is not: its length, a character outside the classes asked, a class
    /// asked for missing, or a size the service cannot store. The generator
    /// is a server like any other, and what it answers becomes a secret's
    /// value: a wrong one is refused before it is used. The reason never
    /// quotes the password.
    pub fn check_answer(&self, password: &str) -> Result<(), String> {
        if password.is_empty() {
            return Err("the generated password is empty".into());
        }
        if password.len() > MAX_VALUE_BYTES {
            return Err(format!(
                "the generated password is {} bytes; the service stores at most {MAX_VALUE_BYTES}",
                password.len()
            ));
        }
        let count = password.chars().count();
        if let Some(asked) = self.length.filter(|&n| n as usize != count) {
            return Err(format!("the generated password has {count} characters, {asked} were asked"));
        }
        let classes = self.classes();
        if password.chars().any(|c| !classes.iter().any(|(on, _, is)| *on && is(&c))) {
            return Err("the generated password holds a character of a kind that was not asked for".into());
        }
        let missing = classes.iter().find(|(on, _, is)| *on && !password.chars().any(|c| is(&c)));
        match missing {
            // Each class is only owed when it fits in the length.
            Some((_, name, _)) if self.require_each_included_type && count >= classes.len() => {
                Err(format!("the generated password has no {name}, though each kind was asked for"))
            }
            _ => Ok(()),
        }
    }
}

/// Body of `PUT /secrets/{name}/versions/{version_id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateVersionRequest {
    pub expire_time: Option<Millis>,
}

/// The error body of the service: `{"error_code", "error_msg"}`, possibly
/// nested under `error` (tag endpoints), possibly with a `request_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error_code: String,
    pub error_msg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Tags a secret may carry.
pub const MAX_TAGS: usize = 20;

static TAG_KEY_CHARS: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"^[\p{L}\p{Z}\p{N}_.:=+\-@]*$").expect("regex"));
static TAG_VALUE_CHARS: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").expect("regex"));

/// Tag keys: 1..128 of letters, spaces, digits and `_.:=+-@`, not starting
/// with `_sys_`, no white space at either end. Values: at most 255 of the
/// same and `/`. The error says which rule the tag breaks.
pub fn check_tag(key: &str, value: &str) -> Result<(), String> {
    let key_len = key.chars().count();
    if !(1..=128).contains(&key_len)
        || !TAG_KEY_CHARS.is_match(key)
        || key.starts_with("_sys_")
        || key.starts_with(char::is_whitespace)
        || key.ends_with(char::is_whitespace)
    {
        return Err(format!(
            "invalid tag key '{key}': 1 to 128 letters, digits, spaces and _.:=+-@, \
             not starting with _sys_, no space at either end"
        ));
    }
    if value.chars().count() > 255 || !TAG_VALUE_CHARS.is_match(value) {
        return Err(format!("invalid tag value '{value}': at most 255 letters, digits, spaces and _.:/=+-@"));
    }
    Ok(())
}

/// Secret names the service accepts: 1..64 of `[A-Za-z0-9_.-]`, not only
/// dots (`.` and `..` are path segments no URL can carry as a name).
pub fn is_valid_secret_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        && !name.bytes().all(|b| b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A number as a server might send it: extreme, at the seconds/milliseconds
    /// edge, huge as a float, or quoted.
    fn wire_number() -> impl Strategy<Value = String> {
        let int = prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            Just(i64::MIN + 1),
            Just(9_999_999_999),
            Just(-9_999_999_999),
            Just(10_000_000_000),
            Just(253_402_300_800_000),
            any::<i64>(),
        ];
        prop_oneof![
            int.clone().prop_map(|n| n.to_string()),
            int.prop_map(|n| format!("\"{n}\"")),
            Just("1e300".to_string()),
            Just("-1e300".to_string()),
            Just("18446744073709551615".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn extreme_server_numbers_decode_and_count_down_without_panicking(
            times in proptest::collection::vec(wire_number(), 5),
            now in prop_oneof![Just(0i64), Just(1_800_000_000_000i64), -(LAST_MILLIS as i64)..=LAST_MILLIS as i64],
        ) {
            let json = format!(
                r#"{{"name":"x","state":"PENDING_DELETE","create_time":{},"update_time":{},"scheduled_delete_time":{},"rotation_time":{},"next_rotation_time":{}}}"#,
                times[0], times[1], times[2], times[3], times[4]
            );
            let s: Secret = serde_json::from_str(&json).unwrap();
            for t in [s.create_time, s.update_time, s.scheduled_delete_time, s.rotation_time, s.next_rotation_time].into_iter().flatten() {
                prop_assert!(t.unsigned_abs() <= LAST_MILLIS);
                crate::timefmt::age(now, t);
                crate::timefmt::local_time(t);
            }
            if let Some(left) = crate::listing::time_left(&s, now) {
                crate::timefmt::countdown(left);
            }
            let v: VersionMetadata =
                serde_json::from_str(&format!(r#"{{"id":"v1","create_time":{},"expire_time":{}}}"#, times[0], times[1])).unwrap();
            prop_assert!(v.expire_time.is_none_or(|t| t.unsigned_abs() <= LAST_MILLIS));
        }
    }

    #[test]
    fn timestamps_past_year_9999_are_dropped() {
        assert_eq!(normalize_timestamp(i64::MIN), None);
        assert_eq!(normalize_timestamp(i64::MAX), None);
        assert_eq!(normalize_timestamp(1_700_000_000), Some(1_700_000_000_000));
        assert_eq!(normalize_timestamp(1_700_000_000_123), Some(1_700_000_000_123));
    }

    #[test]
    fn unknown_state_is_kept() {
        let s: Secret = serde_json::from_str(r#"{"name":"a","state":"ARCHIVED"}"#).unwrap();
        assert_eq!(s.state, Some(SecretState::Unknown("ARCHIVED".into())));
        assert_eq!(s.state_label(), "ARCHIVED");
        assert_eq!(serde_json::to_value(&s).unwrap()["state"], "ARCHIVED");
    }

    #[test]
    fn only_name_is_required() {
        let s: Secret = serde_json::from_str(r#"{"name":"a"}"#).unwrap();
        assert_eq!(s, Secret::named("a"));
        assert!(serde_json::from_str::<Secret>(r#"{"state":"ENABLED"}"#).is_err());
    }

    #[test]
    fn timestamps_in_seconds_become_milliseconds() {
        let s: Secret = serde_json::from_str(
            r#"{"name":"a","create_time":1581507580,"update_time":1581507580000,"scheduled_delete_time":null}"#,
        )
        .unwrap();
        assert_eq!(s.create_time, Some(1_581_507_580_000));
        assert_eq!(s.update_time, Some(1_581_507_580_000));
        assert_eq!(s.scheduled_delete_time, None);
    }

    /// What the real service is known to send: `null` lists, numbers for
    /// strings, and an entry the model cannot read among good ones.
    #[test]
    fn tolerates_the_services_shapes() {
        let page: SecretList = serde_json::from_str(
            r#"{"secrets": [
                {"name": "a", "state": "ENABLED", "event_subscriptions": null, "enterprise_project_id": 0},
                {"name": "b", "state": 7},
                {"state": "ENABLED"},
                {"name": "c", "state": "PENDING_DELETE", "scheduled_delete_time": 1581507580000}
            ], "page_info": null}"#,
        )
        .unwrap();
        let names: Vec<&str> = page.secrets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "(unreadable #3)", "c"]);
        assert_eq!(page.secrets[0].enterprise_project_id.as_deref(), Some("0"));
        assert_eq!(page.secrets[0].event_subscriptions, None);
        assert_eq!(page.secrets[1].state_label(), "UNREADABLE");
        assert!(
            page.secrets[1].unreadable.as_deref().is_some_and(|r| r.contains("invalid type")),
            "{:?}",
            page.secrets[1]
        );
        assert!(page.secrets[3].is_pending_delete() && page.secrets[3].unreadable.is_none());
        let empty: SecretList = serde_json::from_str(r#"{"secrets": null}"#).unwrap();
        assert!(empty.secrets.is_empty());
        let versions: VersionList = serde_json::from_str(
            r#"{"version_metadatas": [{"id": "v1", "version_stages": null}], "page_info": {"next_marker": null}}"#,
        )
        .unwrap();
        assert!(versions.version_metadatas[0].version_stages.is_empty());
        let none: VersionList = serde_json::from_str(r#"{"version_metadatas": null}"#).unwrap();
        assert!(none.version_metadatas.is_empty());
    }

    #[test]
    fn version_debug_hides_the_value() {
        let v = Version {
            version_metadata: VersionMetadata {
                id: "v1".into(),
                create_time: None,
                expire_time: None,
                kms_key_id: None,
                secret_name: None,
                version_stages: vec![],
            },
            secret_string: Some("hunter2".into()),
            secret_binary: None,
        };
        assert!(!format!("{v:?}").contains("hunter2"));
    }

    #[test]
    fn secret_names() {
        assert!(is_valid_secret_name("app-db_cred.prod"));
        assert!(!is_valid_secret_name(""));
        assert!(!is_valid_secret_name("a b"));
        assert!(!is_valid_secret_name(&"a".repeat(65)));
        assert!(is_valid_secret_name("a.b") && is_valid_secret_name(".env"));
        for dots in [".", "..", "..."] {
            assert!(!is_valid_secret_name(dots), "{dots}");
        }
    }
}
