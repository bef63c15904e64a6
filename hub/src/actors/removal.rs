//! Removing a connection: its webhook (and any replaced one still pending) is deleted in the
//! PSA, then the connection; what cannot be deleted is reported with manual instructions.

use psa_proto::{PsaError, RemoveOutcome, WebhookState};

use super::cleanup::{self, join_manual};
use super::deps::Deps;
use super::failure::last_error;
use super::messages::{ActorError, Removal};
use crate::store::{ConnectionKey, ConnectionRecord};

pub async fn remove(deps: &Deps, key: &ConnectionKey) -> Result<Option<Removal>, ActorError> {
    let Some(mut record) = deps.store.connection(key).await? else {
        return Ok(None);
    };
    // Only a connection whose setup never started can have left nothing in the PSA.
    let never_registered = matches!(
        record.state,
        WebhookState::SetupIncomplete | WebhookState::NotConfigured
    ) && record.webhook_id.is_none();
    let orphaned_before = record.state == WebhookState::Orphaned;
    if !never_registered {
        // Marked first: from now on a PUT is refused, so nothing changes under the removal.
        record.state = WebhookState::Removing;
        if !deps.store.save_webhook_status(&record).await? {
            return changed_or_gone(deps, &record).await.map(|()| None);
        }
    }
    let left = cleanup::run(deps, key).await?;
    if never_registered {
        // Nothing of ours can be in the PSA at this URL: no call is needed, and none could fail.
        if !deps.store.delete_connection(&record).await? {
            return changed_or_gone(deps, &record).await.map(|()| None);
        }
        deps.routes.remove(&record.hook_token);
        return Ok(Some(Removal {
            webhook_removed: false,
            manual_cleanup: join_manual(None, &left),
            retained: false,
        }));
    }
    let result = delete_webhook(deps, &record).await?;
    deps.routes.remove(&record.hook_token);
    match result {
        Ok(outcome) => {
            tracing::info!(connection = %key, ?outcome, "connection removed");
            deps.store.delete_connection(&record).await?;
            // The adapter reports "already gone" only when the PSA confirmed it.
            let removed = record.webhook_id.is_some() || outcome == RemoveOutcome::Removed;
            Ok(Some(Removal {
                webhook_removed: removed,
                manual_cleanup: join_manual(None, &left),
                retained: false,
            }))
        }
        Err(error) if orphaned_before => {
            // The operator was told already; a second removal lets the connection go and
            // repeats what to delete by hand.
            tracing::warn!(connection = %key, code = %last_error(&error, &record).code, "webhook still cannot be deleted; connection dropped");
            deps.store.delete_connection(&record).await?;
            let main = Some(deps.manual_cleanup(&record)?);
            Ok(Some(Removal {
                webhook_removed: false,
                manual_cleanup: join_manual(main, &left),
                retained: false,
            }))
        }
        Err(error) => orphan(deps, record, &error, &left).await,
    }
}

/// The webhook could not be deleted: the connection stays, orphaned, with instructions.
async fn orphan(
    deps: &Deps,
    mut record: ConnectionRecord,
    error: &PsaError,
    left: &cleanup::Leftover,
) -> Result<Option<Removal>, ActorError> {
    let stored = last_error(error, &record);
    tracing::warn!(connection = %record.key, message = %stored.message, "webhook could not be deleted; connection orphaned");
    let cleanup = deps.manual_cleanup(&record)?;
    record.state = WebhookState::Orphaned;
    record.last_error = Some(crate::store::LastError {
        fix: cleanup.clone(),
        ..stored
    });
    let retained = deps.store.save_webhook_status(&record).await?;
    Ok(Some(Removal {
        webhook_removed: false,
        manual_cleanup: join_manual(Some(cleanup), left),
        retained,
    }))
}

/// A conditional write found nothing to write: `Changed` while the connection exists (another
/// request changed or replaced it meanwhile; its actor must stay), nothing when it is gone.
async fn changed_or_gone(deps: &Deps, record: &ConnectionRecord) -> Result<(), ActorError> {
    let present = deps
        .store
        .tenant_psas(&record.key.tenant)
        .await?
        .contains(&record.key.psa);
    if present {
        Err(ActorError::Changed)
    } else {
        Ok(())
    }
}

/// Deletes `record`'s webhook, then any other of ours at its URL, with its credentials.
async fn delete_webhook(
    deps: &Deps,
    record: &ConnectionRecord,
) -> Result<Result<RemoveOutcome, PsaError>, ActorError> {
    let spec = deps.spec(record)?;
    let connection = match deps.connect(&record.key, &record.credentials).await? {
        Ok(connection) => connection,
        Err(error) => return Ok(Err(error)),
    };
    let removed = async {
        let by_id = match record.webhook_id {
            Some(id) => connection.remove(Some(id), &spec).await?,
            None => RemoveOutcome::AlreadyGone,
        };
        // The id may be stale (a repair deleted that webhook and a create whose answer was
        // lost made another): whatever of ours is at the URL would keep calling a URL that is
        // gone.
        let at_url = connection.remove(None, &spec).await?;
        Ok(
            if by_id == RemoveOutcome::Removed || at_url == RemoveOutcome::Removed {
                RemoveOutcome::Removed
            } else {
                RemoveOutcome::AlreadyGone
            },
        )
    };
    Ok(removed.await)
}
