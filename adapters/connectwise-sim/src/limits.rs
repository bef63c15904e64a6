//! The rolling per-company request rate limit (429 with `Retry-After`).

use parking_lot::Mutex;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Arrival times of recent requests per company key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Records a request, or returns the whole seconds (at least 1) until one frees up.
    pub fn admit(&self, company: &str, limit: u32, window: Duration) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.seen.lock();
        let q = map.entry(company.to_string()).or_default();
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
}
