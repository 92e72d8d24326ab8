//! A bound on the listings in flight per endpoint host: a radar over thirty
//! projects of one region must not open thirty connections at once to the
//! same gateway (and meet its throttling), while other hosts go on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Listings in flight per host, by default.
pub const PER_HOST: usize = 16;

#[derive(Debug, Clone)]
pub struct HostLimits {
    per_host: usize,
    by_host: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl Default for HostLimits {
    fn default() -> Self {
        HostLimits::new(PER_HOST)
    }
}

impl HostLimits {
    pub fn new(per_host: usize) -> HostLimits {
        HostLimits { per_host: per_host.max(1), by_host: Arc::default() }
    }

    /// Waits for room on `endpoint`'s host; the room is given back when the
    /// permit is dropped.
    pub async fn acquire(&self, endpoint: &str) -> OwnedSemaphorePermit {
        let host = match reqwest::Url::parse(endpoint) {
            Ok(u) => format!("{}:{}", u.host_str().unwrap_or_default(), u.port_or_known_default().unwrap_or(0)),
            Err(_) => endpoint.to_string(),
        };
        let semaphore = {
            let mut by_host = self.by_host.lock().expect("host limits lock");
            by_host.entry(host).or_insert_with(|| Arc::new(Semaphore::new(self.per_host))).clone()
        };
        semaphore.acquire_owned().await.expect("the semaphore is never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_host_is_bounded_and_another_is_not_held_up() {
        let limits = HostLimits::new(2);
        let a1 = limits.acquire("https://kms.cn-north-4.example:443/x").await;
        let _a2 = limits.acquire("https://kms.cn-north-4.example").await;
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            limits.acquire("https://kms.cn-north-4.example"),
        );
        assert!(waiting.await.is_err(), "a third on the same host waits");
        let _b = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            limits.acquire("https://kms.ap-southeast-1.example"),
        )
        .await
        .expect("another host has room");
        drop(a1);
        let _a3 = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            limits.acquire("https://kms.cn-north-4.example"),
        )
        .await
        .expect("room again once one is done");
    }
}
