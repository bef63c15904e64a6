//! Connections: one per (tenant, PSA), with its credentials sealed as one document, and the
//! state of its webhook as the connection actor last saved it.

use std::fmt;

use chrono::{DateTime, Utc};
use psa_proto::{
    Credentials, Drift, HookToken, PsaName, TenantId, WebhookGuid, WebhookId, WebhookSecret,
    WebhookState,
};
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;

use super::connection_row::{parse_state, parse_tenant, COLUMNS};
use super::{ensure_and_lock_tenant, from_millis, now_millis, Store, StoreError};

/// A connection's identity: one tenant's PSA.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionKey {
    pub tenant: TenantId,
    pub psa: PsaName,
}

impl fmt::Display for ConnectionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.tenant, self.psa)
    }
}

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
    pub key: ConnectionKey,
    pub credentials: Credentials,
    /// Who owns the webhook in the PSA (the provider says).
    pub owner: String,
    /// What the status shows of the connection.
    pub public: Map<String, Value>,
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
    /// When the current run of failed setups (or repairs) began.
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

/// One connection in the tenant list.
#[derive(Debug, Clone)]
pub struct ConnectionSummary {
    pub psa: PsaName,
    pub state: WebhookState,
    pub webhook_id: Option<WebhookId>,
    pub last_delivery_at: Option<DateTime<Utc>>,
}

/// One line of the tenant list.
#[derive(Debug, Clone)]
pub struct TenantSummary {
    pub tenant_id: TenantId,
    pub connections: Vec<ConnectionSummary>,
}

impl Store {
    pub async fn connection(
        &self,
        key: &ConnectionKey,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE tenant_id = $1 AND psa = $2");
        let row = sqlx::query(&sql)
            .bind(key.tenant.as_str())
            .bind(key.psa.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| self.read_connection(&row)).transpose()
    }

    /// Every PSA some connection is stored for, served by this hub or not.
    pub async fn stored_psas(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT psa FROM connections ORDER BY psa")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>("psa")?))
            .collect()
    }

    /// The PSAs the tenant has a connection to.
    pub async fn tenant_psas(&self, tenant: &TenantId) -> Result<Vec<PsaName>, StoreError> {
        let rows = sqlx::query("SELECT psa FROM connections WHERE tenant_id = $1 ORDER BY psa")
            .bind(tenant.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| self.psa_of(&row.try_get::<String, _>("psa")?))
            .collect()
    }

    /// Every stored connection. A row that cannot be read (e.g. sealed with another master
    /// key) is returned as an error with its key, so one bad row does not stop the rest.
    #[allow(clippy::type_complexity)]
    pub async fn connections(
        &self,
    ) -> Result<Vec<Result<ConnectionRecord, (Option<ConnectionKey>, StoreError)>>, StoreError>
    {
        use futures_util::TryStreamExt as _;
        let sql = format!("SELECT {COLUMNS} FROM connections ORDER BY tenant_id, psa");
        // Streamed, each row read as it comes: with 100,000 connections, holding every raw row
        // beside every record doubled the memory a start needs.
        let mut rows = sqlx::query(&sql).fetch(self.pool());
        let mut read = Vec::new();
        while let Some(row) = rows.try_next().await? {
            read.push(self.read_row(&row));
        }
        Ok(read)
    }

    /// One stored row, or why it cannot be read with the key it has (if that much is readable).
    #[allow(clippy::type_complexity)]
    fn read_row(
        &self,
        row: &sqlx::any::AnyRow,
    ) -> Result<ConnectionRecord, (Option<ConnectionKey>, StoreError)> {
        self.read_connection(row).map_err(|error| {
            let tenant = row.try_get::<String, _>("tenant_id").ok();
            let psa = row.try_get::<String, _>("psa").ok();
            let key = tenant.zip(psa).and_then(|(tenant, psa)| {
                Some(ConnectionKey {
                    tenant: TenantId::parse(tenant).ok()?,
                    psa: self.psa_of(&psa).ok()?,
                })
            });
            (key, error)
        })
    }

