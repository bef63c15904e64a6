//! What a connection actor does, as plain async functions over the store and the adapter:
//! set up, check and remove the webhook. The actor only decides when, one at a time.

use std::sync::Arc;
use std::time::Duration;

use psa_autotask::{Autotask, AutotaskConnection, AutotaskError};
use psa_proto::{AdapterError, PsaAdapter, RemoveOutcome, TenantId, WebhookSpec, WebhookState};

use super::messages::{ActorError, Removal};
use super::routes::Routes;
use super::stop::StopSignal;
use crate::metrics::{HubMetrics, RegistrationOutcome};
use crate::store::{ConnectionRecord, LastError, Store};

/// What every connection actor is built with.
#[derive(Debug, Clone)]
pub struct Deps {
    pub store: Store,
    pub autotask: Autotask,
    pub routes: Routes,
    pub metrics: Arc<HubMetrics>,
    pub webhook: WebhookTemplate,
    /// The least time between two checks triggered by deactivation hints.
    pub check_interval: Duration,
    pub stop: StopSignal,
}

/// How the webhook of any connection looks, apart from its token and secret.
#[derive(Debug, Clone)]
pub struct WebhookTemplate {
    pub name: String,
    /// The public listener's base URL as Autotask reaches it, without a trailing slash.
    pub public_base: String,
}

impl WebhookTemplate {
    pub fn spec(&self, record: &ConnectionRecord) -> WebhookSpec {
        let url = format!("{}/hooks/autotask/{}", self.public_base, record.hook_token);
        WebhookSpec {
            name: self.name.clone(),
            deactivation_url: format!("{url}/deactivated"),
            webhook_url: url,
            secret: record.webhook_secret.clone(),
            notification_email: record.notification_email.clone(),
        }
    }

    /// What an operator must do by hand when a webhook could not be deleted.
    pub fn manual_cleanup(&self, record: &ConnectionRecord) -> String {
        let id = record
            .webhook_id
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        format!(
            "Sign in to Autotask as an administrator, open Admin > Webhooks (Admin > Extensions & \
             Integrations > Webhooks in current Autotask) and delete the webhook named \"{}\"{id} \
             whose URL ends in /hooks/autotask/{}, if it is there.",
            self.name, record.hook_token
        )
    }
}

/// How a setup attempt ended, for the actor's scheduling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupEnd {
    Active,
    /// Failed with a classified error; `retryable` failures are tried again on a timer.
    Failed {
        retryable: bool,
        after: Option<Duration>,
    },
    /// Nothing to do (the connection is gone, or being removed).
    Skipped,
}

pub async fn setup(
    deps: &Deps,
    tenant: &TenantId,
    replaced: Option<ConnectionRecord>,
) -> Result<SetupEnd, ActorError> {
    let Some(mut record) = deps.store.connection(tenant).await? else {
        return Ok(SetupEnd::Skipped);
    };
    if matches!(
        record.state,
        WebhookState::Removing | WebhookState::Orphaned
    ) {
        return Ok(SetupEnd::Skipped);
    }
    if let Some(old) = replaced {
        remove_replaced(deps, &old).await;
        // Whatever happens next, that webhook is no longer this connection's.
        record.webhook_id = None;
        record.webhook_guid = None;
    }
    record.state = WebhookState::Registering;
    if !deps.store.save_webhook_status(&record).await? {
        return Ok(SetupEnd::Skipped);
    }
    let spec = deps.webhook.spec(&record);
    let result = async {
        let connection = connect(&deps.autotask, &record).await?;
        record.zone = Some(connection.zone().api_base.to_string());
        connection.register(&spec).await
    }
    .await;
    let end = match result {
        Ok(registered) => {
            tracing::info!(tenant = %tenant, webhook_id = %registered.id, "webhook registered");
            record.state = WebhookState::Active;
            record.webhook_id = Some(registered.id);
            record.webhook_guid = registered.guid;
            record.last_error = None;
            deps.metrics.registration(RegistrationOutcome::Success);
            SetupEnd::Active
        }
        Err(error) => {
            let class = error.class();
            tracing::warn!(tenant = %tenant, code = class.code(), %error, "webhook setup failed");
            record.state = WebhookState::Failed;
            record.last_error = Some(last_error(&error));
            deps.metrics
                .registration(RegistrationOutcome::Failed(class));
            SetupEnd::Failed {
                retryable: class.is_retryable(),
                after: error.retry_after(),
            }
        }
    };
    if !deps.store.save_webhook_status(&record).await? {
        tracing::warn!(tenant = %tenant, "the connection was replaced during setup; its result is dropped");
        return Ok(SetupEnd::Skipped);
    }
    Ok(end)
}

