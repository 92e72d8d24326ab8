//! What the official API definitions allow, checked before anything is
//! stored: patterns, lengths, ranges and the fields that require others.
//! Each refusal is a 400 with the service's code and a message that names
//! the field.

use std::sync::LazyLock;

use regex::Regex;

use super::error::ApiError;
use crate::csms::model::{CreateSecretRequest, Millis, UpdateSecretRequest};

pub const MAX_VALUE_BYTES: usize = 32 * 1024;
pub const MAX_DESCRIPTION_BYTES: usize = 2048;
pub use crate::csms::model::MAX_TAGS;
/// "Each secret supports at most 20 versions" (CreateSecretVersion).
pub const MAX_VERSIONS: usize = 20;
/// Stages per version and, as the quota codes say, per secret.
pub const MAX_STAGES: usize = 12;
const MAX_EXPIRE_TIME: Millis = 9_999_999_999_999;

static KMS_KEY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$").expect("regex"));
static STAGE_NAME: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-zA-Z0-9_-]{1,64}$").expect("regex"));

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(message)
}

/// Exactly one of the string and the binary value; the binary is base64 of
/// at most 32 KiB as sent (the definitions bound the encoded string).
pub fn value(string: Option<&str>, binary: Option<&str>) -> Result<(), ApiError> {
    use base64::Engine;
    match (string, binary) {
        (Some(_), Some(_)) | (None, None) => Err(invalid("exactly one of secret_string and secret_binary is required")),
        (Some(s), None) if s.len() > MAX_VALUE_BYTES => Err(invalid("secret_string exceeds 32 KiB")),
        (None, Some(b)) if b.len() > MAX_VALUE_BYTES => Err(invalid("secret_binary exceeds 32768 characters")),
        (None, Some(b)) if base64::engine::general_purpose::STANDARD.decode(b).is_err() => {
            Err(invalid("secret_binary is not valid base64"))
        }
        _ => Ok(()),
    }
}

fn description(d: Option<&str>) -> Result<(), ApiError> {
    match d {
        Some(d) if d.len() > MAX_DESCRIPTION_BYTES => Err(invalid("description exceeds 2048 bytes")),
        _ => Ok(()),
    }
}

fn event_subscriptions(e: Option<&[String]>) -> Result<(), ApiError> {
    let Some(e) = e else { return Ok(()) };
    if e.len() > 1 {
        return Err(invalid("event_subscriptions takes at most one event"));
    }
    if e.iter().any(|x| x.is_empty() || x.chars().count() > 32) {
        return Err(invalid("an event name in event_subscriptions is 1 to 32 characters"));
    }
    Ok(())
}

