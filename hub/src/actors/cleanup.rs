//! Finishing durable clean-ups: each webhook a connection no longer uses is deleted with the
//! credentials of the API user that created it, until Autotask confirms it gone.

use std::time::Duration;

use chrono::Utc;

use psa_proto::{AdapterError, ErrorClass, PsaAdapter, TenantId};

use super::deps::Deps;
use super::failure::scrubbed;
use super::messages::ActorError;
use super::schedule::{cleanup_retry, FAILING_LONG};
use crate::metrics::CleanupOutcome;
use crate::store::Cleanup;

/// What is left after a pass over a tenant's clean-ups.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// When to try the ones that failed for a passing reason again.
    pub retry_in: Option<Duration>,
    /// Manual instructions for every one not deleted by this pass (for a removal, which ends
    /// the connection and its clean-ups).
    pub unfinished: Vec<String>,
}

/// Tries every pending clean-up of `tenant` once.
pub async fn run(deps: &Deps, tenant: &TenantId) -> Result<Leftover, ActorError> {
    let mut left = Leftover::default();
    for cleanup in deps.store.cleanups(tenant).await? {
        if cleanup.gave_up {
            left.unfinished.push(instructions(deps, &cleanup));
            continue;
        }
        let spec = deps.webhook.removal_spec(&cleanup.hook_token);
        let result = async {
            deps.connect(&cleanup.credentials)
                .await?
                .remove(Some(cleanup.webhook_id), &spec)
                .await
        }
        .await;
        match result {
            Ok(outcome) => {
                tracing::info!(%tenant, webhook_id = %cleanup.webhook_id, ?outcome, "replaced webhook deleted");
                deps.store.cleanup_done(&cleanup).await?;
                deps.metrics.cleanup(CleanupOutcome::Removed);
            }
            Err(error) => {
                let message = scrubbed(&error, &cleanup.credentials);
                let gave_up = gives_up(error.class(), &cleanup);
                tracing::warn!(%tenant, webhook_id = %cleanup.webhook_id, %message, gave_up, "replaced webhook not deleted");
                deps.store
                    .cleanup_failed(&cleanup, &message, gave_up)
                    .await?;
                left.unfinished.push(instructions(deps, &cleanup));
                if gave_up {
                    deps.metrics.cleanup(CleanupOutcome::GaveUp);
                } else {
                    deps.metrics.cleanup(CleanupOutcome::Retry);
                    let wait = cleanup_retry(cleanup.attempts + 1);
                    left.retry_in = Some(left.retry_in.map_or(wait, |w| w.min(wait)));
                }
            }
        }
    }
    Ok(left)
}

/// The old credentials are refused (or may not manage webhooks), or it has failed for a day:
/// left to an administrator. Anything else is tried again.
fn gives_up(class: ErrorClass, cleanup: &Cleanup) -> bool {
    let age = (Utc::now() - cleanup.created_at)
        .to_std()
        .unwrap_or_default();
    matches!(
        class,
        ErrorClass::CredentialsRejected | ErrorClass::CannotCreateWebhooks
    ) || age >= FAILING_LONG
}

pub fn instructions(deps: &Deps, cleanup: &Cleanup) -> String {
    format!(
        "The webhook of the previous API user {} could not be deleted with its credentials. {}",
        cleanup.credentials.username,
        deps.webhook
            .manual_cleanup_of(Some(cleanup.webhook_id), &cleanup.hook_token)
    )
}

/// A removal's manual instructions: its own, then those of clean-ups it could not finish.
pub fn join_manual(main: Option<String>, left: &Leftover) -> Option<String> {
    let all: Vec<String> = main
        .into_iter()
        .chain(left.unfinished.iter().cloned())
        .collect();
    (!all.is_empty()).then(|| all.join(" "))
}
