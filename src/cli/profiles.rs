//! `profiles [--check]`.

use serde_json::json;

use super::args::Output;
use super::table::Table;
use super::{client_for, error_status, exit, overall};
use crate::workspace::Workspace;

pub(super) async fn profiles(ws: &Workspace, output: Output, check: bool) -> i32 {
    let default = ws.profile(None).ok().map(|p| p.name.clone());
    let checks = futures::future::join_all(ws.config.profiles.values().map(|p| async move {
        if !check {
            return None;
        }
        Some(match client_for(ws, p) {
            Ok(c) => c.check().await.map(|_| ()),
            Err(e) => Err(e),
        })
    }))
    .await;
    let mut status = exit::OK;
    let mut t = Table::new(if check {
        vec!["NAME", "REGION", "PROJECT", "AUTH", "ENDPOINT", "FLAGS", "CHECK"]
    } else {
        vec!["NAME", "REGION", "PROJECT", "AUTH", "ENDPOINT", "FLAGS"]
    });
    let mut json_rows = Vec::new();
    for (p, result) in ws.config.profiles.values().zip(checks) {
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
        let mut row = vec![
            p.name.clone(),
            p.region.clone(),
            p.project_id.clone().unwrap_or_default(),
            p.auth_mode().to_string(),
            p.endpoint.clone(),
            flags.join(","),
        ];
        if let Some(c) = &check_text {
            row.push(c.clone());
        }
        t.row(row);
        json_rows.push(json!({
            "name": p.name, "region": p.region, "project_id": p.project_id, "auth": p.auth_mode(),
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
