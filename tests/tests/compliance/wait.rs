//! Waiting on observable conditions with one deadline, never a fixed sleep.

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

/// `until` for a plain condition; `what` names it in the panic.
pub async fn until_true<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    until(|| {
        let done = probe();
        async move { done.await.then_some(()).ok_or_else(|| what.to_owned()) }
    })
    .await
}
