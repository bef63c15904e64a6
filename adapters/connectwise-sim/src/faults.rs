//! Injected faults: one-shot or counted misbehaviour for a given operation.

use crate::log::Op;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// What an injected fault does.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer with this status and body without doing anything.
    Status {
        status: u16,
        body: serde_json::Value,
    },
    /// Do the work (e.g. really create the callback), then answer this error.
    CreateThenFail {
        status: u16,
        body: serde_json::Value,
    },
    /// Wait this long, then behave normally.
    Latency(Duration),
    /// Wait until the test opens the gate, then behave normally: a hold whose end the test
    /// decides, so no timing can beat it.
    Hold(Gate),
}

/// Opened once by a test; every request held on it then goes on.
#[derive(Clone, Debug)]
pub struct Gate(Arc<Semaphore>);

impl Gate {
    pub fn new() -> Self {
        Self(Arc::new(Semaphore::new(0)))
    }

    /// Lets every held request (and any later one) through.
    pub fn open(&self) {
        self.0.add_permits(Semaphore::MAX_PERMITS / 2);
    }

    pub(crate) async fn pass(&self) {
        // The semaphore is never closed, so acquiring only waits for `open`.
        if let Ok(permit) = self.0.acquire().await {
            permit.forget();
        }
    }
}

impl Default for Gate {
    fn default() -> Self {
        Self::new()
    }
}

/// Applies to the next `times` requests of `op`: authenticated, within the rate limit, for the
/// REST API; any request for the unauthenticated company-info and callback-key routes.
#[derive(Clone, Debug)]
pub struct Fault {
    pub op: Op,
    pub times: u32,
    pub kind: FaultKind,
}

/// Consumes one use of the first pending fault for `op`.
pub fn take(faults: &mut Vec<Fault>, op: Op) -> Option<FaultKind> {
    let idx = faults.iter().position(|f| f.op == op && f.times > 0)?;
    let kind = faults[idx].kind.clone();
    faults[idx].times -= 1;
    if faults[idx].times == 0 {
        faults.remove(idx);
    }
    Some(kind)
}
