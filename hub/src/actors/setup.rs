//! Setting a connection's webhook up: finish clean-ups of replaced webhooks, register, and store
//! the result (or the classified failure and since when failures have lasted).

use std::time::Duration;

use chrono::Utc;
use psa_proto::{Drift, PsaError, RegisteredWebhook, WebhookId, WebhookState};

use super::cleanup;
use super::deps::Deps;
use super::failure::setup_failure;
use super::messages::ActorError;
use crate::metrics::RegistrationOutcome;
use crate::store::{ConnectionKey, ConnectionRecord, LastRepair};

/// How a setup attempt ended, for the actor's scheduling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupEnd {
    Active,
    /// Failed with a classified error; `retryable` failures are tried again on a timer.
    Failed {
        retryable: bool,
        /// How long the PSA asked us to wait.
        after: Option<Duration>,
        /// How long setups of this connection have failed in a row.
        failing_for: Duration,
    },
    /// Nothing to do (the connection is gone, being removed, or changed meanwhile).
    Skipped,
}

/// What a setup (or a check) leaves for the actor to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupResult {
    pub end: SetupEnd,
    /// When to check again: a clean-up or a repair failed for a passing reason.
    pub retry_check: Option<Duration>,
}

impl SetupResult {
    pub fn skipped(retry_check: Option<Duration>) -> Self {
        Self {
            end: SetupEnd::Skipped,
            retry_check,
        }
    }
}

/// Registers the webhook. `repairing` names the drifts a check found, when this setup
/// recreates a webhook that could not be repaired in place.
pub async fn setup(
    deps: &Deps,
    key: &ConnectionKey,
    repairing: Option<Vec<Drift>>,
) -> Result<SetupResult, ActorError> {
    let Some(mut record) = deps.store.connection(key).await? else {
        return Ok(SetupResult::skipped(None));
    };
    if matches!(
        record.state,
        WebhookState::Removing | WebhookState::Orphaned
    ) {
        return Ok(SetupResult::skipped(None));
    }
    // First: the previous owner's webhook may keep this one from registering at our URL.
    let cleanup_retry = cleanup::run(deps, key).await?.retry_in;
    record.state = WebhookState::Registering;
    if !deps.store.save_webhook_status(&record).await? {
        return Ok(SetupResult::skipped(cleanup_retry));
    }
    let spec = deps.spec(&record)?;
    let result = match deps.connect(key, &record.credentials).await? {
        Ok(connection) => {
            record.zone = Some(connection.location());
            connection.register(&spec).await
        }
        Err(error) => Err(error),
    };
    let (end, created) = match result {
        Ok(registered) => {
            let id = registered.id;
            (
                registered_ok(deps, &mut record, registered, repairing),
                Some(id),
            )
        }
        Err(error) => (registration_failed(deps, &mut record, &error), None),
    };
    if !deps.store.save_webhook_status(&record).await? && !save_onto_newer(deps, &record).await? {
        tracing::warn!(connection = %key, "the connection changed during setup; its result is dropped");
        if let Some(id) = created {
            orphaned_by_change(deps, &record, id).await?;
        }
        return Ok(SetupResult::skipped(cleanup_retry));
    }
    Ok(SetupResult {
        end,
        retry_check: cleanup_retry,
    })
}

/// Records a registered webhook; a repair by registering anew records what it repaired.
fn registered_ok(
    deps: &Deps,
    record: &mut ConnectionRecord,
    registered: RegisteredWebhook,
    repairing: Option<Vec<Drift>>,
) -> SetupEnd {
    tracing::info!(connection = %record.key, webhook_id = %registered.id, "webhook registered");
    record.state = WebhookState::Active;
    record.webhook_id = Some(registered.id);
    record.webhook_guid = registered.guid;
    record.last_error = None;
    record.failing_since = None;
    if let Some(drifts) = repairing {
        deps.metrics.repaired(record.key.psa, &drifts);
        record.last_repair = Some(LastRepair {
            at: Utc::now(),
            drifts,
        });
    }
    deps.metrics
        .registration(record.key.psa, RegistrationOutcome::Success);
    SetupEnd::Active
}

/// Records a failed registration, and since when setups have failed in a row.
fn registration_failed(deps: &Deps, record: &mut ConnectionRecord, error: &PsaError) -> SetupEnd {
    let class = error.class;
    let now = Utc::now();
    let since = *record.failing_since.get_or_insert(now);
    let stored = setup_failure(error, record, since, now);
    tracing::warn!(connection = %record.key, code = class.code(), message = %stored.message, "webhook setup failed");
    record.state = WebhookState::Failed;
    record.last_error = Some(stored);
    deps.metrics
        .registration(record.key.psa, RegistrationOutcome::Failed(class));
    SetupEnd::Failed {
        retryable: class.is_retryable(),
        after: error.retry_after,
        failing_for: (now - since).to_std().unwrap_or_default(),
    }
}

/// The connection got new credentials of the same owner while this setup ran (same URL and
/// notification address): the webhook registered is still the right one, so its result is
/// written onto the newer row. `false` when the change was of another kind.
async fn save_onto_newer(deps: &Deps, result: &ConnectionRecord) -> Result<bool, ActorError> {
    let Some(mut newer) = deps.store.connection(&result.key).await? else {
        return Ok(false);
    };
    let same_webhook = newer.hook_token == result.hook_token
        && newer.owner == result.owner
        && newer.notification_email == result.notification_email
        && newer.state == WebhookState::Registering;
    if !same_webhook {
        return Ok(false);
    }
    newer.state = result.state;
    newer.webhook_id = result.webhook_id;
    newer.webhook_guid = result.webhook_guid.clone();
    newer.zone = result.zone.clone();
    newer.last_error = result.last_error.clone();
    newer.failing_since = result.failing_since;
    newer.last_repair = result.last_repair.clone();
    Ok(deps.store.save_webhook_status(&newer).await?)
}

/// A webhook this setup created for a connection that changed meanwhile. Made for another owner
/// (or a connection since replaced), it is deleted with the credentials that made it; for the
/// same owner, the next registration clears it at our URL anyway.
async fn orphaned_by_change(
    deps: &Deps,
    made_with: &ConnectionRecord,
    id: WebhookId,
) -> Result<(), ActorError> {
    let now = deps.store.connection(&made_with.key).await?;
    let same_user_and_url = now
        .is_some_and(|now| now.hook_token == made_with.hook_token && now.owner == made_with.owner);
    if !same_user_and_url {
        deps.store.add_cleanup(made_with, id).await?;
    }
    Ok(())
}
