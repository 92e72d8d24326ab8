//! Shapes the real service is known to send, on request (`csms serve
//! --quirks`, or `POST /_emulator/quirks`), so that the client's tolerance of
//! them stays tested against a server and not only against hand-written JSON:
//! - `nulls`: empty lists as `null` (the official ListSecretTags example has
//!   `"sys_tags": null`);
//! - `numbers`: `enterprise_project_id` as a number (the definition's example is `0`);
//! - `unreadable`: a first page of secrets that starts with an entry no model
//!   can read (its state is a number).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Shared;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quirks {
    #[serde(default)]
    pub nulls: bool,
    #[serde(default)]
    pub numbers: bool,
    #[serde(default)]
    pub unreadable: bool,
}

/// The lists a server may send as `null`.
const LISTS: &[&str] =
    &["secrets", "version_metadatas", "version_stages", "event_subscriptions", "tags", "sys_tags", "resources"];

/// The name of the entry the `unreadable` quirk adds.
pub const UNREADABLE_NAME: &str = "quirk-unreadable";

impl Quirks {
    /// `nulls,numbers`, or `all`.
    pub fn parse(list: &str) -> Result<Quirks, String> {
        let mut q = Quirks::default();
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "nulls" => q.nulls = true,
                "numbers" => q.numbers = true,
                "unreadable" => q.unreadable = true,
                "all" => q = Quirks { nulls: true, numbers: true, unreadable: true },
                other => return Err(format!("unknown quirk '{other}': nulls, numbers, unreadable or all")),
            }
        }
        Ok(q)
    }

    fn any(&self) -> bool {
        self.nulls || self.numbers || self.unreadable
    }
}

pub async fn apply(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    let quirks = *shared.quirks.lock().unwrap_or_else(|p| p.into_inner());
    if !quirks.any() {
        return next.run(req).await;
    }
    let first_page = !req.uri().query().unwrap_or("").split('&').any(|p| p.len() > 7 && p.starts_with("marker="));
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !resp.status().is_success() || !is_json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if quirks.unreadable
        && first_page
        && let Some(Value::Array(secrets)) = value.get_mut("secrets")
    {
        secrets.insert(0, json!({ "name": UNREADABLE_NAME, "state": 7 }));
    }
    reshape(&mut value, quirks);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(serde_json::to_vec(&value).expect("serializable")))
}

fn reshape(value: &mut Value, quirks: Quirks) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if quirks.nulls && LISTS.contains(&key.as_str()) && v.as_array().is_some_and(Vec::is_empty) {
                    *v = Value::Null;
                } else if quirks.numbers
                    && key == "enterprise_project_id"
                    && let Some(n) = v.as_str().and_then(|s| s.parse::<i64>().ok())
                {
                    *v = json!(n);
                } else {
                    reshape(v, quirks);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| reshape(v, quirks)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reshapes() {
        assert_eq!(Quirks::parse("nulls, numbers").unwrap(), Quirks { nulls: true, numbers: true, unreadable: false });
        assert!(Quirks::parse("all").unwrap().unreadable);
        assert!(Quirks::parse("nul").is_err());
        let mut v = json!({"tags": [], "sys_tags": [], "secret": {"enterprise_project_id": "0", "event_subscriptions": []},
                           "version_metadatas": [{"version_stages": ["SYSCURRENT"]}]});
        reshape(&mut v, Quirks::parse("all").unwrap());
        assert_eq!(
            v,
            json!({"tags": null, "sys_tags": null, "secret": {"enterprise_project_id": 0, "event_subscriptions": null},
                   "version_metadatas": [{"version_stages": ["SYSCURRENT"]}]})
        );
    }
}
