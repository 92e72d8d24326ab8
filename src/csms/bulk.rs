//! Cancelling many deletions at once: bounded concurrency that backs off when
//! the gateway throttles, progress as each secret finishes, and a stop that
//! lets the requests in flight finish so every secret's fate is known.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::client::Client;
use super::model::Secret;
use super::reconcile::{CancelOutcome, cancel_deletion};

pub const DEFAULT_CONCURRENCY: usize = 8;
/// How far the requests in flight may grow while nothing throttles.
pub const DEFAULT_CEILING: usize = 32;

/// How long a listing's word that a secret is pending stands in for reading
/// it again just before its cancel is sent.
const LISTING_FRESH: Duration = Duration::from_secs(10);

/// One secret to cancel: its name, and the secret as a listing showed it
/// (with when), which spares reading it again before the cancel while fresh.
#[derive(Debug, Clone)]
pub struct ToCancel {
    pub name: String,
    pub listed: Option<(Secret, Instant)>,
}

impl From<String> for ToCancel {
    fn from(name: String) -> ToCancel {
        ToCancel { name, listed: None }
    }
}

impl From<Secret> for ToCancel {
    /// A secret a listing showed just now.
    fn from(secret: Secret) -> ToCancel {
        ToCancel { name: secret.name.clone(), listed: Some((secret, Instant::now())) }
    }
}

impl ToCancel {
    /// The listed secret while it still tells how the secret was just before.
    fn fresh(&self) -> Option<&Secret> {
        self.listed.as_ref().filter(|(_, at)| at.elapsed() < LISTING_FRESH).map(|(s, _)| s)
    }
}

/// What happened to one secret of a bulk cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkResult {
    Done(Box<CancelOutcome>),
    /// Stopped before its request was sent: nothing was asked of the server.
    NotStarted,
}

#[derive(Debug, Clone)]
pub struct BulkReport {
    /// In the order the names were given.
    pub results: Vec<(String, BulkResult)>,
    /// The lowest and highest number of requests allowed in flight during the run.
    pub min_concurrency: usize,
    pub peak_concurrency: usize,
    pub stopped: bool,
}

/// Cancels the deletion of each name, `concurrency` requests in flight at
/// first. While nothing throttles, every answer lets one more go (up to
/// `ceiling`); a 429 halves the number, and after one it grows by one per
/// round of answers (additive increase, multiplicative decrease). `on_done`
/// hears each result as it comes; once `stop` resolves no new request is
/// sent, and those in flight are awaited. A name alone is read before its
/// cancel is sent; a secret a listing showed a moment ago is not.
pub async fn cancel_many<N, F, S>(
    client: Arc<Client>,
    items: Vec<N>,
    concurrency: usize,
    ceiling: usize,
    on_done: F,
    stop: S,
) -> BulkReport
where
    N: Into<ToCancel>,
    F: FnMut(&str, &CancelOutcome, usize),
    S: Future<Output = ()>,
{
    cancel_many_noting(client, items, (concurrency, ceiling), |_| {}, on_done, stop).await
}

/// As [`cancel_many`], and `on_start` hears each name just before its
/// cancel starts: the journal records what is about to be sent.
pub async fn cancel_many_noting<N, G, F, S>(
    client: Arc<Client>,
    items: Vec<N>,
    (concurrency, ceiling): (usize, usize),
    mut on_start: G,
    mut on_done: F,
    stop: S,
) -> BulkReport
where
    N: Into<ToCancel>,
    G: FnMut(&str),
    F: FnMut(&str, &CancelOutcome, usize),
    S: Future<Output = ()>,
{
    let items: Vec<ToCancel> = items.into_iter().map(Into::into).collect();
    let max = ceiling.max(concurrency).max(1);
    let mut limit = concurrency.clamp(1, max);
    let mut min_concurrency = limit;
    let mut peak_concurrency = limit;
    let mut ever_throttled = false;
    let mut streak = 0usize;
    let mut results: Vec<Option<BulkResult>> = vec![None; items.len()];
    let mut next = 0usize;
    let mut in_flight = FuturesUnordered::new();
    let mut stopped = false;
    let mut throttled_seen = client.throttled();
    tokio::pin!(stop);

    loop {
        while !stopped && next < items.len() && in_flight.len() < limit {
            // Freshness counts from now, when the cancel goes.
            let (i, name, listed, client) =
                (next, items[next].name.clone(), items[next].fresh().cloned(), client.clone());
            on_start(&name);
            in_flight.push(async move {
                let outcome = cancel_deletion(&client, &name, listed.as_ref()).await;
                (i, outcome)
            });
            next += 1;
        }
        if in_flight.is_empty() {
            break;
        }
        tokio::select! {
            Some((i, outcome)) = in_flight.next() => {
                // Additive increase, multiplicative decrease on throttling.
                let throttled_now = client.throttled();
                if throttled_now > throttled_seen {
                    limit = (limit / 2).max(1);
                    min_concurrency = min_concurrency.min(limit);
                    ever_throttled = true;
                    streak = 0;
                    tracing::info!(limit, "throttled: fewer cancels in flight");
                } else {
                    streak += 1;
                    // Before any throttling one more per answer; after, one more per round.
                    let grow_after = if ever_throttled { limit } else { 1 };
                    if streak >= grow_after && limit < max {
                        limit += 1;
                        peak_concurrency = peak_concurrency.max(limit);
                        streak = 0;
                    }
                }
                throttled_seen = throttled_now;
                on_done(&items[i].name, &outcome, limit);
                results[i] = Some(BulkResult::Done(Box::new(outcome)));
            }
            _ = &mut stop, if !stopped => {
                stopped = true;
                tracing::info!(in_flight = in_flight.len(), "stop asked: waiting for the cancels in flight");
            }
        }
    }
    BulkReport {
        results: items.into_iter().zip(results).map(|(t, r)| (t.name, r.unwrap_or(BulkResult::NotStarted))).collect(),
        min_concurrency,
        peak_concurrency,
        stopped,
    }
}
