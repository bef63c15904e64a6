//! Connections: one Autotask connection per tenant, its sealed credentials, and the state of its
//! webhook as the connection actor last saved it.

use chrono::{DateTime, Utc};
pub use psa_autotask::Credentials;
use psa_proto::{Drift, HookToken, TenantId, WebhookGuid, WebhookId, WebhookSecret, WebhookState};
use serde::Serialize;
use sqlx::Row;

use super::connection_row::{parse_state, parse_tenant, COLUMNS};
use super::{ensure_and_lock_tenant, from_millis, now_millis, Store, StoreError};

/// The classified error of the last failed attempt, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LastError {
    pub code: String,
    pub message: String,
    pub fix: String,
}

/// A connection as stored.
#[derive(Debug, Clone)]
pub struct ConnectionRecord {
    pub tenant_id: TenantId,
    pub credentials: Credentials,
    pub notification_email: Option<String>,
    pub hook_token: HookToken,
    pub webhook_secret: WebhookSecret,
    pub state: WebhookState,
    pub webhook_id: Option<WebhookId>,
    pub webhook_guid: Option<WebhookGuid>,
    pub zone: Option<String>,
    pub last_error: Option<LastError>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by every change of credentials or notification address: writes based on an
    /// older read are refused.
    pub credentials_version: i64,
    /// When the current run of failed setups began.
    pub failing_since: Option<DateTime<Utc>>,
    /// When the webhook was last compared with what it should be.
    pub last_check_at: Option<DateTime<Utc>>,
    pub last_repair: Option<LastRepair>,
}

/// What the last repair of a drifted webhook fixed, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LastRepair {
    pub at: DateTime<Utc>,
    #[schema(value_type = Vec<crate::api::DriftSchema>)]
    pub drifts: Vec<Drift>,
}

/// One line of the tenant list.
#[derive(Debug, Clone)]
pub struct TenantSummary {
    pub tenant_id: TenantId,
    pub state: Option<WebhookState>,
    pub webhook_id: Option<WebhookId>,
    pub last_delivery_at: Option<DateTime<Utc>>,
}

impl Store {
    pub async fn connection(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE tenant_id = $1");
        let row = sqlx::query(&sql)
            .bind(tenant.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| self.read_connection(&row)).transpose()
    }

    /// Every stored connection. A row that cannot be read (e.g. sealed with another master
    /// key) is returned as an error with its tenant id, so one bad row does not stop the rest.
    pub async fn connections(
        &self,
    ) -> Result<Vec<Result<ConnectionRecord, (String, StoreError)>>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM connections ORDER BY tenant_id");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|row| {
                self.read_connection(row).map_err(|error| {
                    let tenant = row.try_get::<String, _>("tenant_id").unwrap_or_default();
                    (tenant, error)
                })
            })
            .collect())
    }

    /// Creates the connection (and its tenant). `false` when the tenant already has one (a
    /// concurrent PUT won); nothing is changed then.
    pub async fn insert_connection(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let now = now_millis();
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        ensure_and_lock_tenant(&mut tx, &record.tenant_id).await?;
        let inserted = sqlx::query(
            "INSERT INTO connections (tenant_id, psa, username, secret_sealed, \
               integration_code_sealed, notification_email, hook_token, webhook_secret_sealed, \
               state, created_at, updated_at) \
             VALUES ($1, 'autotask', $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             ON CONFLICT (tenant_id) DO NOTHING",
        )
        .bind(record.tenant_id.as_str())
        .bind(record.credentials.username.as_str())
        .bind(self.key().seal(&record.credentials.secret))
        .bind(self.key().seal(&record.credentials.integration_code))
        .bind(record.notification_email.clone())
        .bind(record.hook_token.as_str())
        .bind(self.key().seal(record.webhook_secret.expose()))
        .bind(record.state.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(inserted > 0)
    }

    /// Deletes the connection `record` describes (not a newer one under the same tenant, nor one
    /// whose credentials changed since it was read), with the clean-ups of its replaced
    /// webhooks: the removal answer reported those.
    pub async fn delete_connection(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let deleted = sqlx::query(
            "DELETE FROM connections WHERE tenant_id = $1 AND hook_token = $2 \
             AND credentials_version = $3",
        )
        .bind(record.tenant_id.as_str())
        .bind(record.hook_token.as_str())
        .bind(record.credentials_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted > 0 {
            sqlx::query("DELETE FROM webhook_cleanups WHERE tenant_id = $1")
                .bind(record.tenant_id.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Deletes the tenant's connection without reading its sealed columns (they cannot be
    /// opened); returns the webhook id and hook token it had, to say what to delete by hand.
    pub async fn delete_unreadable(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<(Option<WebhookId>, HookToken)>, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let row =
            sqlx::query("SELECT webhook_id, hook_token FROM connections WHERE tenant_id = $1")
                .bind(tenant.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let token = HookToken::parse(row.try_get::<String, _>("hook_token")?)
            .map_err(|e| StoreError::Corrupt(format!("hook token: {e}")))?;
        let webhook = row.try_get::<Option<i64>, _>("webhook_id")?.map(WebhookId);
        for table in ["webhook_cleanups", "connections"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
                .bind(tenant.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some((webhook, token)))
    }

    /// Deletes the tenant's connection if it is orphaned, so a new one can take its place.
    pub async fn delete_orphaned(&self, tenant: &TenantId) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let deleted =
            sqlx::query("DELETE FROM connections WHERE tenant_id = $1 AND state = 'orphaned'")
                .bind(tenant.as_str())
                .execute(self.pool())
                .await?;
        Ok(deleted.rows_affected() > 0)
    }

    /// Tenants in id order after `after`, with their connection's state when they have one.
    pub async fn tenants(
        &self,
        after: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<TenantSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.tenant_id, c.state, c.webhook_id, c.last_delivery_at FROM tenants t \
             LEFT JOIN connections c ON c.tenant_id = t.tenant_id \
             WHERE t.tenant_id > $1 ORDER BY t.tenant_id LIMIT $2",
        )
        .bind(after.map(TenantId::as_str).unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TenantSummary {
                    tenant_id: parse_tenant(row.try_get("tenant_id")?)?,
                    state: row
                        .try_get::<Option<String>, _>("state")?
                        .map(|s| parse_state(&s))
                        .transpose()?,
                    webhook_id: row.try_get::<Option<i64>, _>("webhook_id")?.map(WebhookId),
                    last_delivery_at: row
                        .try_get::<Option<i64>, _>("last_delivery_at")?
                        .map(from_millis),
                })
            })
            .collect()
    }

    /// How many connections are in each state (for the connections gauge).
    pub async fn connection_states(&self) -> Result<Vec<(WebhookState, i64)>, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM connections GROUP BY state")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    parse_state(&row.try_get::<String, _>("state")?)?,
                    row.try_get("n")?,
                ))
            })
            .collect()
    }
}
