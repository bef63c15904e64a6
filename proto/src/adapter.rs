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

/// What repairing a drifted webhook where it stands achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairOutcome {
    /// Fixed in place (re-activated, fields re-added); the PSA confirms it active and ready.
    Repaired(RegisteredWebhook),
    /// It cannot be fixed in place (gone, or pointing elsewhere): register it anew.
    Recreate,
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

    /// Compares the webhook `id` in the PSA with `spec`. A webhook is reported gone only when
    /// the PSA itself said so in a well-formed answer.
    fn check(
        &self,
        id: WebhookId,
        spec: &WebhookSpec,
    ) -> impl Future<Output = Result<WebhookCheck, Self::Error>> + Send;

    /// Fixes what `found` (a [`PsaAdapter::check`] of `id`) reports, in place where the PSA
    /// allows it, and confirms the result; [`RepairOutcome::Recreate`] when it cannot.
    fn repair(
        &self,
        id: WebhookId,
        spec: &WebhookSpec,
        found: &WebhookCheck,
    ) -> impl Future<Output = Result<RepairOutcome, Self::Error>> + Send;
}
