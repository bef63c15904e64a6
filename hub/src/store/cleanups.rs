//! Durable clean-ups: webhooks that belong to a connection's previous owner (or to a setup
//! whose credentials were replaced while it ran), kept with that owner's sealed credentials
//! until the PSA confirms them deleted. A row outlives restarts; the connection actor finishes it.

use chrono::{DateTime, Utc};
use psa_proto::{Credentials, HookToken, WebhookId};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::connection_row::parse_tenant;
use super::connections::{ConnectionKey, ConnectionRecord};
use super::{from_millis, now_millis, Store, StoreError};
use crate::crypto::MasterKey;

/// One webhook to delete with the credentials of the owner that created it.
#[derive(Debug, Clone)]
pub struct Cleanup {
    pub key: ConnectionKey,
    pub credentials: Credentials,
    /// Whose webhook it is (the provider's owner, e.g. an API user).
    pub owner: String,
    pub webhook_id: WebhookId,
    /// The hook token of the URL the webhook was registered at.
    pub hook_token: HookToken,
    pub attempts: i64,
    /// The old credentials were refused, or it failed for a day: only an administrator can
    /// delete it now.
    pub gave_up: bool,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "tenant_id, psa, owner, credentials_sealed, webhook_id, hook_token, \
    attempts, gave_up, last_error_message, created_at";

/// Records `webhook` of `owner` (the connection as it was, with its credentials) for deletion.
pub(super) async fn insert_cleanup(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &MasterKey,
    owner: &ConnectionRecord,
    webhook: WebhookId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO webhook_cleanups (tenant_id, psa, owner, credentials_sealed, webhook_id, \
           hook_token, attempts, gave_up, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7) \
         ON CONFLICT (tenant_id, psa, hook_token, webhook_id) DO NOTHING",
    )
    .bind(owner.key.tenant.as_str())
    .bind(owner.key.psa.as_str())
    .bind(owner.owner.clone())
    .bind(key.seal(&owner.credentials.expose().to_string()))
    .bind(webhook.0)
    .bind(owner.hook_token.as_str())
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

    /// The connection's clean-ups, oldest first.
    pub async fn cleanups(&self, key: &ConnectionKey) -> Result<Vec<Cleanup>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_cleanups WHERE tenant_id = $1 AND psa = $2 \
             ORDER BY created_at, webhook_id"
        );
        let rows = sqlx::query(&sql)
            .bind(key.tenant.as_str())
            .bind(key.psa.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| self.read_cleanup(row)).collect()
    }

    /// The PSA confirmed the webhook deleted (or gone): forget it.
    pub async fn cleanup_done(&self, cleanup: &Cleanup) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "DELETE FROM webhook_cleanups WHERE tenant_id = $1 AND psa = $2 \
             AND hook_token = $3 AND webhook_id = $4",
        )
        .bind(cleanup.key.tenant.as_str())
        .bind(cleanup.key.psa.as_str())
        .bind(cleanup.hook_token.as_str())
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
            "UPDATE webhook_cleanups SET attempts = attempts + 1, gave_up = $5, \
               last_error_message = $6 \
             WHERE tenant_id = $1 AND psa = $2 AND hook_token = $3 AND webhook_id = $4",
        )
        .bind(cleanup.key.tenant.as_str())
        .bind(cleanup.key.psa.as_str())
        .bind(cleanup.hook_token.as_str())
        .bind(cleanup.webhook_id.0)
        .bind(i64::from(gave_up))
        .bind(message.to_owned())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    fn read_cleanup(&self, row: &AnyRow) -> Result<Cleanup, StoreError> {
        let sealed: Option<String> = row.try_get("credentials_sealed")?;
        let sealed = sealed.ok_or_else(|| {
            StoreError::Corrupt("the clean-up's credentials were never converted".into())
        })?;
        let credentials: Value = serde_json::from_str(&self.key().open(&sealed)?)
            .map_err(|e| StoreError::Corrupt(format!("credentials: {e}")))?;
        Ok(Cleanup {
            key: ConnectionKey {
                tenant: parse_tenant(row.try_get("tenant_id")?)?,
                psa: self.psa_of(&row.try_get::<String, _>("psa")?)?,
            },
            credentials: Credentials::new(credentials),
            owner: row
                .try_get::<Option<String>, _>("owner")?
                .unwrap_or_default(),
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
