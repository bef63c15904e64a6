//! Simulator configuration: every timing knob and every behaviour the reference marks as uncertain.

use crate::settings::{
    CallbackUrlForm, DeliveryOrder, DuplicateRule, EmptyErrors, EntityCasing, EntityForm,
    ErrorSpec, SigningKeys, UnknownCompany,
};
use std::time::Duration;

/// Simulator settings. All fields are public; start from `SimConfig::default()`.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Multiplies every ConnectWise delay: callback timeout, retry delays, disabling, rate window.
    pub time_scale: f64,

    // --- the site -----------------------------------------------------------------------
    /// `Codebase` of company info, ending in `/`; the API lives under `/{codebase}apis/3.0`.
    pub codebase: String,
    /// `VersionCode` of company info.
    pub version_code: String,
    /// `VersionNumber` of company info.
    pub version_number: String,
    /// `IsCloud` of company info.
    pub is_cloud: bool,
    /// `IsCloud` as the text `"True"`/`"False"` (the reference's example) or a JSON boolean.
    pub is_cloud_as_text: bool,
    /// Company info for an unknown company.
    pub unknown_company: UnknownCompany,
    /// Requests whose path and query are longer get 414 (the guide says keep URLs ≤ 2000).
    pub max_url_length: Option<usize>,

    // --- authentication and errors ----------------------------------------------------------
    /// `clientId` values accepted; empty accepts any non-empty one.
    pub client_ids: Vec<String>,
    /// Answer to a request without a `clientId` header (real answer unverified).
    pub missing_client_id: ErrorSpec,
    /// Answer to a `clientId` not in `client_ids` (real answer unverified).
    pub unknown_client_id: ErrorSpec,
    /// Answer to bad, missing or locked credentials; set `status` to 404 for what cloud may do.
    pub bad_credentials: ErrorSpec,
    /// Answer to a member without the right; `{permission}` names it.
    pub forbidden: ErrorSpec,
    /// Name of the right to manage callbacks (unverified; System › Table Setup is a guess).
    pub callbacks_permission: String,
    /// Name of the right to read and change tickets.
    pub tickets_permission: String,
    /// How error bodies without field errors carry `errors`.
    pub empty_errors: EmptyErrors,

    // --- callback entries ---------------------------------------------------------------------
    /// Status of a successful `POST /system/callbacks` (the guide says 201, AMP mocks 200).
    pub create_status: u16,
    /// Which fields make a new entry a duplicate of an existing one.
    pub duplicate_rule: DuplicateRule,
    /// Levels accepted for type `ticket` (the full list is unverified).
    pub ticket_levels: Vec<String>,
    /// Whether `isSelfSuppressedFlag` hides events the callback's creating member caused.
    pub honour_self_suppression: bool,
    /// Whether a callback only fires while its creating member is active and may read tickets.
    pub creator_must_read_tickets: bool,

    // --- the callback message -------------------------------------------------------------------
    /// How the record id (and action) are added to the registered URL.
    pub url_form: CallbackUrlForm,
    /// Full or summarized ticket in `Entity`.
    pub entity: EntityForm,
    /// Key casing inside `Entity`.
    pub entity_casing: EntityCasing,
    /// Which key signs a message.
    pub signing_keys: SigningKeys,
    /// How long a key_url answers after its key was made, before scaling; `None` is for ever.
    pub key_url_ttl: Option<Duration>,
    /// Origin of `key_url` instead of the simulator's own (e.g. a cloud host a client should
    /// refuse); keys are still served by the simulator.
    pub key_url_base: Option<String>,
    /// `FromUrl` of messages; `None` is the simulator's `host:port`.
    pub from_url: Option<String>,
    /// Whether adding a note to a ticket also fires the ticket's `updated` callbacks.
    pub note_fires_ticket_update: bool,

    // --- delivery -----------------------------------------------------------------------
    /// Timeout of each POST (5 s in the guide), before scaling.
    pub callback_timeout: Duration,
    /// Statuses retried (404, 409, 419 and 429 in the guide); nothing else is.
    pub retry_statuses: Vec<u16>,
    /// Delay before each retry (2 s then 4 s in the guide), before scaling.
    pub retry_delays: Vec<Duration>,
    /// How long failing without a success disables a callback (three days), before scaling.
    pub disable_after: Duration,
    /// Whether disabling sets `inactiveFlag` (else the entry looks active and stays silent).
    pub disable_sets_inactive_flag: bool,
    /// In order per callback, or every message on its own.
    pub delivery_order: DeliveryOrder,

    // --- tickets ------------------------------------------------------------------------
    /// Whether a ticket read includes `initialResolution` (the first resolution note's text).
    pub return_initial_resolution: bool,
    /// Member identifier behind changes made through the Rust API (the "technician").
    pub technician: String,
    /// The id of each company's first ticket (then counting up): tests of several PSAs set it to
    /// another PSA's so ticket ids collide, as they can in real life.
    pub first_ticket_id: i64,

    // --- rate limit -----------------------------------------------------------------------
    /// Requests per company per window before 429 (the guide: "about 1,000 per minute").
    pub requests_per_window: u32,
    /// The rolling rate window (one minute), before scaling.
    pub rate_window: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            time_scale: 1.0,
            codebase: "v4_6_release/".to_string(),
            version_code: "v2025.1".to_string(),
            version_number: "v4.6.95104".to_string(),
            is_cloud: false,
            is_cloud_as_text: true,
            unknown_company: UnknownCompany::NullBody,
            max_url_length: Some(2000),
            client_ids: Vec::new(),
            missing_client_id: ErrorSpec::new(400, "InvalidClientId", "clientId is required."),
            unknown_client_id: ErrorSpec::new(400, "InvalidClientId", "clientId is invalid."),
            bad_credentials: ErrorSpec::new(401, "ConnectWiseApi", "UserNotAuthenticated"),
            forbidden: ErrorSpec::new(
                403,
                "Forbidden",
                "You do not have the security permissions needed for this request: {permission}.",
            ),
            callbacks_permission: "System › Table Setup".to_string(),
            tickets_permission: "Service Desk › Service Tickets".to_string(),
            empty_errors: EmptyErrors::Omitted,
            create_status: 201,
            duplicate_rule: DuplicateRule::default(),
            ticket_levels: vec!["owner".into(), "board".into(), "status".into()],
            honour_self_suppression: true,
            creator_must_read_tickets: false,
            url_form: CallbackUrlForm::AppendId,
            entity: EntityForm::Full,
            entity_casing: EntityCasing::Camel,
            signing_keys: SigningKeys::PerCallback,
            key_url_ttl: None,
            key_url_base: None,
            from_url: None,
            note_fires_ticket_update: false,
            callback_timeout: Duration::from_secs(5),
            retry_statuses: vec![404, 409, 419, 429],
            retry_delays: vec![Duration::from_secs(2), Duration::from_secs(4)],
            disable_after: Duration::from_secs(3 * 24 * 3600),
            disable_sets_inactive_flag: true,
            delivery_order: DeliveryOrder::PerCallback,
            return_initial_resolution: false,
            technician: "TechSim".to_string(),
            first_ticket_id: 512_001,
            requests_per_window: 1000,
            rate_window: Duration::from_secs(60),
        }
    }
}

impl SimConfig {
    /// Applies `time_scale` to a ConnectWise delay; negative or NaN scales count as zero.
    pub fn scaled(&self, d: Duration) -> Duration {
        let s = if self.time_scale.is_finite() && self.time_scale > 0.0 {
            self.time_scale
        } else {
            0.0
        };
        Duration::from_secs_f64(d.as_secs_f64() * s)
    }

    /// The codebase path segment without its slashes, e.g. `v4_6_release`.
    pub fn codebase_segment(&self) -> String {
        self.codebase.trim_matches('/').to_string()
    }
}
