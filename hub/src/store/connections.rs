//! Connections: one Autotask connection per tenant, its sealed credentials, and the state of its
//! webhook as the connection actor last saved it.

use chrono::{DateTime, Utc};
pub use psa_autotask::Credentials;
use psa_proto::{HookToken, TenantId, WebhookGuid, WebhookId, WebhookSecret, WebhookState};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{ensure_and_lock_tenant, from_millis, now_millis, Store, StoreError};

/// The classified error of the last failed attempt, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

/// One line of the tenant list.
#[derive(Debug, Clone)]
pub struct TenantSummary {
    pub tenant_id: TenantId,
    pub state: Option<WebhookState>,
    pub webhook_id: Option<WebhookId>,
    pub last_delivery_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "tenant_id, username, secret_sealed, integration_code_sealed, \
    notification_email, hook_token, webhook_secret_sealed, state, webhook_id, webhook_guid, zone, \
    last_error_code, last_error_message, last_error_fix, last_delivery_at, created_at, updated_at";

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

    /// Replaces an existing connection's credentials and notification address, and marks it
    /// `registering` when the caller is about to ask for setup, so the pending work survives a
    /// restart. The other webhook columns belong to the connection actor. `false` when the
    /// connection is gone or being removed.
    pub async fn update_credentials(
        &self,
        tenant: &TenantId,
        credentials: &Credentials,
        notification_email: Option<&str>,
        setup_pending: bool,
    ) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let updated = sqlx::query(
            "UPDATE connections SET username = $2, secret_sealed = $3, \
               integration_code_sealed = $4, notification_email = $5, updated_at = $6, \
               state = CASE WHEN $7 = 1 THEN 'registering' ELSE state END \
             WHERE tenant_id = $1 AND state NOT IN ('removing', 'orphaned')",
        )
        .bind(tenant.as_str())
        .bind(credentials.username.as_str())
        .bind(self.key().seal(&credentials.secret))
        .bind(self.key().seal(&credentials.integration_code))
        .bind(notification_email.map(str::to_owned))
        .bind(now_millis())
        .bind(i64::from(setup_pending))
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() > 0)
    }

    /// Writes what the connection actor learned about the webhook. `false` when the connection
    /// it worked on is gone or was replaced (another hook token) meanwhile: the work is moot.
    pub async fn save_webhook_status(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let error = record.last_error.as_ref();
        let _turn = self.write_turn().await;
        let updated = sqlx::query(
            "UPDATE connections SET state = $3, webhook_id = $4, webhook_guid = $5, zone = $6, \
               last_error_code = $7, last_error_message = $8, last_error_fix = $9, updated_at = $10 \
             WHERE tenant_id = $1 AND hook_token = $2",
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
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        Ok(updated.rows_affected() > 0)
    }

    /// Deletes the connection `record` describes (not a newer one under the same tenant).
    pub async fn delete_connection(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let deleted =
            sqlx::query("DELETE FROM connections WHERE tenant_id = $1 AND hook_token = $2")
                .bind(record.tenant_id.as_str())
                .bind(record.hook_token.as_str())
                .execute(self.pool())
                .await?;
        Ok(deleted.rows_affected() > 0)
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

    fn read_connection(&self, row: &AnyRow) -> Result<ConnectionRecord, StoreError> {
        let key = self.key();
        let error_code: Option<String> = row.try_get("last_error_code")?;
        let last_error = error_code.map(|code| -> Result<LastError, StoreError> {
            Ok(LastError {
                code,
                message: row
                    .try_get::<Option<String>, _>("last_error_message")?
                    .unwrap_or_default(),
                fix: row
                    .try_get::<Option<String>, _>("last_error_fix")?
                    .unwrap_or_default(),
            })
        });
        Ok(ConnectionRecord {
            tenant_id: parse_tenant(row.try_get("tenant_id")?)?,
            credentials: Credentials {
                username: row.try_get("username")?,
                secret: key.open(&row.try_get::<String, _>("secret_sealed")?)?,
                integration_code: key
                    .open(&row.try_get::<String, _>("integration_code_sealed")?)?,
            },
            notification_email: row.try_get("notification_email")?,
            hook_token: HookToken::parse(row.try_get::<String, _>("hook_token")?)
                .map_err(|e| StoreError::Corrupt(format!("hook token: {e}")))?,
            webhook_secret: WebhookSecret::new(
                key.open(&row.try_get::<String, _>("webhook_secret_sealed")?)?,
            ),
            state: parse_state(&row.try_get::<String, _>("state")?)?,
            webhook_id: row.try_get::<Option<i64>, _>("webhook_id")?.map(WebhookId),
            webhook_guid: row
                .try_get::<Option<String>, _>("webhook_guid")?
                .map(WebhookGuid::new),
            zone: row.try_get("zone")?,
            last_error: last_error.transpose()?,
            last_delivery_at: row
                .try_get::<Option<i64>, _>("last_delivery_at")?
                .map(from_millis),
            created_at: from_millis(row.try_get("created_at")?),
            updated_at: from_millis(row.try_get("updated_at")?),
        })
    }
}

fn parse_tenant(value: String) -> Result<TenantId, StoreError> {
    TenantId::parse(value).map_err(|e| StoreError::Corrupt(format!("tenant id: {e}")))
}

fn parse_state(value: &str) -> Result<WebhookState, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown webhook state {value:?}")))
}
