//! Thread limiting per (database, integration code, endpoint) and the rolling per-database
//! request threshold. Each Autotask database enforces its own limits, so one vendor tracking
//! identifier used by many databases has 3 slots per endpoint in each of them.

use crate::ids::DatabaseId;
use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

type SlotKey = (DatabaseId, String, String);

/// Counts in-flight requests; a slot is held until its guard drops.
#[derive(Debug, Default)]
pub struct ThreadLimiter {
    in_flight: Mutex<HashMap<SlotKey, usize>>,
}

/// Releases its slot on drop, so early returns and panics cannot leak slots.
#[derive(Debug)]
pub struct SlotGuard {
    limiter: Arc<ThreadLimiter>,
    key: SlotKey,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        let mut map = self.limiter.in_flight.lock();
        if let Some(n) = map.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

impl ThreadLimiter {
    /// Takes a slot, or None when `limit` requests of this key are already in flight.
    pub fn acquire(
        self: &Arc<Self>,
        db: DatabaseId,
        integration_code: &str,
        endpoint: &str,
        limit: usize,
    ) -> Option<SlotGuard> {
        let key = (
            db,
            integration_code.to_string(),
            endpoint.to_ascii_lowercase(),
        );
        let mut map = self.in_flight.lock();
        let n = map.entry(key.clone()).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(SlotGuard {
            limiter: Arc::clone(self),
            key,
        })
    }
}

/// Rolling-window request counts per database.
#[derive(Debug, Default)]
pub struct RequestThreshold {
    seen: Mutex<HashMap<DatabaseId, VecDeque<Instant>>>,
}

impl RequestThreshold {
    /// Records a request, or returns the whole seconds until one frees up.
    pub fn admit(&self, db: DatabaseId, limit: u32, window: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.seen.lock();
        let q = map.entry(db).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if q.len() >= limit as usize {
            let wait = q
                .front()
                .map(|t| window.saturating_sub(now.duration_since(*t)))
                .unwrap_or(window);
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        q.push_back(now);
        Ok(())
    }

    /// Requests counted in the current window.
    pub fn count(&self, db: DatabaseId, window: Duration) -> usize {
        let now = Instant::now();
        self.seen.lock().get(&db).map_or(0, |q| {
            q.iter()
                .filter(|t| now.duration_since(**t) < window)
                .count()
        })
    }
}
