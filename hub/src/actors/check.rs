//! Comparing a connection's webhook with what it should be, after a deactivation hint or on the
//! periodic desired-state check, and repairing what drifted in place where the PSA allows it.

use chrono::Utc;
use psa_autotask::{AutotaskConnection, AutotaskError};
use psa_proto::{PsaAdapter, RepairOutcome, TenantId, WebhookId, WebhookState};

use super::deps::Deps;
use super::failure::{drifted, scrubbed};
use super::messages::ActorError;
use crate::metrics::{CheckOutcome, CheckTrigger};
use crate::store::{ConnectionRecord, LastRepair};

/// What a check found, and what the actor does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckEnd {
    /// Nothing to do.
    Done,
    /// The connection needs a (re-)registration: a lost or failed setup, a deactivated webhook,
    /// or a drift that cannot be repaired in place (its drifts are recorded on success).
    Setup(Option<Vec<psa_proto::Drift>>),
}

/// Checks the webhook. A hint never changes state by itself: only Autotask's answer does.
pub async fn check(
    deps: &Deps,
    tenant: &TenantId,
    trigger: CheckTrigger,
) -> Result<CheckEnd, ActorError> {
    let Some(record) = deps.store.connection(tenant).await? else {
        return Ok(CheckEnd::Done);
    };
    let periodic = trigger == CheckTrigger::Periodic;
    let id = match (record.state, record.webhook_id) {
        (WebhookState::Active | WebhookState::Deactivated, Some(id)) => id,
        // The periodic check also picks up lost setups and retries failed ones, slowly.
        (WebhookState::Registering | WebhookState::Deactivated | WebhookState::Failed, _)
            if periodic =>
        {
            deps.metrics.check(trigger, CheckOutcome::Setup);
            return Ok(CheckEnd::Setup(None));
        }
        _ => {
            deps.metrics.check(trigger, CheckOutcome::NotApplicable);
            return Ok(CheckEnd::Done);
        }
    };
    let connection = match deps.connect(&record.credentials).await {
        Ok(connection) => connection,
        Err(error) => return Ok(could_not_look(deps, &record, &error, trigger)),
    };
    compare_and_repair(deps, record, &connection, id, trigger).await
}

/// Autotask could not be asked: nothing changes (a hint must not, and a periodic check tries
/// again next period).
fn could_not_look(
    deps: &Deps,
    record: &ConnectionRecord,
    error: &AutotaskError,
    trigger: CheckTrigger,
) -> CheckEnd {
    let message = scrubbed(error, &record.credentials);
    tracing::warn!(tenant = %record.tenant_id, %message, "cannot check the webhook");
    deps.metrics.check(trigger, CheckOutcome::Error);
    CheckEnd::Done
}

async fn compare_and_repair(
    deps: &Deps,
    mut record: ConnectionRecord,
    connection: &AutotaskConnection,
    id: WebhookId,
    trigger: CheckTrigger,
) -> Result<CheckEnd, ActorError> {
    let tenant = record.tenant_id.clone();
    let spec = deps.webhook.spec(&record);
    let found = match connection.check(id, &spec).await {
        Ok(found) => found,
        Err(error) => return Ok(could_not_look(deps, &record, &error, trigger)),
    };
    let now = Utc::now();
    record.last_check_at = Some(now);
    if found.is_healthy() {
        if record.state != WebhookState::Active {
            record.state = WebhookState::Active;
            record.last_error = None;
        }
        deps.store.save_webhook_status(&record).await?;
        deps.metrics.check(trigger, CheckOutcome::Healthy);
        return Ok(CheckEnd::Done);
    }
    let drifts = found.drifts();
    tracing::warn!(%tenant, ?drifts, "webhook found disabled or drifted; repairing");
    record.state = WebhookState::Deactivated;
    record.last_error = Some(drifted(&found));
    if !deps.store.save_webhook_status(&record).await? {
        return Ok(CheckEnd::Done);
    }
    let repaired = connection.repair(id, &spec, &found).await;
    if !matches!(repaired, Ok(RepairOutcome::Repaired(_))) && found.exists {
        // Registering anew clears only webhooks at our URL: one that points elsewhere (or is
        // otherwise beyond repair) would stay, holding the API user's webhook allowance.
        if let Err(error) = connection.remove(Some(id), &spec).await {
            let message = scrubbed(&error, &record.credentials);
            tracing::warn!(%tenant, %message, "cannot delete the drifted webhook before registering anew");
        }
    }
    match repaired {
        Ok(RepairOutcome::Repaired(repaired)) => {
            record.state = WebhookState::Active;
            record.webhook_guid = repaired.guid.or(record.webhook_guid);
            record.last_error = None;
            record.failing_since = None;
            deps.metrics.repaired(&drifts);
            record.last_repair = Some(LastRepair { at: now, drifts });
            deps.store.save_webhook_status(&record).await?;
            deps.metrics.check(trigger, CheckOutcome::Repaired);
            Ok(CheckEnd::Done)
        }
        Ok(RepairOutcome::Recreate) => {
            deps.metrics.check(trigger, CheckOutcome::Recreate);
            Ok(CheckEnd::Setup(Some(drifts)))
        }
        Err(error) => {
            // Registering anew may still work, and reports its own failure if not.
            let message = scrubbed(&error, &record.credentials);
            tracing::warn!(%tenant, %message, "repair in place failed; registering anew");
            deps.metrics.check(trigger, CheckOutcome::Recreate);
            Ok(CheckEnd::Setup(Some(drifts)))
        }
    }
}
