//! Autotask's thread limit: at most 3 concurrent requests per (database, integration code,
//! endpoint). Shared by every connection of one process, so tenants on one database never
//! exceed it together.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct EndpointLimiter {
    per_endpoint: usize,
    /// Past this many buckets, idle ones are dropped.
    idle_after: usize,
    slots: Mutex<Buckets>,
}

struct Buckets {
    map: HashMap<(String, String), Arc<Semaphore>>,
    /// The size that triggers the next sweep: at least `idle_after`, and twice what the last
    /// sweep left, so a map full of busy buckets is not swept on every call.
    sweep_at: usize,
}

impl std::fmt::Debug for EndpointLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Bucket keys embed integration codes: only their number is shown.
        f.debug_struct("EndpointLimiter")
            .field("per_endpoint", &self.per_endpoint)
            .field("buckets", &self.buckets())
            .finish()
    }
}

impl EndpointLimiter {
    /// `per_endpoint` calls at a time per bucket; idle buckets are dropped once there are more
    /// than `idle_after`.
    pub fn new(per_endpoint: usize, idle_after: usize) -> Self {
        let idle_after = idle_after.max(1);
        Self {
            per_endpoint: per_endpoint.max(1),
            idle_after,
            slots: Mutex::new(Buckets {
                map: HashMap::new(),
                sweep_at: idle_after,
            }),
        }
    }

    /// Waits for a slot on `endpoint` of `database`; the slot frees when the permit drops.
    pub async fn acquire(&self, database: &str, endpoint: &str) -> OwnedSemaphorePermit {
        let semaphore = {
            let mut slots = self.slots.lock();
            let semaphore = slots
                .map
                .entry((database.to_owned(), endpoint.to_ascii_lowercase()))
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_endpoint)))
                .clone();
            if slots.map.len() > slots.sweep_at {
                self.sweep(&mut slots);
            }
            semaphore
        };
        semaphore
            .acquire_owned()
            .await
            .expect("limiter semaphores are never closed")
    }

    /// How many buckets are kept.
    pub fn buckets(&self) -> usize {
        self.slots.lock().map.len()
    }

    /// Drops the buckets nobody holds. A semaphore is cloned only under this lock, and every
    /// permit and every waiter holds a clone; so one the map alone holds has no permit out and
    /// no waiter, and a fresh one made later starts, rightly, with every slot free.
    fn sweep(&self, slots: &mut Buckets) {
        slots
            .map
            .retain(|_, semaphore| Arc::strong_count(semaphore) > 1);
        slots.sweep_at = self.idle_after.max(2 * slots.map.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fourth_call_on_one_endpoint_waits_while_others_pass() {
        let limiter = EndpointLimiter::new(3, 1024);
        let held: Vec<_> = futures_join(&limiter, "db1", "TicketWebhooks", 3).await;
        let fourth = ready_now(limiter.acquire("db1", "ticketwebhooks")).await;
        assert!(fourth.is_none(), "a fourth concurrent call must wait");
        assert!(ready_now(limiter.acquire("db1", "Tickets")).await.is_some());
        assert!(ready_now(limiter.acquire("db2", "TicketWebhooks"))
            .await
            .is_some());
        drop(held);
        assert!(ready_now(limiter.acquire("db1", "TicketWebhooks"))
            .await
            .is_some());
    }

    /// Polls `future` once: its output if it is ready at once, `None` if it would wait.
    async fn ready_now<T>(future: impl std::future::Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            out = future => Some(out),
            () = std::future::ready(()) => None,
        }
    }

    #[tokio::test]
    async fn idle_buckets_are_dropped_past_the_threshold_and_held_ones_kept() {
        let limiter = EndpointLimiter::new(3, 4);
        let held = futures_join(&limiter, "db1", "TicketWebhooks", 3).await;
        for n in 0..100 {
            drop(limiter.acquire("db1", &format!("Endpoint{n}")).await);
            assert!(limiter.buckets() <= 5, "{} buckets", limiter.buckets());
        }
        assert!(
            ready_now(limiter.acquire("db1", "TicketWebhooks"))
                .await
                .is_none(),
            "a held bucket survives the sweeps: a fourth call still waits"
        );
        let mut held = held;
        held.pop();
        let fourth = ready_now(limiter.acquire("db1", "TicketWebhooks")).await;
        assert!(fourth.is_some(), "a freed slot is taken at once");
    }

    #[tokio::test]
    async fn a_waiting_call_keeps_its_bucket() {
        let limiter = Arc::new(EndpointLimiter::new(1, 1));
        let held = limiter.acquire("db1", "Tickets").await;
        let waiter = {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.acquire("db1", "Tickets").await })
        };
        // Let the waiter queue on the semaphore, then churn past the threshold.
        while Arc::strong_count(&semaphore_of(&limiter, "db1", "tickets")) < 4 {
            tokio::task::yield_now().await;
        }
        for n in 0..10 {
            drop(limiter.acquire("db1", &format!("Other{n}")).await);
        }
        assert!(ready_now(limiter.acquire("db1", "Tickets")).await.is_none());
        assert!(!waiter.is_finished());
        drop(held);
        let _second = waiter.await.expect("the waiter gets the slot");
        assert!(ready_now(limiter.acquire("db1", "Tickets")).await.is_none());
    }

    /// The bucket's semaphore, as a waiter would clone it.
    fn semaphore_of(limiter: &EndpointLimiter, db: &str, endpoint: &str) -> Arc<Semaphore> {
        limiter.slots.lock().map[&(db.to_owned(), endpoint.to_owned())].clone()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_the_limit_at_once_while_buckets_are_dropped() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let limiter = Arc::new(EndpointLimiter::new(3, 2));
        let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = Vec::new();
        for task in 0..24 {
            let (limiter, inside, most) = (limiter.clone(), inside.clone(), most.clone());
            tasks.push(tokio::spawn(async move {
                for round in 0..50 {
                    // Every other task churns through fresh endpoints, forcing sweeps.
                    if task % 2 == 1 {
                        drop(limiter.acquire("db1", &format!("E{task}-{round}")).await);
                        continue;
                    }
                    let _slot = limiter.acquire("db1", "TicketWebhooks").await;
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            }));
        }
        for task in tasks {
            task.await.expect("task completes");
        }
        let most = most.load(Ordering::SeqCst);
        assert!((1..=3).contains(&most), "{most} calls at once");
        assert!(limiter.buckets() <= 4, "{} buckets", limiter.buckets());
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
