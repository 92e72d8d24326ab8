//! The emulator's clock: real time plus an offset that tests can move.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::csms::model::Millis;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// A clock already moved by `offset_ms` (kept in the database across restarts).
    pub fn with_offset(offset_ms: Millis) -> Clock {
        Clock { offset_ms: AtomicI64::new(offset_ms) }
    }

    pub fn offset(&self) -> Millis {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> Millis {
        crate::timefmt::now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock; refuses a move that would overflow or take it more
    /// than a century from real time (nothing the emulator keeps lasts that long).
    pub fn advance(&self, seconds: i64) -> Result<Millis, String> {
        let refused = || format!("advance_seconds {seconds} would move the clock more than {MAX_OFFSET_YEARS} years");
        let delta = seconds.checked_mul(1000).ok_or_else(refused)?;
        self.offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                offset.checked_add(delta).filter(|o| o.abs() <= MAX_OFFSET_MS)
            })
            .map_err(|_| refused())?;
        Ok(self.now())
    }
}

const MAX_OFFSET_YEARS: i64 = 100;
const MAX_OFFSET_MS: i64 = MAX_OFFSET_YEARS * 366 * 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_bounded_and_never_wrap() {
        let clock = Clock::default();
        let before = clock.now();
        assert!(clock.advance(i64::MAX).is_err());
        assert!(clock.advance(i64::MIN).is_err());
        assert!(clock.advance(200 * 366 * 86_400).is_err());
        assert!(clock.now() - before < 60_000, "a refused move changes nothing");
        let after = clock.advance(86_400).unwrap();
        assert!(after - before >= 86_400_000);
    }
}