/// `6h`..`8760h`, written as a whole number and one of d, h, m, s.
fn rotation_period(p: &str) -> Result<(), ApiError> {
    let bad = || invalid(format!("rotation_period '{p}' must be 6h to 8760h, e.g. 30d or 12h"));
    let (digits, unit) = p.split_at(p.len().saturating_sub(1));
    let seconds_per = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => return Err(bad()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let seconds = digits.parse::<u64>().ok().and_then(|n| n.checked_mul(seconds_per)).ok_or_else(bad)?;
    if (6 * 3_600..=8_760 * 3_600).contains(&seconds) { Ok(()) } else { Err(bad()) }
}

/// Auto rotation needs a period; a period, when given, must be in range.
fn rotation(auto_rotation: Option<bool>, period: Option<&str>) -> Result<(), ApiError> {
    if let Some(p) = period {
        rotation_period(p)?;
    }
    if auto_rotation == Some(true) && period.is_none() {
        return Err(invalid("auto_rotation needs rotation_period (6h to 8760h)"));
    }
    Ok(())
}

pub fn create(req: &CreateSecretRequest) -> Result<(), ApiError> {
    if !crate::csms::model::is_valid_secret_name(&req.name) {
        return Err(invalid(format!(
            "invalid secret name '{}': 1 to 64 characters of letters, digits, '_', '-' and '.', not only dots",
            req.name
        )));
    }
    value(req.secret_string.as_deref(), req.secret_binary.as_deref())?;
    description(req.description.as_deref())?;
    if let Some(k) = &req.kms_key_id
        && !KMS_KEY_ID.is_match(k)
    {
        return Err(invalid(format!("kms_key_id '{k}' is not a key id (8-4-4-4-12 of [0-9a-z])")));
    }
    let secret_type = req.secret_type.as_deref().unwrap_or("COMMON");
    if !matches!(secret_type, "COMMON" | "RDS-FG" | "GaussDB-FG") {
        return Err(invalid(format!("invalid secret_type '{secret_type}': COMMON, RDS-FG or GaussDB-FG")));
    }
    match &req.rotation_config {
        Some(c) if c.chars().count() > 1024 => return Err(invalid("rotation_config exceeds 1024 characters")),
        None if secret_type != "COMMON" => {
            return Err(invalid(format!("secret_type {secret_type} needs rotation_config")));
        }
        _ => {}
    }
    event_subscriptions(req.event_subscriptions.as_deref())?;
    if let Some(e) = &req.enterprise_project_id
        && !(1..=36).contains(&e.chars().count())
    {
        return Err(invalid("enterprise_project_id is 1 to 36 characters"));
    }
    rotation(req.auto_rotation, req.rotation_period.as_deref())
}

/// `stored_period` is the secret's period before the update.
pub fn update(req: &UpdateSecretRequest, stored_period: Option<&str>) -> Result<(), ApiError> {
    description(req.description.as_deref())?;
    if let Some(k) = &req.kms_key_id
        && !(2..=64).contains(&k.chars().count())
    {
        return Err(invalid("kms_key_id is 2 to 64 characters"));
    }
    event_subscriptions(req.event_subscriptions.as_deref())?;
    rotation(req.auto_rotation, req.rotation_period.as_deref().or(stored_period))
}

pub fn stage_name(stage: &str) -> Result<(), ApiError> {
    if STAGE_NAME.is_match(stage) {
        Ok(())
    } else {
        Err(invalid(format!("invalid stage name '{stage}': 1 to 64 letters, digits, '_' and '-'")))
    }
}

/// The stages named for a new version: 1 to 12 valid names.
pub fn version_stages(stages: Option<&[String]>) -> Result<(), ApiError> {
    let Some(stages) = stages else { return Ok(()) };
    if stages.len() > MAX_STAGES {
        return Err(ApiError::bad_request("CSMS.0204", "version_stages names more than 12 stages"));
    }
    if stages.is_empty() {
        return Err(invalid("version_stages names 1 to 12 stages"));
    }
    stages.iter().try_for_each(|s| stage_name(s))
}

pub fn expire_time(t: Option<Millis>) -> Result<(), ApiError> {
    match t {
        Some(t) if !(0..=MAX_EXPIRE_TIME).contains(&t) => {
            Err(invalid(format!("expire_time must be 0 to {MAX_EXPIRE_TIME}, got {t}")))
        }
        _ => Ok(()),
    }
}

/// Tag keys and values as the definitions allow (shared with the client, which checks before sending).
pub fn tag(key: &str, value: &str) -> Result<(), ApiError> {
    crate::csms::model::check_tag(key, value).map_err(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_periods() {
        for ok in ["6h", "8760h", "1d", "365d", "360m", "21600s"] {
            assert!(rotation_period(ok).is_ok(), "{ok}");
        }
        for bad in ["5h", "8761h", "366d", "h", "1.5d", "-6h", "6H", "", "99999999999999999999d"] {
            assert!(rotation_period(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tags_follow_the_definitions() {
        assert!(tag("env:prod=测试 key@x", "blue/green").is_ok());
        for bad in ["", " lead", "trail ", "_sys_x", "a/b", "a#b", &"k".repeat(129)] {
            assert!(tag(bad, "").is_err(), "{bad:?}");
        }
        assert!(tag("k", "a#b").is_err());
        assert!(tag("k", &"v".repeat(256)).is_err());
    }

    #[test]
    fn binary_values_are_bounded_as_sent() {
        use base64::Engine;
        let exactly = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 24 * 1024]);
        assert_eq!(exactly.len(), 32 * 1024);
        assert!(value(None, Some(&exactly)).is_ok());
        // 24 KiB + 3 bytes decodes under 32 KiB, but its encoding is over 32768 characters.
        let over = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 24 * 1024 + 3]);
        assert!(value(None, Some(&over)).is_err());
    }
}
