//! Counts requests held by an injected `Latency` or `Hold`, so tests can wait for them exactly.

use crate::log::Op;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

/// Requests per operation waiting out a `Latency` or `Hold` fault.
#[derive(Debug, Default)]
pub struct Held {
    counts: Mutex<HashMap<Op, usize>>,
}

/// Counts one held request until it drops, so an aborted wait cannot leave a stale count.
#[derive(Debug)]
pub struct HeldGuard {
    held: Arc<Held>,
    op: Op,
}

impl Drop for HeldGuard {
    fn drop(&mut self) {
        let mut counts = self.held.counts.lock();
        if let Some(n) = counts.get_mut(&self.op) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.op);
            }
        }
    }
}

impl Held {
    pub fn enter(self: &Arc<Self>, op: Op) -> HeldGuard {
        *self.counts.lock().entry(op).or_insert(0) += 1;
        HeldGuard {
            held: Arc::clone(self),
            op,
        }
    }

    pub fn count(&self, op: Op) -> usize {
        self.counts.lock().get(&op).copied().unwrap_or(0)
    }
}
