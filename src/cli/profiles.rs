//! `profiles [--check]`. A profile that names no project id has IAM asked
//! for it, so the list says which project each profile acts on.

use serde_json::json;

use super::args::Output;
use super::table::Table;
use super::{client_for, error_status, exit, overall};
use crate::workspace::Workspace;

pub(super) async fn profiles(ws: &Workspace, output: Output, check: bool) -> i32 {
    let default = ws.profile(None).ok().map(|p| p.name.clone());
    // Per profile: the project id IAM gave (or why not), and the check.
    let asked = futures::future::join_all(ws.config.profiles.values().map(|p| async move {
        if !check && p.project_id.is_some() {
            return (None, None);
        }
        let client = match client_for(ws, p) {
            Ok(c) => c,
            Err(e) => return (p.project_id.is_none().then(|| Err(e.clone())), check.then_some(Err(e))),
        };
        let found = match p.project_id {
            None => Some(client.project_id().await.map(str::to_string)),
            Some(_) => None,
        };
        let checked = match check {
            true => Some(client.check().await.map(|_| ())),
            false => None,
        };
        (found, checked)
    }))
    .await;
    let mut status = exit::OK;
    let mut t = Table::new(if check {
        vec!["NAME", "REGION", "PROJECT", "AUTH", "ENDPOINT", "FLAGS", "CHECK"]
    } else {
        vec!["NAME", "REGION", "PROJECT", "AUTH", "ENDPOINT", "FLAGS"]
    });
    let mut json_rows = Vec::new();
    for (p, (found, result)) in ws.config.profiles.values().zip(asked) {
        let mut flags = Vec::new();
        if default.as_deref() == Some(&p.name) {
            flags.push("default");
        }
        if p.read_only {
            flags.push("read-only");
        }
        if p.insecure_skip_tls_verify {
            flags.push("TLS-UNVERIFIED");
        }
        let check_text = match &result {
            None => None,
            Some(Ok(())) => Some("ok".to_string()),
            Some(Err(e)) => {
                status = status.max(error_status(e));
                Some(format!("FAILED: {e}"))
            }
        };
        let (project_id, project_text, project_error) = match (&p.project_id, &found) {
            (Some(id), _) => (Some(id.clone()), id.clone(), None),
            (None, Some(Ok(id))) => (Some(id.clone()), format!("{id} (IAM's {})", p.region), None),
            (None, Some(Err(e))) => (None, format!("unknown: {}", unprefixed(e)), Some(e.to_string())),
            (None, None) => (None, String::new(), None),
        };
        let mut row = vec![
            p.name.clone(),
            p.region.clone(),
            project_text,
            p.auth_mode().to_string(),
            p.endpoint.clone(),
            flags.join(","),
        ];
        if let Some(c) = &check_text {
            row.push(c.clone());
        }
        t.row(row);
        json_rows.push(json!({
            "name": p.name, "region": p.region, "project_id": project_id, "auth": p.auth_mode(),
            "project_from_iam": p.project_id.is_none(), "project_error": project_error,
            "found_under": p.found_under,
            "endpoint": p.endpoint, "iam_endpoint": p.iam_endpoint, "read_only": p.read_only,
            "insecure_skip_tls_verify": p.insecure_skip_tls_verify, "ca_file": p.ca_file, "default": default.as_deref() == Some(&p.name),
            "check": check_text,
        }));
    }
    match output {
        Output::Json => outln!("{}", serde_json::to_string_pretty(&json_rows).unwrap()),
        Output::Table => out!("{}", t.render()),
    }
    overall(status)
}

/// An error as a cell of its profile's row: the row names the profile already.
fn unprefixed(e: &crate::csms::Error) -> String {
    match e {
        crate::csms::Error::Config { key, message, .. } => format!("{key}: {message}"),
        crate::csms::Error::Auth { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
