//! Waiting on an observable condition (a state in the admin API, a request in the simulator's
//! log, a metric) instead of sleeping: the one place tests poll, with one deadline.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long any condition may take; far beyond what a loaded machine needs.
pub const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(10);

/// Polls `probe` until it returns `Ok`; panics with its last `Err` (what it saw) at the deadline.
pub async fn until<T, F, Fut>(mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(found) => return found,
            Err(seen) if started.elapsed() > DEADLINE => {
                panic!("waited {DEADLINE:?} in vain; last seen: {seen}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// `until` for a plain condition.
pub async fn until_true<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    until(|| {
        let done = probe();
        async move {
            if done.await {
                Ok(())
            } else {
                Err(what.to_owned())
            }
        }
    })
    .await
}
