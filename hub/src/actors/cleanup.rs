//! Finishing durable clean-ups: each webhook a connection no longer uses is deleted with the
//! credentials of the owner that created it, until the PSA confirms it gone.

use std::time::Duration;

use chrono::Utc;
use psa_proto::ErrorClass;

use super::deps::Deps;
use super::messages::ActorError;
use super::schedule::{cleanup_retry, FAILING_LONG};
use crate::metrics::CleanupOutcome;
use crate::store::{Cleanup, ConnectionKey};

/// What is left after a pass over a connection's clean-ups.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// When to try the ones that failed for a passing reason again.
    pub retry_in: Option<Duration>,
    /// Manual instructions for every one not deleted by this pass (for a removal, which ends
    /// the connection and its clean-ups).
    pub unfinished: Vec<String>,
}

/// Tries every pending clean-up of the connection once.
pub async fn run(deps: &Deps, key: &ConnectionKey) -> Result<Leftover, ActorError> {
    let mut left = Leftover::default();
    for cleanup in deps.store.cleanups(key).await? {
        if !cleanup.gave_up {
            attempt(deps, &cleanup, &mut left).await?;
        } else {
            left.unfinished.push(instructions(deps, &cleanup)?);
        }
    }
    Ok(left)
}

async fn attempt(deps: &Deps, cleanup: &Cleanup, left: &mut Leftover) -> Result<(), ActorError> {
    let key = &cleanup.key;
    let spec = deps.removal_spec(key, &cleanup.hook_token)?;
    let result = match deps.connect(key, &cleanup.credentials).await? {
        Ok(connection) => connection.remove(Some(cleanup.webhook_id), &spec).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(outcome) => {
            tracing::info!(connection = %key, webhook_id = %cleanup.webhook_id, ?outcome, "replaced webhook deleted");
            deps.store.cleanup_done(cleanup).await?;
            deps.metrics.cleanup(key.psa, CleanupOutcome::Removed);
        }
        Err(error) => {
            let secrets: Vec<&str> = credential_strings(cleanup);
            let message = psa_proto::redact::redact(&error.message, &secrets);
            let gave_up = gives_up(error.class, cleanup);
            tracing::warn!(connection = %key, webhook_id = %cleanup.webhook_id, %message, gave_up, "replaced webhook not deleted");
            deps.store
                .cleanup_failed(cleanup, &message, gave_up)
                .await?;
            left.unfinished.push(instructions(deps, cleanup)?);
            if gave_up {
                deps.metrics.cleanup(key.psa, CleanupOutcome::GaveUp);
            } else {
                deps.metrics.cleanup(key.psa, CleanupOutcome::Retry);
                let wait = cleanup_retry(cleanup.attempts + 1);
                left.retry_in = Some(left.retry_in.map_or(wait, |w| w.min(wait)));
            }
        }
    }
    Ok(())
}

fn credential_strings(cleanup: &Cleanup) -> Vec<&str> {
    match cleanup.credentials.expose() {
        serde_json::Value::Object(map) => {
            map.values().filter_map(serde_json::Value::as_str).collect()
        }
        _ => Vec::new(),
    }
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

pub fn instructions(deps: &Deps, cleanup: &Cleanup) -> Result<String, ActorError> {
    let psa = deps.psa(&cleanup.key)?;
    Ok(format!(
        "The webhook of the previous owner ({}) could not be deleted with its credentials. {}",
        cleanup.owner,
        deps.psas
            .manual_cleanup(psa, Some(cleanup.webhook_id), &cleanup.hook_token)
    ))
}

/// A removal's manual instructions: its own, then those of clean-ups it could not finish.
pub fn join_manual(main: Option<String>, left: &Leftover) -> Option<String> {
    let all: Vec<String> = main
        .into_iter()
        .chain(left.unfinished.iter().cloned())
        .collect();
    (!all.is_empty()).then(|| all.join(" "))
}
