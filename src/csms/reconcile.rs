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
            CancelOutcome::NotPending(_) => "already not pending",
            CancelOutcome::Failed(_) => "failed",
            CancelOutcome::Unknown { .. } => "unknown",
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

/// Rounds (a send and/or a read-back) one secret gets before its outcome
/// is reported as unknown.
const MAX_ROUNDS: u32 = 8;

/// Whether the request may have reached the service (its answer was lost).
fn may_have_landed(e: &Error) -> bool {
    e.outcome_unknown()
}

fn retryable_read(e: &Error) -> bool {
    e.outcome_unknown() || e.status() == Some(429)
}

/// Cancels one secret's deletion and says, from the server's own state,
/// what happened. A cancel is reported as `Cancelled` only when the secret
/// was seen pending just before it was sent: `listed` is the secret as a
/// listing made a moment ago showed it; without it the secret is read first
/// (a secret not pending then is `NotPending`, and nothing is sent). A
/// cancel is sent again only after a read-back has shown the secret still
/// pending; a lost read-back is read again, never guessed.
pub async fn cancel_deletion(client: &Client, name: &str, listed: Option<&Secret>) -> CancelOutcome {
    if let Some(s) = listed.filter(|s| !s.is_pending_delete()) {
        return CancelOutcome::NotPending(s.clone());
    }
    let policy = client.retry_policy();
    // A send, made while the secret was pending, that may have taken effect without us hearing of it.
    let mut maybe_ours = false;
    let mut must_send = listed.is_some();
    let mut said_not_scheduled = false;
    let mut last_error: Option<Error> = None;
    let mut seen: Option<Secret> = listed.cloned();
    for round in 1..=MAX_ROUNDS {
        if must_send {
            match client.cancel_deletion(name).await {
                Ok(secret) if secret.state.is_some() => return CancelOutcome::Cancelled(secret),
                // An answer without a state: what it did is read back below.
                Ok(_) => maybe_ours = true,
                Err(e) if e.code() == Some("CSMS.0108") => said_not_scheduled = true,
                Err(e) if e.status() == Some(429) => {
                    // Throttled at the gateway: not passed on. Wait, then send again.
                    last_error = Some(e);
                    tokio::time::sleep(policy.delay(round, None)).await;
                    continue;
                }
                Err(e) if may_have_landed(&e) => {
                    maybe_ours = true;
                    last_error = Some(e);
                }
                Err(e) => return CancelOutcome::Failed(e),
            }
        }
        match client.show_secret(name).await {
            Ok(secret) if !secret.is_pending_delete() => {
                // Only a send made while it was pending can have cancelled it.
                return if maybe_ours { CancelOutcome::Cancelled(secret) } else { CancelOutcome::NotPending(secret) };
            }
            Ok(secret) => {
                if said_not_scheduled {
                    // The service said "not scheduled" yet shows it pending: report, do not loop.
                    let error = last_error.unwrap_or_else(|| Error::Decode {
                        message: "the service answered CSMS.0108 but shows the secret pending deletion".into(),
                        request_id: None,
                    });
                    return CancelOutcome::Unknown { error, seen: Some(secret) };
                }
                // Pending: nothing sent so far took effect. Send it (again).
                seen = Some(secret);
                maybe_ours = false;
                must_send = true;
            }
            Err(e) if retryable_read(&e) => {
                // No trustworthy state: read again next round, send nothing.
                last_error = Some(e);
                must_send = false;
                tokio::time::sleep(policy.delay(round, None)).await;
            }
            Err(e) => return CancelOutcome::Failed(e),
        }
    }
    let error = last_error.unwrap_or_else(|| Error::Decode {
        message: format!("still pending after {MAX_ROUNDS} cancel attempts"),
        request_id: None,
    });
    if maybe_ours {
        CancelOutcome::Unknown { error, seen }
    } else {
        // Every send was refused or proven without effect: the secret is as it was.
        CancelOutcome::Failed(error)
    }
}

impl ScheduleOutcome {
    /// The scheduled secret, or a message that says what went wrong.
    pub fn into_result(self) -> Result<Secret, String> {
        match self {
            ScheduleOutcome::Scheduled(s) => Ok(s),
            ScheduleOutcome::Failed(e) => Err(e.to_string()),
            ScheduleOutcome::Unknown { error, seen } => Err(format!(
                "{OUTCOME_UNKNOWN} ({error}); last seen {}",
                seen.as_ref().map_or("nothing", |s| s.state_label())
            )),
        }
    }
}

/// What happened to one request to schedule a deletion.
#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleOutcome {
    Scheduled(Secret),
    Failed(Error),
    Unknown { error: Error, seen: Option<Secret> },
}

