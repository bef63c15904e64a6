//! Autotask's thread limit: at most 3 concurrent requests per (database, integration code,
//! endpoint). Shared by every connection of one process, so tenants on one database never
//! exceed it together.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct EndpointLimiter {
    per_endpoint: usize,
    slots: Mutex<HashMap<(String, String), Arc<Semaphore>>>,
}

impl std::fmt::Debug for EndpointLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Bucket keys embed integration codes: only their number is shown.
        f.debug_struct("EndpointLimiter")
            .field("per_endpoint", &self.per_endpoint)
            .field("buckets", &self.slots.lock().len())
            .finish()
    }
}

impl EndpointLimiter {
    pub fn new(per_endpoint: usize) -> Self {
        Self {
            per_endpoint: per_endpoint.max(1),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot on `endpoint` of `database`; the slot frees when the permit drops.
    pub async fn acquire(&self, database: &str, endpoint: &str) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut slots = self.slots.lock();
            slots
                .entry((database.to_owned(), endpoint.to_ascii_lowercase()))
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint)))
                .clone()
        };
        semaphore
            .acquire_owned()
            .await
            .expect("limiter semaphores are never closed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_fourth_call_on_one_endpoint_waits_while_others_pass() {
        let limiter = EndpointLimiter::new(3);
        let held: Vec<_> = futures_join(&limiter, "db1", "TicketWebhooks", 3).await;
        let fourth = tokio::time::timeout(
            Duration::from_millis(50),
            limiter.acquire("db1", "ticketwebhooks"),
        )
        .await;
        assert!(fourth.is_err(), "a fourth concurrent call must wait");
        let other_endpoint =
            tokio::time::timeout(Duration::from_millis(50), limiter.acquire("db1", "Tickets"))
                .await;
        assert!(other_endpoint.is_ok());
        let other_db = tokio::time::timeout(
            Duration::from_millis(50),
            limiter.acquire("db2", "TicketWebhooks"),
        )
        .await;
        assert!(other_db.is_ok());
        drop(held);
        let after = tokio::time::timeout(
            Duration::from_millis(50),
            limiter.acquire("db1", "TicketWebhooks"),
        )
        .await;
        assert!(after.is_ok());
    }

    async fn futures_join(
        limiter: &EndpointLimiter,
        db: &str,
        endpoint: &str,
        n: usize,
    ) -> Vec<OwnedSemaphorePermit> {
        let mut permits = Vec::new();
        for _ in 0..n {
            permits.push(limiter.acquire(db, endpoint).await);
        }
        permits
    }
}
