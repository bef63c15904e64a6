//! Records kept for tests: requests received and callback deliveries attempted.

use crate::ids::{CallbackId, CompanyId};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which operation a request was routed to; faults and `held` are per operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `GET /login/companyinfo/{companyId}` (no auth).
    CompanyInfo,
    /// `GET /{codebase}/system/callbackkey/index.rails` (no auth).
    CallbackKey,
    SystemInfo,
    CallbackList,
    CallbackCount,
    CallbackCreate,
    CallbackGet,
    /// `PUT /system/callbacks/{id}`.
    CallbackReplace,
    /// `PATCH /system/callbacks/{id}`.
    CallbackPatch,
    CallbackDelete,
    /// Lists, `/count` and `POST /search`.
    TicketList,
    TicketCreate,
    TicketGet,
    /// `PATCH` (and `PUT`) of one ticket.
    TicketUpdate,
    TicketDelete,
    NoteList,
    NoteCreate,
    /// Boards and their statuses.
    BoardList,
    Other,
}

/// One request, logged when it arrives, with the status the simulator answered.
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

/// The request log. Entries carry a private serial so an answer finds its entry even after a
/// test cleared the log in between (it is then simply not recorded).
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

/// Result of one delivery attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx with this status.
    Delivered(u16),
    /// The receiver answered this non-2xx status.
    Rejected(u16),
    /// No answer within the (scaled) callback timeout.
    TimedOut,
    /// The connection failed; the text says how.
    Unreachable(String),
}

/// One POST of a callback message to a receiver.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub company: CompanyId,
    /// The callback entry that fired (`CallbackObjectRecId`).
    pub callback: CallbackId,
    /// The URL posted to, with the record id appended as `url_form` says.
    pub url: String,
    /// Exact bytes sent.
    pub body: Vec<u8>,
    /// The `x-content-signature` header sent.
    pub signature: String,
    /// `MessageId` of the body; the same on every attempt of one message.
    pub message_id: String,
    /// 1 for the first attempt, 2 and 3 for the retries.
    pub attempt: u32,
    pub outcome: DeliveryOutcome,
}

impl Delivery {
    pub fn succeeded(&self) -> bool {
        matches!(self.outcome, DeliveryOutcome::Delivered(_))
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