    /// Creates the connection (and its tenant). `false` when the tenant already has one to this
    /// PSA (a concurrent PUT won); nothing is changed then.
    pub async fn insert_connection(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let now = now_millis();
        let public = Value::Object(record.public.clone()).to_string();
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        ensure_and_lock_tenant(&mut tx, &record.key.tenant).await?;
        let inserted = sqlx::query(
            "INSERT INTO connections (tenant_id, psa, owner, public_json, credentials_sealed, \
               notification_email, hook_token, webhook_secret_sealed, state, created_at, \
               updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (tenant_id, psa) DO NOTHING",
        )
        .bind(record.key.tenant.as_str())
        .bind(record.key.psa.as_str())
        .bind(record.owner.clone())
        .bind(public)
        .bind(self.key().seal(&record.credentials.expose().to_string()))
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

    /// Deletes the connection `record` describes (not a newer one under the same key, nor one
    /// whose credentials changed since it was read), with the clean-ups of its replaced
    /// webhooks: the removal answer reported those.
    pub async fn delete_connection(&self, record: &ConnectionRecord) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let deleted = sqlx::query(
            "DELETE FROM connections WHERE tenant_id = $1 AND psa = $2 AND hook_token = $3 \
             AND credentials_version = $4",
        )
        .bind(record.key.tenant.as_str())
        .bind(record.key.psa.as_str())
        .bind(record.hook_token.as_str())
        .bind(record.credentials_version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted > 0 {
            sqlx::query("DELETE FROM webhook_cleanups WHERE tenant_id = $1 AND psa = $2")
                .bind(record.key.tenant.as_str())
                .bind(record.key.psa.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(deleted > 0)
    }

    /// Deletes the connection without reading its sealed columns (they cannot be opened);
    /// returns the webhook id and hook token it had, to say what to delete by hand.
    pub async fn delete_unreadable(
        &self,
        key: &ConnectionKey,
    ) -> Result<Option<(Option<WebhookId>, HookToken)>, StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query(
            "SELECT webhook_id, hook_token FROM connections WHERE tenant_id = $1 AND psa = $2",
        )
        .bind(key.tenant.as_str())
        .bind(key.psa.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let token = HookToken::parse(row.try_get::<String, _>("hook_token")?)
            .map_err(|e| StoreError::Corrupt(format!("hook token: {e}")))?;
        let webhook = row.try_get::<Option<i64>, _>("webhook_id")?.map(WebhookId);
        for table in ["webhook_cleanups", "connections"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND psa = $2"
            ))
            .bind(key.tenant.as_str())
            .bind(key.psa.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some((webhook, token)))
    }

    /// Deletes the connection if it is orphaned, so a new one can take its place.
    pub async fn delete_orphaned(&self, key: &ConnectionKey) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let deleted = sqlx::query(
            "DELETE FROM connections WHERE tenant_id = $1 AND psa = $2 AND state = 'orphaned'",
        )
        .bind(key.tenant.as_str())
        .bind(key.psa.as_str())
        .execute(self.pool())
        .await?;
        Ok(deleted.rows_affected() > 0)
    }

    /// Tenants in id order after `after`, with their connections.
    pub async fn tenants(
        &self,
        after: Option<&TenantId>,
        limit: u32,
    ) -> Result<Vec<TenantSummary>, StoreError> {
        let ids = sqlx::query(
            "SELECT tenant_id FROM tenants WHERE tenant_id > $1 ORDER BY tenant_id LIMIT $2",
        )
        .bind(after.map(TenantId::as_str).unwrap_or(""))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        let (first, last): (String, String) = (first.try_get(0)?, last.try_get(0)?);
        let rows = sqlx::query(
            "SELECT tenant_id, psa, state, webhook_id, last_delivery_at FROM connections \
             WHERE tenant_id >= $1 AND tenant_id <= $2 ORDER BY tenant_id, psa",
        )
        .bind(first)
        .bind(last)
        .fetch_all(self.pool())
        .await?;
        let mut tenants = ids
            .iter()
            .map(|row| {
                Ok(TenantSummary {
                    tenant_id: parse_tenant(row.try_get("tenant_id")?)?,
                    connections: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        for row in &rows {
            let tenant: String = row.try_get("tenant_id")?;
            if let Some(summary) = tenants.iter_mut().find(|t| t.tenant_id.as_str() == tenant) {
                summary.connections.push(self.read_summary(row)?);
            }
        }
        Ok(tenants)
    }

    fn read_summary(&self, row: &sqlx::any::AnyRow) -> Result<ConnectionSummary, StoreError> {
        Ok(ConnectionSummary {
            psa: self.psa_of(&row.try_get::<String, _>("psa")?)?,
            state: parse_state(&row.try_get::<String, _>("state")?)?,
            webhook_id: row.try_get::<Option<i64>, _>("webhook_id")?.map(WebhookId),
            last_delivery_at: row
                .try_get::<Option<i64>, _>("last_delivery_at")?
                .map(from_millis),
        })
    }

    /// How many connections each PSA has in each state (for the connections gauge).
    pub async fn connection_states(&self) -> Result<Vec<(PsaName, WebhookState, i64)>, StoreError> {
        let rows =
            sqlx::query("SELECT psa, state, COUNT(*) AS n FROM connections GROUP BY psa, state")
                .fetch_all(self.pool())
                .await?;
        let mut counts = Vec::new();
        for row in &rows {
            // A PSA this build does not serve is not counted (its rows are unreadable).
            let Ok(psa) = self.psa_of(&row.try_get::<String, _>("psa")?) else {
                continue;
            };
            counts.push((
                psa,
                parse_state(&row.try_get::<String, _>("state")?)?,
                row.try_get("n")?,
            ));
        }
        Ok(counts)
    }
}
