//! The hub-wide stop signal: in-flight actor work (PSA calls, store writes) ends at its
//! next await once the hub stops, so a stopped hub never acts after a newer one has started.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

#[derive(Debug, Clone, Default)]
pub struct StopSignal {
    stopped: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl StopSignal {
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// Runs `work` unless the hub stops first; `None` when it did.
    pub async fn unless_stopped<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        let notified = self.notify.notified();
        if self.is_stopped() {
            return None;
        }
        tokio::select! {
            out = work => Some(out),
            () = notified => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_ends_when_the_signal_fires() {
        let signal = StopSignal::default();
        assert_eq!(signal.unless_stopped(async { 1 }).await, Some(1));
        let waiting = signal.unless_stopped(std::future::pending::<()>());
        let stopper = async {
            tokio::task::yield_now().await;
            signal.stop();
        };
        let (out, ()) = tokio::join!(waiting, stopper);
        assert_eq!(out, None);
        assert_eq!(signal.unless_stopped(async { 2 }).await, None);
    }
}
