//! State shared by the HTTP workers, the delivery task and the `Simulator` handle.

use crate::config::SimConfig;
use crate::faults::Fault;
use crate::held::Held;
use crate::limits::RateLimiter;
use crate::log::{Delivery, RequestLog};
use crate::store::Store;
use parking_lot::Mutex;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

#[derive(Debug)]
pub struct Shared {
    pub config: Arc<SimConfig>,
    pub store: Mutex<Store>,
    pub requests: RequestLog,
    pub deliveries: Mutex<Vec<Delivery>>,
    pub faults: Mutex<Vec<Fault>>,
    pub held: Arc<Held>,
    pub rate: RateLimiter,
    /// Messages given up before an attempt because their entry was deleted or stopped.
    pub dropped: AtomicU64,
    /// `http://127.0.0.1:PORT`, known once the listener is bound: the site.
    pub base_url: String,
}