/// Looks at the webhook in Autotask after a deactivation hint. Returns whether it needs to be
/// set up again (it is disabled, gone or drifted).
pub async fn check(deps: &Deps, tenant: &TenantId) -> Result<bool, ActorError> {
    let Some(mut record) = deps.store.connection(tenant).await? else {
        return Ok(false);
    };
    let Some(id) = record.webhook_id else {
        return Ok(false);
    };
    if !matches!(
        record.state,
        WebhookState::Active | WebhookState::Deactivated
    ) {
        return Ok(false);
    }
    let spec = deps.webhook.spec(&record);
    let found = async {
        connect(&deps.autotask, &record)
            .await?
            .check(id, &spec)
            .await
    }
    .await;
    match found {
        Ok(check) if check.is_healthy() => {
            if record.state != WebhookState::Active {
                record.state = WebhookState::Active;
                record.last_error = None;
                let _ = deps.store.save_webhook_status(&record).await?;
            }
            Ok(false)
        }
        Ok(check) => {
            let problems = check.problems().join("; ");
            tracing::warn!(tenant = %tenant, %problems, "webhook found disabled or drifted; repairing");
            record.state = WebhookState::Deactivated;
            record.last_error = Some(LastError {
                code: "webhook_deactivated".into(),
                message: format!("Autotask reports the webhook is not usable: {problems}."),
                fix: "psa-hub re-registers it on its own. If this repeats, make sure Autotask can \
                      reach the public URL and that it answers within Autotask's timeout."
                    .into(),
            });
            // Repair only what is still this connection.
            Ok(deps.store.save_webhook_status(&record).await?)
        }
        Err(error) => {
            // A hint must not change state on its own; only an answer from Autotask may.
            tracing::warn!(tenant = %tenant, %error, "cannot check the webhook after a deactivation hint");
            Ok(false)
        }
    }
}

pub async fn remove(deps: &Deps, tenant: &TenantId) -> Result<Option<Removal>, ActorError> {
    let Some(mut record) = deps.store.connection(tenant).await? else {
        return Ok(None);
    };
    // Only a connection whose setup never started can have left nothing in Autotask.
    let never_registered = matches!(
        record.state,
        WebhookState::SetupIncomplete | WebhookState::NotConfigured
    ) && record.webhook_id.is_none();
    let orphaned_before = record.state == WebhookState::Orphaned;
    if never_registered {
        // Nothing of ours can be in Autotask: no call is needed, and none could fail.
        deps.routes.remove(&record.hook_token);
        deps.store.delete_connection(&record).await?;
        return Ok(Some(Removal::done(false)));
    }
    record.state = WebhookState::Removing;
    if !deps.store.save_webhook_status(&record).await? {
        return Ok(None);
    }
    let result = delete_webhook(deps, &record).await;
    deps.routes.remove(&record.hook_token);
    match result {
        Ok(outcome) => {
            tracing::info!(tenant = %tenant, ?outcome, "connection removed");
            deps.store.delete_connection(&record).await?;
            Ok(Some(Removal::done(
                record.webhook_id.is_some() || outcome == RemoveOutcome::Removed,
            )))
        }
        Err(error) if orphaned_before => {
            // The operator was told already; a second removal lets the connection go and
            // repeats what to delete by hand.
            tracing::warn!(tenant = %tenant, %error, "webhook still cannot be deleted; connection dropped");
            deps.store.delete_connection(&record).await?;
            Ok(Some(Removal {
                webhook_removed: false,
                manual_cleanup: Some(deps.webhook.manual_cleanup(&record)),
                retained: false,
            }))
        }
        Err(error) => {
            tracing::warn!(tenant = %tenant, %error, "webhook could not be deleted; connection orphaned");
            let cleanup = deps.webhook.manual_cleanup(&record);
            record.state = WebhookState::Orphaned;
            record.last_error = Some(LastError {
                code: error.class().code().into(),
                message: error.to_string(),
                fix: cleanup.clone(),
            });
            let retained = deps.store.save_webhook_status(&record).await?;
            Ok(Some(Removal {
                webhook_removed: false,
                manual_cleanup: Some(cleanup),
                retained,
            }))
        }
    }
}

/// Best effort: the old API user's webhook would otherwise keep calling us.
async fn remove_replaced(deps: &Deps, old: &ConnectionRecord) {
    if let Err(error) = delete_webhook(deps, old).await {
        tracing::warn!(tenant = %old.tenant_id, %error, "cannot remove the webhook of the replaced credentials");
    }
}

/// Deletes `record`'s webhook (or, without a known id, ours at its URL) with its credentials.
async fn delete_webhook(
    deps: &Deps,
    record: &ConnectionRecord,
) -> Result<RemoveOutcome, AutotaskError> {
    let spec = deps.webhook.spec(record);
    connect(&deps.autotask, record)
        .await?
        .remove(record.webhook_id, &spec)
        .await
}

async fn connect(
    autotask: &Autotask,
    record: &ConnectionRecord,
) -> Result<AutotaskConnection, AutotaskError> {
    autotask.connect(record.credentials.clone()).await
}

pub fn last_error(error: &AutotaskError) -> LastError {
    LastError {
        code: error.class().code().into(),
        message: error.to_string(),
        fix: error.fix(),
    }
}

/// Whether a failure class is worth a timer-driven retry.
pub fn retry_delay(
    class_retryable: bool,
    after: Option<Duration>,
    attempt: u32,
) -> Option<Duration> {
    if !class_retryable {
        return None;
    }
    let backoff = Duration::from_secs(30).saturating_mul(1 << attempt.min(7));
    Some(after.unwrap_or(backoff).min(Duration::from_secs(3600)))
}
