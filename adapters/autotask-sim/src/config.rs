//! Simulator configuration: every timing knob and every behaviour the reference marks as uncertain.

use std::time::Duration;

/// Which bytes go on the wire for a callout body. The signature never changes:
/// it is always computed over the .NET-escaped compact JSON (reference §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WireBody {
    /// Send exactly the signed bytes (`\u0026` etc. appear in the body).
    #[default]
    Escaped,
    /// Send plain `serde_json` compact text; only a receiver that re-canonicalizes can verify.
    Plain,
}

/// Labels used in the `fieldID` picklist of `TicketWebhookFields` (reference §3.1, open question 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FieldLabels {
    /// REST field names such as `completedDate`.
    RestNames,
    /// UI display labels such as `Completed Date`.
    #[default]
    DisplayLabels,
}

/// Answer to `DELETE /TicketWebhooks/{id}` when the webhook does not exist (reference §2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeleteMissing {
    /// 404 with `{"errors":["No matching records found"]}`.
    NotFound404,
    /// 500 with `{"errors":["No matching records found"]}` (what n8n observed).
    #[default]
    NoMatchingRecords500,
}

/// Simulator settings. All fields are public; start from `SimConfig::default()`.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Multiplies every Autotask delay (callout timeout, retry delay, threshold window).
    pub time_scale: f64,
    /// Wire form of callout bodies.
    pub wire_body: WireBody,
    /// Send integer callout field values as strings (`"5"`), as in Nango's test fixture.
    pub numbers_as_strings: bool,
    /// Labels of the `fieldID` picklist.
    pub field_labels: FieldLabels,
    /// Answer to deleting a webhook that does not exist.
    pub delete_missing: DeleteMissing,
    /// Whether GET/query of a webhook returns `secretKey` (else `null`).
    pub echo_secret_key: bool,
    /// `GET /TicketWebhooks/{missing}` answers 200 `{"item":null}` (true) or 404 (false).
    pub get_missing_as_null_item: bool,
    /// Answer a failed authentication (401) and the simulator's own 5xx in ASP.NET's
    /// unhandled-exception shape (no `errors` key), echoing the request's headers and body.
    pub echo_request_in_errors: bool,
    /// Whether an API user sees webhooks owned by other resources (undocumented). When false,
    /// every webhook route acts as if those did not exist; the duplicate rule still counts them.
    pub other_users_webhooks_visible: bool,
    /// Concurrent requests allowed per (ApiIntegrationCode, endpoint).
    pub thread_limit: usize,
    /// Requests allowed per database per rolling window (`1h * time_scale`).
    pub requests_per_hour: u32,
    /// HTTP status of thread-limit and request-threshold rejections (not always 429 in reality).
    pub threshold_status: u16,
    /// Callout timeout before scaling.
    pub callout_timeout: Duration,
    /// Delay between callout attempts before scaling.
    pub retry_delay: Duration,
    /// Attempts per event before it goes to the error log.
    pub attempts_per_event: u32,
    /// Consecutive failed attempts (across events) that deactivate a webhook.
    pub disable_after_failures: u32,
    /// `errors[]` text when the security level's webhook limit is reached (real text unknown).
    pub webhook_limit_error: String,
    /// `errors[]` text when the security level cannot create webhooks (real text unknown).
    pub cannot_create_error: String,
    /// HTTP status for `cannot_create_error` (real status unknown).
    pub cannot_create_status: u16,
    /// `errors[]` text for a duplicate webhook (real text unknown).
    pub duplicate_error: String,
    /// Fixed technician resource id used as `PersonID` for Rust-side ticket changes.
    pub technician_resource_id: i64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            time_scale: 1.0,
            wire_body: WireBody::Escaped,
            numbers_as_strings: false,
            field_labels: FieldLabels::DisplayLabels,
            delete_missing: DeleteMissing::NoMatchingRecords500,
            echo_secret_key: false,
            get_missing_as_null_item: true,
            other_users_webhooks_visible: true,
            echo_request_in_errors: false,
            thread_limit: 3,
            requests_per_hour: 10_000,
            threshold_status: 429,
            callout_timeout: Duration::from_secs(10),
            retry_delay: Duration::from_secs(30),
            attempts_per_event: 5,
            disable_after_failures: 25,
            webhook_limit_error:
                "The maximum number of webhooks allowed for this security level has been reached."
                    .to_string(),
            cannot_create_error:
                "The logged in Resource does not have permission to create TicketWebhooks."
                    .to_string(),
            cannot_create_status: 403,
            duplicate_error:
                "A webhook with the same Webhook URL and event type already exists for this entity."
                    .to_string(),
            technician_resource_id: 29_682_885,
        }
    }
}

impl SimConfig {
    /// Applies `time_scale` to an Autotask delay; negative or NaN scales count as zero.
    pub fn scaled(&self, d: Duration) -> Duration {
        let s = if self.time_scale.is_finite() && self.time_scale > 0.0 {
            self.time_scale
        } else {
            0.0
        };
        Duration::from_secs_f64(d.as_secs_f64() * s)
    }

    /// The rolling request-threshold window (one hour, scaled).
    pub fn threshold_window(&self) -> Duration {
        self.scaled(Duration::from_secs(3600))
    }
}
