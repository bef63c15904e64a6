//! Injected faults: one-shot or counted misbehaviour for a given operation.

use crate::log::Op;
use std::time::Duration;

/// What an injected fault does.
#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer with this status and body without doing anything.
    Status {
        status: u16,
        body: serde_json::Value,
    },
    /// Do the work (e.g. really create the webhook), then answer this error.
    CreateThenFail {
        status: u16,
        body: serde_json::Value,
    },
    /// Wait this long (holding the thread slot), then behave normally.
    Latency(Duration),
}

/// Applies to the next `times` authenticated requests of `op`.
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
