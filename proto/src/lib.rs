//! The shared language of psa-hub: what every PSA adapter and the hub agree on.
//!
//! Layout:
//! - [`ids`]: typed identifiers (tenant, event, ticket, hook token, webhook).
//! - [`change`]: the normalized ticket change a verified callout becomes.
//! - [`webhook`]: the webhook lifecycle states, the webhook a connection wants, and a check's findings.
//! - [`error`]: the classification every adapter error maps to, with a plain-language fix.
//! - [`verify`]: the `Verified` callout typestate; only verified bodies can be parsed.
//! - [`adapter`]: the boundary a PSA adapter implements.
//! - [`input`]: reading request bodies without repeating a submitted value.
//! - [`provider`]: the provider boundary the hub drives every PSA through (object-safe).
//! - [`redact`]: taking secrets out of text a PSA sent back.
//!
//! This crate holds traits and data only: no HTTP server, database or HTTP client.

pub mod adapter;
pub mod change;
pub mod error;
pub mod ids;
pub mod input;
pub mod provider;
pub mod redact;
pub mod verify;
pub mod webhook;

pub use adapter::{PsaAdapter, RemoveOutcome, RepairOutcome};
pub use change::{ChangeAction, FieldValue, TicketChange};
pub use error::{AdapterError, ErrorClass};
pub use ids::{EventId, HookToken, IdError, TenantId, TicketId, WebhookGuid, WebhookId};
pub use input::{describe_json_error, ConnectionRejected};
pub use provider::{
    ApiObserver, BoxFuture, Callout, CalloutKeys, CalloutRefused, Connection, ConnectionInput,
    Credentials, Provider, PsaError, PsaName, TicketClosure,
};
pub use verify::{CalloutFormat, CalloutParseError, SignatureForm, Verified, VerifyError};
pub use webhook::{
    Drift, RegisteredWebhook, UnknownState, WebhookCheck, WebhookSecret, WebhookSpec, WebhookState,
};
