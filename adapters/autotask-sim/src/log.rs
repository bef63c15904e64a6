//! Records kept for tests: REST requests received and callout attempts made.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which API operation a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    ZoneInformation,
    ThresholdInformation,
    EntityInformation,
    WebhookCreate,
    WebhookGet,
    WebhookQuery,
    WebhookUpdate,
    WebhookDelete,
    FieldCreate,
    FieldList,
    FieldDelete,
    FieldPicklist,
    TicketCreate,
    TicketGet,
    TicketQuery,
    TicketUpdate,
    ErrorLogQuery,
    Other,
}

/// One REST request, logged when it arrives, with the status the simulator answered.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Header names are lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// `None` while the request is in flight; set once the answer is ready, before it is sent.
    pub status: Option<u16>,
    pub op: Op,
}

impl LoggedRequest {
    /// First header with this name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The REST request log. Entries carry a private serial so an answer finds its entry even
/// after a test cleared the log in between (it is then simply not recorded).
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<Vec<(u64, LoggedRequest)>>,
    next: AtomicU64,
}

impl RequestLog {
    /// Appends an arriving request; returns the serial to finish it with.
    pub fn arrived(&self, request: LoggedRequest) -> u64 {
        let serial = self.next.fetch_add(1, Ordering::Relaxed);
        self.entries.lock().push((serial, request));
        serial
    }

    /// Fills in the status of an answered request.
    pub fn answered(&self, serial: u64, status: u16) {
        let mut entries = self.entries.lock();
        if let Some((_, r)) = entries.iter_mut().rev().find(|(s, _)| *s == serial) {
            r.status = Some(status);
        }
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries.lock().iter().map(|(_, r)| r.clone()).collect()
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}

/// Result of one callout attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx with this status.
    Delivered(u16),
    /// A non-2xx answer (text starts with `HTTP <status>`), a timeout or a connection error.
    Failed(String),
}

/// One callout attempt (event or deactivation notice).
#[derive(Clone, Debug)]
pub struct Delivery {
    pub url: String,
    /// Exact bytes sent.
    pub body: Vec<u8>,
    /// `X-Hook-Signature` value; None for unsigned deactivation calls.
    pub signature: Option<String>,
    pub outcome: DeliveryOutcome,
    pub sequence: Option<i64>,
    pub deactivation: bool,
}

impl Delivery {
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, DeliveryOutcome::Delivered(_))
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
