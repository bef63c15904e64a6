//! Records kept for tests: REST requests received and callout attempts made.

/// Which API operation a request was routed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One REST request as received, with the status the simulator answered.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Header names are lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    pub status: u16,
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
