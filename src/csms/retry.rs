//! When and how long to wait before trying a read again.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 4, base: Duration::from_millis(100), cap: Duration::from_secs(10) }
    }
}

impl RetryPolicy {
    /// Throttling and the gateway's 5xx answers are worth another try.
    pub fn retryable_status(status: u16) -> bool {
        matches!(status, 429 | 500 | 502 | 503 | 504)
    }

    /// The wait after the given failed attempt (1-based): exponential with
    /// full jitter, at least what `Retry-After` asked for (itself capped so a
    /// hostile header cannot park the client).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16)).min(self.cap);
        let jittered = exp.mul_f64(rand::random::<f64>());
        match retry_after {
            Some(ra) => jittered.max(ra.min(self.cap * 3)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_under_the_cap() {
        let p = RetryPolicy::default();
        for attempt in 1..30 {
            let d = p.delay(attempt, None);
            assert!(d <= p.cap, "attempt {attempt}: {d:?}");
            let bound = p.base.saturating_mul(1 << (attempt - 1).min(16)).min(p.cap);
            assert!(d <= bound);
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        let p = RetryPolicy::default();
        assert!(p.delay(1, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        assert!(p.delay(1, Some(Duration::from_secs(3600))) <= p.cap * 3);
    }
}
