//! The provider boundary: everything the hub knows of a PSA. The hub keeps a list of providers
//! and reaches a PSA only through these two object-safe traits, so adding a PSA is one adapter
//! crate implementing them and one line at the hub's wiring point.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::adapter::{RemoveOutcome, RepairOutcome};
use crate::change::TicketChange;
use crate::error::{AdapterError, ErrorClass};
use crate::ids::{TicketId, WebhookId};
use crate::input::ConnectionRejected;
use crate::verify::{CalloutParseError, VerifyError};
use crate::webhook::{RegisteredWebhook, WebhookCheck, WebhookSecret, WebhookSpec};

/// A future a trait object can return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A PSA's name: the route segment (`/api/v1/tenants/{id}/{psa}`, `/hooks/{psa}/{token}`), the
/// stored `psa` column and the `psa` label of metrics. Lower-case ASCII letters only, so it is
/// safe in all three; the set is bounded by the providers the hub is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PsaName(&'static str);

impl PsaName {
    /// Panics on a name that is not lower-case ASCII letters: names are constants in adapters.
    pub const fn new(name: &'static str) -> Self {
        let bytes = name.as_bytes();
        assert!(!bytes.is_empty(), "a PSA name must not be empty");
        let mut i = 0;
        while i < bytes.len() {
            assert!(
                bytes[i].is_ascii_lowercase(),
                "a PSA name is lower-case ASCII letters"
            );
            i += 1;
        }
        Self(name)
    }

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for PsaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A connection's credentials: a JSON document whose shape the provider defines, sealed at rest
/// as one blob. Never printed.
#[derive(Clone, PartialEq)]
pub struct Credentials(Value);

impl Credentials {
    pub fn new(value: Value) -> Self {
        Self(value)
    }

    /// The document itself; call only to seal it or to authenticate with it.
    pub fn expose(&self) -> &Value {
        &self.0
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials([redacted])")
    }
}

/// A PUT body, as the provider understood it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionInput {
    pub credentials: Credentials,
    /// Who owns the webhook in the PSA (an API user, or a site and
    /// company). Another owner means a new webhook, the old one deleted with the old
    /// credentials. Compared as written; providers normalize it.
    pub owner: String,
    /// What the status shows of the connection, never secret (e.g. `username`, `site`).
    pub public: Map<String, Value>,
    /// Where the PSA sends its notices about delivery problems, when it has such a setting. Part
    /// of the webhook: a change registers it again.
    pub notification_email: Option<String>,
}

/// A classified failure of a PSA call, as the hub stores, shows and acts on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PsaError {
    pub class: ErrorClass,
    pub message: String,
    /// What the MSP or operator should do, in plain words.
    pub fix: String,
    /// How long the PSA asked us to wait, when it said.
    pub retry_after: Option<Duration>,
    /// The PSA answered "not found" for a webhook but the adapter could not confirm it is gone.
    pub unconfirmed_gone: bool,
}

impl PsaError {
    /// Carries an adapter's error over the boundary, keeping what the hub needs.
    pub fn from_adapter(error: &impl AdapterError) -> Self {
        Self {
            class: error.class(),
            message: error.to_string(),
            fix: error.fix(),
            retry_after: error.retry_after(),
            unconfirmed_gone: false,
        }
    }
}

/// A ticket's closure state, read from the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketClosure {
    pub closed: bool,
    pub closed_at: Option<DateTime<Utc>>,
    /// The resolution text (e.g. the newest resolution note).
    pub resolution: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// What a callout's verification may use of its connection.
#[derive(Debug, Clone, Copy)]
pub struct CalloutKeys<'a> {
    /// The secrets the connection's webhook signs with (several during a rotation).
    pub secrets: &'a [WebhookSecret],
    /// The connection's public part (e.g. a site and company, which a signing-key
    /// URL must match).
    pub public: &'a Map<String, Value>,
}

/// A callout as it arrived: its raw body and the provider's signature header.
#[derive(Debug, Clone, Copy)]
pub struct Callout<'a> {
    pub body: &'a [u8],
    pub signature: Option<&'a str>,
}