/// Schedules a deletion; after a lost answer the secret is read back, and a
/// secret found pending deletion counts as scheduled.
pub async fn schedule_deletion(client: &Client, name: &str, days: u32) -> ScheduleOutcome {
    let policy = client.retry_policy();
    let mut must_send = true;
    let mut last_error: Option<Error> = None;
    let mut seen = None;
    for round in 1..=MAX_ROUNDS {
        if must_send {
            match client.schedule_deletion(name, days).await {
                Ok(secret) => return ScheduleOutcome::Scheduled(secret),
                Err(e) if e.status() == Some(429) => {
                    last_error = Some(e);
                    tokio::time::sleep(policy.delay(round, None)).await;
                    continue;
                }
                Err(e) if may_have_landed(&e) => last_error = Some(e),
                Err(e) => return ScheduleOutcome::Failed(e),
            }
        }
        match client.show_secret(name).await {
            Ok(secret) if secret.is_pending_delete() => return ScheduleOutcome::Scheduled(secret),
            Ok(secret) => {
                seen = Some(secret);
                must_send = true;
            }
            Err(e) if retryable_read(&e) => {
                last_error = Some(e);
                must_send = false;
                tokio::time::sleep(policy.delay(round, None)).await;
            }
            Err(e) => return ScheduleOutcome::Failed(e),
        }
    }
    let error = last_error.unwrap_or_else(|| Error::Decode { message: "no answer".into(), request_id: None });
    ScheduleOutcome::Unknown { error, seen }
}

/// How an outcome that no answer settled begins, in every message that
/// reports one: it reads as neither done nor failed.
pub const OUTCOME_UNKNOWN: &str = "outcome unknown";

/// What happened to one change other than a cancel or a schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// It took effect: the server's answer, or what a read-back showed.
    Done(T),
    /// The server refused it: nothing changed.
    Failed(Error),
    /// No answer could be trusted: it may or may not have taken effect.
    Unknown(Error),
}

impl<T> Outcome<T> {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Done(_) => "ok",
            Outcome::Failed(_) => "failed",
            Outcome::Unknown(_) => "unknown",
        }
    }

    pub fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Done(_) => None,
            Outcome::Failed(e) | Outcome::Unknown(e) => Some(e),
        }
    }
}

tokio::task_local! {
    /// Who asked for a change, told of each send after the first.
    static ON_RESEND: Box<dyn Fn(u32) + Send + Sync>;
}

/// Runs `change` telling `report` the number of each send after the first
/// (2, 3, …) as it goes out: a change retried for long shows it is alive.
pub async fn reporting_sends<F: std::future::Future>(
    report: impl Fn(u32) + Send + Sync + 'static,
    change: F,
) -> F::Output {
    ON_RESEND.scope(Box::new(report), change).await
}

/// Sends a change once and, only when its answer is lost, asks `confirm`
/// whether it took effect: `Some` it did, `None` it did not, and then it is
/// sent again. Never sent twice without a read in between, so a create is
/// not repeated blindly. Throttled sends are waited out and sent again.
pub async fn apply<T, Send, SendFut, Confirm, ConfirmFut>(
    client: &Client,
    mut send: Send,
    mut confirm: Confirm,
) -> Outcome<T>
where
    Send: FnMut() -> SendFut,
    SendFut: std::future::Future<Output = Result<T, Error>>,
    Confirm: FnMut() -> ConfirmFut,
    ConfirmFut: std::future::Future<Output = Result<Option<T>, Error>>,
{
    let policy = client.retry_policy();
    let mut must_send = true;
    let mut last_error: Option<Error> = None;
    let mut sends = 0;
    for round in 1..=MAX_ROUNDS {
        if must_send {
            sends += 1;
            if sends > 1 {
                // Outside a `reporting_sends`, nobody asked to be told.
                let _ = ON_RESEND.try_with(|report| report(sends));
            }
            match send().await {
                Ok(t) => return Outcome::Done(t),
                Err(e) if e.status() == Some(429) => {
                    last_error = Some(e);
                    tokio::time::sleep(policy.delay(round, None)).await;
                    continue;
                }
                Err(e) if may_have_landed(&e) => last_error = Some(e),
                Err(e) => return Outcome::Failed(e),
            }
        }
        match confirm().await {
            Ok(Some(t)) => return Outcome::Done(t),
            Ok(None) => must_send = true,
            Err(e) if retryable_read(&e) => {
                last_error = Some(e);
                must_send = false;
                tokio::time::sleep(policy.delay(round, None)).await;
            }
            // The change may have landed; the read that would tell cannot be made.
            Err(e) => return Outcome::Unknown(e),
        }
    }
    Outcome::Unknown(last_error.unwrap_or_else(|| Error::Decode {
        message: format!("no trustworthy answer after {MAX_ROUNDS} rounds"),
        request_id: None,
    }))
}
