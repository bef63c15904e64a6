//! Durable clean-ups: webhooks that belong to a connection's previous API user (or to a setup
//! whose credentials were replaced while it ran), kept with that user's sealed credentials until
//! Autotask confirms them deleted. A row outlives restarts; the connection actor finishes it.

use chrono::{DateTime, Utc};
use psa_proto::{HookToken, TenantId, WebhookId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::connections::{ConnectionRecord, Credentials};
use super::{from_millis, now_millis, Store, StoreError};
use crate::crypto::MasterKey;

/// One webhook to delete with the credentials of the API user that created it.
#[derive(Debug, Clone)]
pub struct Cleanup {
    pub tenant_id: TenantId,
    pub credentials: Credentials,
    pub webhook_id: WebhookId,
    /// The hook token of the URL the webhook was registered at.
    pub hook_token: HookToken,
    pub attempts: i64,
    /// The old credentials were refused: only an administrator can delete it now.
    pub gave_up: bool,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "tenant_id, username, webhook_id, hook_token, secret_sealed, \
    integration_code_sealed, attempts, gave_up, last_error_message, created_at";

/// Records `webhook` of `owner` (the connection as it was, with its credentials) for deletion.
pub(super) async fn insert_cleanup(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &MasterKey,
    owner: &ConnectionRecord,
    webhook: WebhookId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_cleanups (tenant_id, username, webhook_id, hook_token, \
           secret_sealed, integration_code_sealed, attempts, gave_up, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7) \
         ON CONFLICT (tenant_id, username, webhook_id) DO NOTHING",
    )
    .bind(owner.tenant_id.as_str())
    .bind(owner.credentials.username.as_str())
    .bind(webhook.0)
    .bind(owner.hook_token.as_str())
    .bind(key.seal(&owner.credentials.secret))
    .bind(key.seal(&owner.credentials.integration_code))
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Records a webhook that `owner`'s credentials created but the connection no longer uses.
    pub async fn add_cleanup(
        &self,
        owner: &ConnectionRecord,
        webhook: WebhookId,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        insert_cleanup(&mut tx, self.key(), owner, webhook).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tenant's clean-ups, oldest first.
    pub async fn cleanups(&self, tenant: &TenantId) -> Result<Vec<Cleanup>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_cleanups WHERE tenant_id = $1 \
             ORDER BY created_at, webhook_id"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| self.read_cleanup(row)).collect()
    }

    /// Autotask confirmed the webhook deleted (or gone): forget it.
    pub async fn cleanup_done(&self, cleanup: &Cleanup) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "DELETE FROM webhook_cleanups WHERE tenant_id = $1 AND username = $2 \
             AND webhook_id = $3",
        )
        .bind(cleanup.tenant_id.as_str())
        .bind(cleanup.credentials.username.as_str())
        .bind(cleanup.webhook_id.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One more failed attempt; `gave_up` when no later attempt can succeed.
    pub async fn cleanup_failed(
        &self,
        cleanup: &Cleanup,
        message: &str,
        gave_up: bool,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "UPDATE webhook_cleanups SET attempts = attempts + 1, gave_up = $4, \
               last_error_message = $5 \
             WHERE tenant_id = $1 AND username = $2 AND webhook_id = $3",
        )
        .bind(cleanup.tenant_id.as_str())
        .bind(cleanup.credentials.username.as_str())
        .bind(cleanup.webhook_id.0)
        .bind(i64::from(gave_up))
        .bind(message.to_owned())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    fn read_cleanup(&self, row: &AnyRow) -> Result<Cleanup, StoreError> {
        let key = self.key();
        Ok(Cleanup {
            tenant_id: TenantId::parse(row.try_get::<String, _>("tenant_id")?)
                .map_err(|e| StoreError::Corrupt(format!("tenant id: {e}")))?,
            credentials: Credentials {
                username: row.try_get("username")?,
                secret: key.open(&row.try_get::<String, _>("secret_sealed")?)?,
                integration_code: key
                    .open(&row.try_get::<String, _>("integration_code_sealed")?)?,
            },
            webhook_id: WebhookId(row.try_get("webhook_id")?),
            hook_token: HookToken::parse(row.try_get::<String, _>("hook_token")?)
                .map_err(|e| StoreError::Corrupt(format!("hook token: {e}")))?,
            attempts: row.try_get("attempts")?,
            gave_up: row.try_get::<i64, _>("gave_up")? != 0,
            last_error: row.try_get("last_error_message")?,
            created_at: from_millis(row.try_get("created_at")?),
        })
    }
}
