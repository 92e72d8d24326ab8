//! The emulator's clock: real time plus an offset that tests can move.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::csms::model::Millis;

#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> Millis {
        crate::timefmt::now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance(&self, seconds: i64) -> Millis {
        self.offset_ms.fetch_add(seconds * 1000, Ordering::Relaxed);
        self.now()
    }
}
