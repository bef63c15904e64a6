//! Writes to a connection's row after it exists: the webhook status the connection actor
//! learned, and credentials a PUT replaces. Each is conditional, so a write based on a stale read
//! changes nothing and says so.

use psa_proto::{TenantId, WebhookId};

use super::cleanups::insert_cleanup;
use super::connections::{ConnectionRecord, Credentials};
use super::{now_millis, to_millis, Store, StoreError};

/// A PUT's change of an existing connection's credentials.
#[derive(Debug)]
pub struct CredentialUpdate<'a> {
    pub tenant: &'a TenantId,
    /// The `credentials_version` the change was decided on; another change since wins.
    pub expected_version: i64,
    pub credentials: &'a Credentials,
    pub notification_email: Option<&'a str>,
    /// Mark the connection `registering`, so the setup asked for next survives a restart.
    pub setup_pending: bool,
    /// The connection as read, when its webhook belongs to the API user being replaced: that
    /// webhook is handed to a durable clean-up with the old credentials, in the same commit.
    pub replaced: Option<&'a ConnectionRecord>,
}

impl Store {
    /// Writes what the connection actor learned about the webhook. `false` when the connection
    /// it worked on is gone, was replaced (another hook token) or got other credentials
    /// meanwhile: the work is moot.
    pub async fn save_webhook_status(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let error = record.last_error.as_ref();
        let repair = record.last_repair.as_ref();
        let drifts = repair.map(|r| {
            r.drifts
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(",")
        });
        let _turn = self.write_turn().await;
        let updated = sqlx::query(
            "UPDATE connections SET state = $3, webhook_id = $4, webhook_guid = $5, zone = $6, \
               last_error_code = $7, last_error_message = $8, last_error_fix = $9, \
               failing_since = $10, last_check_at = $11, last_repair_at = $12, \
               last_repair = $13, updated_at = $14 \
             WHERE tenant_id = $1 AND hook_token = $2 AND credentials_version = $15",
        )
        .bind(record.tenant_id.as_str())
        .bind(record.hook_token.as_str())
        .bind(record.state.as_str())
        .bind(record.webhook_id.map(|id| id.0))
        .bind(record.webhook_guid.as_ref().map(|g| g.as_str().to_owned()))
        .bind(record.zone.clone())
        .bind(error.map(|e| e.code.clone()))
        .bind(error.map(|e| e.message.clone()))
        .bind(error.map(|e| e.fix.clone()))
        .bind(record.failing_since.map(to_millis))
        .bind(record.last_check_at.map(to_millis))
        .bind(repair.map(|r| to_millis(r.at)))
        .bind(drifts)
        .bind(now_millis())
        .bind(record.credentials_version)
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() > 0)
    }

    /// Replaces an existing connection's credentials and notification address (the other
    /// webhook columns belong to the connection actor). `false` when the connection is gone,
    /// being removed, or changed since `expected_version` was read: nothing is written then.
    pub async fn update_credentials(
        &self,
        update: CredentialUpdate<'_>,
    ) -> Result<bool, StoreError> {
        let moved = update.replaced.and_then(|old| old.webhook_id);
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE connections SET username = $2, secret_sealed = $3, \
               integration_code_sealed = $4, notification_email = $5, updated_at = $6, \
               state = CASE WHEN $7 = 1 THEN 'registering' ELSE state END, \
               webhook_id = CASE WHEN $8 = 1 THEN NULL ELSE webhook_id END, \
               webhook_guid = CASE WHEN $8 = 1 THEN NULL ELSE webhook_guid END, \
               credentials_version = credentials_version + 1 \
             WHERE tenant_id = $1 AND credentials_version = $9 \
               AND state NOT IN ('removing', 'orphaned') \
               AND ($8 = 0 OR webhook_id = $10)",
        )
        .bind(update.tenant.as_str())
        .bind(update.credentials.username.as_str())
        .bind(self.key().seal(&update.credentials.secret))
        .bind(self.key().seal(&update.credentials.integration_code))
        .bind(update.notification_email.map(str::to_owned))
        .bind(now_millis())
        .bind(i64::from(update.setup_pending))
        .bind(i64::from(moved.is_some()))
        .bind(update.expected_version)
        .bind(moved.map(|id: WebhookId| id.0))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let (Some(old), Some(id)) = (update.replaced, moved) {
            insert_cleanup(&mut tx, self.key(), old, id).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