/// Why a callout is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalloutRefused {
    /// 401: the signature is missing, malformed or does not match; or the key it needs may not
    /// be fetched from where the callout says.
    #[error(transparent)]
    Signature(#[from] VerifyError),
    /// 400: signed, but not understood.
    #[error(transparent)]
    Unreadable(#[from] CalloutParseError),
    /// The signing key could not be fetched now: the PSA should deliver again later.
    #[error("the signing key could not be fetched: {0}")]
    KeyUnavailable(String),
}

/// One PSA, as the hub drives it.
pub trait Provider: Send + Sync + fmt::Debug + 'static {
    fn name(&self) -> PsaName;

    /// How people call it, in messages to them.
    fn display_name(&self) -> &'static str;

    /// The JSON Schema of a PUT body for this PSA (for the OpenAPI document).
    fn connection_schema(&self) -> Value;

    /// Understands a PUT body (without the hub's own `setup_webhook`): every problem at once,
    /// none repeating a submitted value.
    fn parse_connection(
        &self,
        body: &Map<String, Value>,
    ) -> Result<ConnectionInput, ConnectionRejected>;

    /// A client for one connection, discovery included.
    fn connect<'a>(
        &'a self,
        credentials: &'a Credentials,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, PsaError>>;

    /// The header that carries a callout's signature.
    fn signature_header(&self) -> &'static str;

    /// Verifies a callout's signature, then parses it.
    fn verify<'a>(
        &'a self,
        keys: CalloutKeys<'a>,
        callout: Callout<'a>,
    ) -> BoxFuture<'a, Result<TicketChange, CalloutRefused>>;

    /// Whether an unsigned body is the PSA's notice that it deactivated the webhook (only ever
    /// a reason to look).
    fn is_deactivation_notice(&self, _body: &[u8]) -> bool {
        false
    }

    /// What identifies one delivery for deduplication: the same for every retry of it, and for
    /// every encoding of it the signature accepts.
    fn dedupe_key(&self, change: &TicketChange, body: &[u8]) -> String;

    /// What an administrator must do to delete the webhook `id` (named `name`, at `url`) by hand.
    fn manual_cleanup(&self, name: &str, id: Option<WebhookId>, url: &str) -> String;
}

/// One tenant's connection to its PSA. The hub's connection actor calls one operation at a
/// time per connection.
pub trait Connection: Send + Sync {
    /// The PSA API base this connection talks to (shown as the status's `zone`).
    fn location(&self) -> String;

    /// Makes `spec` exist, clearing leftovers of ours, and confirms it works.
    fn register<'a>(
        &'a self,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<RegisteredWebhook, PsaError>>;

    /// Deletes the webhook `id` (or, without an id, every one of ours at `spec`'s URL). "Gone"
    /// only when the PSA confirmed it.
    fn remove<'a>(
        &'a self,
        id: Option<WebhookId>,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<RemoveOutcome, PsaError>>;

    /// Compares the webhook `id` with `spec`.
    fn check<'a>(
        &'a self,
        id: WebhookId,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<WebhookCheck, PsaError>>;

    /// Fixes what `found` reports, in place where the PSA allows it.
    fn repair<'a>(
        &'a self,
        id: WebhookId,
        spec: &'a WebhookSpec,
        found: &'a WebhookCheck,
    ) -> BoxFuture<'a, Result<RepairOutcome, PsaError>>;

    /// Reads a ticket's closure state: for callouts that carry no resolution, and for
    /// reconciliation.
    fn ticket_closure<'a>(
        &'a self,
        ticket: TicketId,
    ) -> BoxFuture<'a, Result<TicketClosure, PsaError>>;
}

/// Told about every HTTP exchange an adapter has with its PSA (for metrics). `operation` is a
/// bounded label value from the adapter's own list; `status` is `None` when no answer came.
pub trait ApiObserver: Send + Sync + fmt::Debug {
    fn observe(
        &self,
        psa: PsaName,
        operation: &'static str,
        status: Option<u16>,
        elapsed: Duration,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_and_credentials_never_print() {
        assert_eq!(PsaName::new("examplepsa").as_str(), "examplepsa");
        let creds = Credentials::new(serde_json::json!({"secret": "hunter2-very-secret"}));
        assert!(!format!("{creds:?}").contains("hunter2"));
    }

    #[test]
    #[should_panic(expected = "lower-case")]
    fn names_refuse_what_would_not_fit_a_path_or_label() {
        let _ = PsaName::new("Auto-Task");
    }
}
