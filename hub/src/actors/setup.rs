//! Setting a connection's webhook up: finish clean-ups of replaced webhooks, register, and store
//! the result (or the classified failure and since when failures have lasted).

use std::time::Duration;

use chrono::Utc;
use psa_proto::{AdapterError, Drift, PsaAdapter, TenantId, WebhookState};

use super::cleanup;
use super::deps::Deps;
use super::failure::setup_failure;
use super::messages::ActorError;
use crate::metrics::RegistrationOutcome;
use crate::store::LastRepair;

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

/// What a setup leaves for the actor to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupResult {
    pub end: SetupEnd,
    /// When to retry clean-ups that failed for a passing reason.
    pub cleanup_retry: Option<Duration>,
}

impl SetupResult {
    fn skipped(cleanup_retry: Option<Duration>) -> Self {
        Self {
            end: SetupEnd::Skipped,
            cleanup_retry,
        }
    }
}

/// Registers the webhook. `repairing` names the drifts a check found, when this setup
/// recreates a webhook that could not be repaired in place.
pub async fn setup(
    deps: &Deps,
    tenant: &TenantId,
    repairing: Option<Vec<Drift>>,
) -> Result<SetupResult, ActorError> {
    let Some(mut record) = deps.store.connection(tenant).await? else {
        return Ok(SetupResult::skipped(None));
    };
    if matches!(
        record.state,
        WebhookState::Removing | WebhookState::Orphaned
    ) {
        return Ok(SetupResult::skipped(None));
    }
    // First: the previous user's webhook may keep this user from registering at our URL.
    let cleanup_retry = cleanup::run(deps, tenant).await?.retry_in;
    record.state = WebhookState::Registering;
    if !deps.store.save_webhook_status(&record).await? {
        return Ok(SetupResult::skipped(cleanup_retry));
    }
    let spec = deps.webhook.spec(&record);
    let result = async {
        let connection = deps.connect(&record.credentials).await?;
        record.zone = Some(connection.zone().api_base.to_string());
        connection.register(&spec).await
    }
    .await;
    let now = Utc::now();
    let (end, created) = match result {
        Ok(registered) => {
            tracing::info!(%tenant, webhook_id = %registered.id, "webhook registered");
            record.state = WebhookState::Active;
            record.webhook_id = Some(registered.id);
            record.webhook_guid = registered.guid;
            record.last_error = None;
            record.failing_since = None;
            if let Some(drifts) = repairing {
                deps.metrics.repaired(&drifts);
                record.last_repair = Some(LastRepair { at: now, drifts });
            }
            deps.metrics.registration(RegistrationOutcome::Success);
            (SetupEnd::Active, Some(registered.id))
        }
        Err(error) => {
            let class = error.class();
            let since = *record.failing_since.get_or_insert(now);
            let stored = setup_failure(&error, &record, since, now);
            tracing::warn!(%tenant, code = class.code(), message = %stored.message, "webhook setup failed");
            record.state = WebhookState::Failed;
            record.last_error = Some(stored);
            deps.metrics
                .registration(RegistrationOutcome::Failed(class));
            let failing_for = (now - since).to_std().unwrap_or_default();
            let end = SetupEnd::Failed {
                retryable: class.is_retryable(),
                after: error.retry_after(),
                failing_for,
            };
            (end, None)
        }
    };
    if !deps.store.save_webhook_status(&record).await? {
        tracing::warn!(%tenant, "the connection changed during setup; its result is dropped");
        if let Some(id) = created {
            // Made with credentials the connection no longer has: delete it with them.
            deps.store.add_cleanup(&record, id).await?;
        }
        return Ok(SetupResult::skipped(cleanup_retry));
    }
    Ok(SetupResult { end, cleanup_retry })
}
