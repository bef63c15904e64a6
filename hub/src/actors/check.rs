//! Comparing a connection's webhook with what it should be, after a deactivation hint or on the
//! periodic desired-state check, and repairing what drifted in place where the PSA allows it.

use std::time::Duration;

use chrono::Utc;
use psa_proto::{
    Connection, Drift, PsaError, RepairOutcome, WebhookCheck, WebhookId, WebhookState,
};

use super::deps::Deps;
use super::failure::{drifted, last_error, scrubbed};
use super::messages::ActorError;
use super::schedule::retry_delay;
use crate::metrics::{CheckOutcome, CheckTrigger};
use crate::store::{ConnectionKey, ConnectionRecord, LastRepair};

/// What a check found, and what the actor does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckEnd {
    /// Nothing to do.
    Done,
    /// The connection needs a (re-)registration: a lost or failed setup, or a drift that cannot
    /// be repaired in place (its drifts are recorded on success).
    Setup(Option<Vec<Drift>>),
    /// A repair failed for a passing reason: check (and repair) again after this long.
    RetrySoon(Duration),
}

/// One check, with what it needs along.
struct Checking<'a> {
    deps: &'a Deps,
    trigger: CheckTrigger,
}

/// Checks the webhook. A hint never changes state by itself: only the PSA's answer does.
pub async fn check(
    deps: &Deps,
    key: &ConnectionKey,
    trigger: CheckTrigger,
) -> Result<CheckEnd, ActorError> {
    let Some(record) = deps.store.connection(key).await? else {
        return Ok(CheckEnd::Done);
    };
    let periodic = trigger == CheckTrigger::Periodic;
    let id = match (record.state, record.webhook_id) {
        (WebhookState::Active | WebhookState::Deactivated, Some(id)) => id,
        // The periodic check also picks up lost setups and retries failed ones, slowly.
        (WebhookState::Registering | WebhookState::Deactivated | WebhookState::Failed, _)
            if periodic =>
        {
            deps.metrics.check(key.psa, trigger, CheckOutcome::Setup);
            return Ok(CheckEnd::Setup(None));
        }
        _ => {
            deps.metrics
                .check(key.psa, trigger, CheckOutcome::NotApplicable);
            return Ok(CheckEnd::Done);
        }
    };
    let checking = Checking { deps, trigger };
    let spec = deps.spec(&record)?;
    let looked = match deps.connect(key, &record.credentials).await? {
        Ok(connection) => match connection.check(id, &spec).await {
            Ok(found) => Ok((connection, found)),
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    match looked {
        Ok((connection, found)) => {
            checking
                .compare(record, connection.as_ref(), id, found)
                .await
        }
        Err(error) => checking.could_not_look(record, &error).await,
    }
}

impl Checking<'_> {
    /// The PSA could not be asked. The state stays (a hint must not change it, and the webhook
    /// may well work); a periodic check keeps the error in the status, so a lasting problem
    /// such as rejected credentials shows. Where the webhook is likely disabled (a hint came,
    /// or it was found deactivated) and the failure may pass, the check is tried again soon.
    async fn could_not_look(
        &self,
        mut record: ConnectionRecord,
        error: &PsaError,
    ) -> Result<CheckEnd, ActorError> {
        let message = scrubbed(error, &record);
        tracing::warn!(connection = %record.key, %message, "cannot check the webhook");
        self.deps
            .metrics
            .check(record.key.psa, self.trigger, CheckOutcome::Error);
        let deactivated = record.state == WebhookState::Deactivated;
        let mut soon = None;
        if error.class.is_retryable() && (self.trigger == CheckTrigger::Hint || deactivated) {
            let failing_for = if deactivated {
                failing_for(&mut record)
            } else {
                Duration::ZERO
            };
            soon = Some(retry_delay(failing_for, error.retry_after));
        }
        if self.trigger == CheckTrigger::Periodic || deactivated {
            record.last_check_at = Some(Utc::now());
            record.last_error = Some(last_error(error, &record));
            self.deps.store.save_webhook_status(&record).await?;
        }
        Ok(soon.map_or(CheckEnd::Done, CheckEnd::RetrySoon))
    }

    /// Records a healthy webhook, or repairs a drifted one.
    async fn compare(
        &self,
        mut record: ConnectionRecord,
        connection: &dyn Connection,
        id: WebhookId,
        found: WebhookCheck,
    ) -> Result<CheckEnd, ActorError> {
        let psa = record.key.psa;
        record.last_check_at = Some(Utc::now());
        if found.is_healthy() {
            record.state = WebhookState::Active;
            record.last_error = None;
            record.failing_since = None;
            self.deps.store.save_webhook_status(&record).await?;
            self.deps
                .metrics
                .check(psa, self.trigger, CheckOutcome::Healthy);
            return Ok(CheckEnd::Done);
        }
        tracing::warn!(connection = %record.key, drifts = ?found.drifts(), "webhook found disabled or drifted; repairing");
        let display = self.deps.psa(&record.key)?.provider.display_name();
        record.state = WebhookState::Deactivated;
        record.last_error = Some(drifted(&found, display));
        if !self.deps.store.save_webhook_status(&record).await? {
            return Ok(CheckEnd::Done);
        }
        self.repair(record, connection, id, &found).await
    }

    /// Repairs in place; what cannot be repaired so is deleted and registered anew.
    async fn repair(
        &self,
        mut record: ConnectionRecord,
        connection: &dyn Connection,
        id: WebhookId,
        found: &WebhookCheck,
    ) -> Result<CheckEnd, ActorError> {
        let psa = record.key.psa;
        let spec = self.deps.spec(&record)?;
        let drifts = found.drifts();
        match connection.repair(id, &spec, found).await {
            Ok(RepairOutcome::Repaired(repaired)) => {
                record.state = WebhookState::Active;
                record.webhook_guid = repaired.guid.or(record.webhook_guid);
                record.last_error = None;
                record.failing_since = None;
                self.deps.metrics.repaired(psa, &drifts);
                record.last_repair = Some(LastRepair {
                    at: Utc::now(),
                    drifts,
                });
                self.deps.store.save_webhook_status(&record).await?;
                self.deps
                    .metrics
                    .check(psa, self.trigger, CheckOutcome::Repaired);
                return Ok(CheckEnd::Done);
            }
            Err(error) if error.class.is_retryable() => {
                // The PSA is busy or failing: repair again (backing off as failures last)
                // rather than delete a webhook that may only need a small fix.
                let failing_for = failing_for(&mut record);
                record.last_error = Some(last_error(&error, &record));
                self.deps.store.save_webhook_status(&record).await?;
                self.deps
                    .metrics
                    .check(psa, self.trigger, CheckOutcome::Error);
                return Ok(CheckEnd::RetrySoon(retry_delay(
                    failing_for,
                    error.retry_after,
                )));
            }
            Ok(RepairOutcome::Recreate) => {}
            Err(error) => {
                let message = scrubbed(&error, &record);
                tracing::warn!(connection = %record.key, %message, "repair in place failed; registering anew");
            }
        }
        if found.exists {
            // Registering anew clears only webhooks at our URL: one that points elsewhere (or
            // is otherwise beyond repair) would stay, holding the owner's webhook allowance.
            if let Err(error) = connection.remove(Some(id), &spec).await {
                let message = scrubbed(&error, &record);
                tracing::warn!(connection = %record.key, %message, "cannot delete the drifted webhook before registering anew");
            }
        }
        self.deps
            .metrics
            .check(psa, self.trigger, CheckOutcome::Recreate);
        Ok(CheckEnd::Setup(Some(drifts)))
    }
}

/// How long repairs of this connection have failed in a row (starting the run now if new).
fn failing_for(record: &mut ConnectionRecord) -> Duration {
    let now = Utc::now();
    let since = *record.failing_since.get_or_insert(now);
    (now - since).to_std().unwrap_or_default()
}
