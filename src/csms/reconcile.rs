//! Cancelling a deletion so that the caller learns the truth even when the
//! answer is lost: after a timeout, a dropped connection, throttling or a
//! 5xx, the secret is read back and its state decides. The CLI, the TUI and
//! the bulk paths all go through here.

use serde::Serialize;

use super::client::Client;
use super::error::Error;
use super::model::Secret;

/// What happened to one cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelOutcome {
    /// The deletion was cancelled; the secret as the server now has it.
    Cancelled(Secret),
    /// The secret was not pending deletion when asked (CSMS.0108, confirmed by reading it).
    NotPending(Secret),
    /// The server refused, and the secret is as it was.
    Failed(Error),
    /// No answer could be trusted; `seen` is the last state read, if any.
    Unknown { error: Error, seen: Option<Secret> },
}

impl CancelOutcome {
    /// The secret ends in a state that is not pending deletion.
    pub fn is_safe(&self) -> bool {
        matches!(self, CancelOutcome::Cancelled(_) | CancelOutcome::NotPending(_))
    }

    pub fn secret(&self) -> Option<&Secret> {
        match self {
            CancelOutcome::Cancelled(s) | CancelOutcome::NotPending(s) => Some(s),
            CancelOutcome::Unknown { seen, .. } => seen.as_ref(),
            CancelOutcome::Failed(_) => None,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            CancelOutcome::Cancelled(_) => "cancelled",
            CancelOutcome::NotPending(_) => "not pending",
            CancelOutcome::Failed(_) => "failed",
            CancelOutcome::Unknown { .. } => "unknown",
        }
    }

    /// Whether the server answered 429 along the way (bulk callers slow down).
    pub fn was_throttled(&self) -> bool {
        match self {
            CancelOutcome::Failed(e) | CancelOutcome::Unknown { error: e, .. } => e.status() == Some(429),
            _ => false,
        }
    }
}

/// A JSON-friendly report line for one secret.
#[derive(Debug, Clone, Serialize)]
pub struct CancelReport {
    pub name: String,
    pub profile: String,
    pub result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl CancelReport {
    pub fn new(profile: &str, name: &str, outcome: &CancelOutcome) -> CancelReport {
        let err = match outcome {
            CancelOutcome::Failed(e) | CancelOutcome::Unknown { error: e, .. } => Some(e),
            _ => None,
        };
        CancelReport {
            name: name.to_string(),
            profile: profile.to_string(),
            result: outcome.label(),
            state: outcome.secret().map(|s| s.state_label().to_string()),
            error_code: err.and_then(|e| e.code().map(str::to_string)),
            error_msg: err.map(|e| match e {
                Error::Api { message, .. } => message.clone(),
                other => other.to_string(),
            }),
            request_id: err.and_then(|e| e.request_id().map(str::to_string)),
        }
    }
}

/// How many cancel requests one secret may receive before giving up.
const MAX_SENDS: u32 = 4;

fn may_be_lost(e: &Error) -> bool {
    e.outcome_unknown() || e.status() == Some(429)
}

/// Cancels one secret's deletion and says, from the server's own state, what happened.
pub async fn cancel_deletion(client: &Client, name: &str) -> CancelOutcome {
    let mut sent_before = false;
    let mut sends = 0;
    loop {
        sends += 1;
        let error = match client.cancel_deletion(name).await {
            Ok(secret) if secret.state.is_some() => return CancelOutcome::Cancelled(secret),
            // An answer without a state: the secret is read back below.
            Ok(_) => None,
            Err(e) => Some(e),
        };
        let not_scheduled = error.as_ref().is_some_and(|e| e.code() == Some("CSMS.0108"));
        match &error {
            Some(e) if !not_scheduled && !may_be_lost(e) => return CancelOutcome::Failed(e.clone()),
            _ => {}
        }
        if error.as_ref().is_some_and(|e| e.status() == Some(429)) {
            // Throttled: the gateway did not pass it on; wait before asking again.
            tokio::time::sleep(crate::csms::RetryPolicy::default().delay(sends, None)).await;
        }
        match client.show_secret(name).await {
            Ok(secret) if !secret.is_pending_delete() => {
                // Not pending any more: either our earlier send took effect
                // (its answer was lost) or it was never pending.
                let ours = error.is_none() || sent_before || !not_scheduled;
                return if ours { CancelOutcome::Cancelled(secret) } else { CancelOutcome::NotPending(secret) };
            }
            Ok(secret) => {
                let err = error.unwrap_or_else(|| Error::Decode {
                    message: "cancel answered without a state, and the secret is still pending".into(),
                    request_id: None,
                });
                if not_scheduled || sends >= MAX_SENDS {
                    return CancelOutcome::Unknown { error: err, seen: Some(secret) };
                }
                // Still pending: the cancel did not take effect; send it again.
                sent_before = true;
            }
            Err(read_err) => {
                let error = error.unwrap_or(read_err);
                return CancelOutcome::Unknown { error, seen: None };
            }
        }
    }
}
