//! The boundary a PSA adapter implements for one tenant connection.

use std::future::Future;

use crate::error::AdapterError;
use crate::ids::WebhookId;
use crate::webhook::{RegisteredWebhook, WebhookCheck, WebhookSpec};

/// What removing a webhook found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveOutcome {
    Removed,
    /// It was already gone; removal counts as done.
    AlreadyGone,
}

/// One tenant's connection to its PSA, as the hub drives it. Implementations serialize nothing
/// themselves: the hub's connection actor calls one operation at a time per tenant.
pub trait PsaAdapter: Send + Sync {
    type Error: AdapterError;

    /// Makes `spec` exist in the PSA, clearing leftovers of ours at the same URL, and confirms
    /// it is active and ready. A partially created webhook is removed before an error returns.
    fn register(
        &self,
        spec: &WebhookSpec,
    ) -> impl Future<Output = Result<RegisteredWebhook, Self::Error>> + Send;

    /// Deletes the webhook `id` (or, without an id, every webhook at `spec`'s URL).
    fn remove(
        &self,
        id: Option<WebhookId>,
        spec: &WebhookSpec,
    ) -> impl Future<Output = Result<RemoveOutcome, Self::Error>> + Send;

    /// Compares the webhook `id` in the PSA with `spec`.
    fn check(
        &self,
        id: WebhookId,
        spec: &WebhookSpec,
    ) -> impl Future<Output = Result<WebhookCheck, Self::Error>> + Send;
}
