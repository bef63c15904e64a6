//! Reading a stored connection row into a [`ConnectionRecord`], opening its sealed secrets.

use psa_proto::{
    Credentials, Drift, HookToken, TenantId, WebhookGuid, WebhookId, WebhookSecret, WebhookState,
};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::connections::{ConnectionKey, ConnectionRecord, LastError, LastRepair};
use super::{from_millis, Store, StoreError};

/// The columns [`Store::read_connection`] needs, in a SELECT list.
pub(super) const COLUMNS: &str = "tenant_id, psa, owner, public_json, credentials_sealed, \
    notification_email, hook_token, webhook_secret_sealed, state, webhook_id, webhook_guid, zone, \
    last_error_code, last_error_message, last_error_fix, last_delivery_at, created_at, updated_at, \
    credentials_version, failing_since, last_check_at, last_repair_at, last_repair";

impl Store {
    pub(super) fn read_connection(&self, row: &AnyRow) -> Result<ConnectionRecord, StoreError> {
        let key = self.key();
        let sealed: Option<String> = row.try_get("credentials_sealed")?;
        // Only rows from before credentials were one document lack it, until upgraded.
        let sealed = sealed.ok_or_else(|| {
            StoreError::Corrupt("the connection's credentials were never converted".into())
        })?;
        let credentials: Value = serde_json::from_str(&key.open(&sealed)?)
            .map_err(|e| StoreError::Corrupt(format!("credentials: {e}")))?;
        Ok(ConnectionRecord {
            key: ConnectionKey {
                tenant: parse_tenant(row.try_get("tenant_id")?)?,
                psa: self.psa_of(&row.try_get::<String, _>("psa")?)?,
            },
            credentials: Credentials::new(credentials),
            owner: row
                .try_get::<Option<String>, _>("owner")?
                .unwrap_or_default(),
            public: read_public(row)?,
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
            last_error: read_last_error(row)?,
            last_delivery_at: millis(row, "last_delivery_at")?,
            created_at: from_millis(row.try_get("created_at")?),
            updated_at: from_millis(row.try_get("updated_at")?),
            credentials_version: row.try_get("credentials_version")?,
            failing_since: millis(row, "failing_since")?,
            last_check_at: millis(row, "last_check_at")?,
            last_repair: read_repair(row)?,
        })
    }
}

fn read_public(row: &AnyRow) -> Result<Map<String, Value>, StoreError> {
    let text: Option<String> = row.try_get("public_json")?;
    match text.map(|t| serde_json::from_str::<Value>(&t)) {
        None => Ok(Map::new()),
        Some(Ok(Value::Object(map))) => Ok(map),
        Some(_) => Err(StoreError::Corrupt(
            "public_json is not a JSON object".into(),
        )),
    }
}

fn read_last_error(row: &AnyRow) -> Result<Option<LastError>, StoreError> {
    let Some(code) = row.try_get::<Option<String>, _>("last_error_code")? else {
        return Ok(None);
    };
    Ok(Some(LastError {
        code,
        message: row
            .try_get::<Option<String>, _>("last_error_message")?
            .unwrap_or_default(),
        fix: row
            .try_get::<Option<String>, _>("last_error_fix")?
            .unwrap_or_default(),
    }))
}

fn millis(row: &AnyRow, column: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(from_millis))
}

fn read_repair(row: &AnyRow) -> Result<Option<LastRepair>, StoreError> {
    let Some(at) = millis(row, "last_repair_at")? else {
        return Ok(None);
    };
    let names: Option<String> = row.try_get("last_repair")?;
    // A name this build does not know (written by a newer one) is skipped, not an error.
    let drifts = names
        .unwrap_or_default()
        .split(',')
        .filter_map(Drift::from_name)
        .collect();
    Ok(Some(LastRepair { at, drifts }))
}

pub(super) fn parse_tenant(value: String) -> Result<TenantId, StoreError> {
    TenantId::parse(value).map_err(|e| StoreError::Corrupt(format!("tenant id: {e}")))
}

pub(super) fn parse_state(value: &str) -> Result<WebhookState, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("unknown webhook state {value:?}")))
}
