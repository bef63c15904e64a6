//! Rows written before credentials were one document (migration 0003): psa-hub, which holds
//! the master key, turns their separate credential columns into the document at start, once.

use psa_proto::{ConnectionInput, PsaName};
use sqlx::Row;

use super::{Store, StoreError};

/// How a PSA builds its credentials document, owner and public part from the columns rows had
/// before: a username, a secret and an integration code (the notification address stays in
/// its own column, so the input's is ignored).
#[derive(Debug, Clone, Copy)]
pub struct LegacyUpgrade {
    /// The PSA those rows belong to.
    pub psa: PsaName,
    pub convert: fn(&str, &str, &str) -> ConnectionInput,
}

impl Store {
    /// Converts every connection and clean-up still in the old form; returns how many.
    pub async fn upgrade_legacy(&self, upgrade: &LegacyUpgrade) -> Result<u64, StoreError> {
        let mut converted = 0;
        for table in ["connections", "webhook_cleanups"] {
            converted += self.upgrade_table(table, upgrade).await?;
        }
        Ok(converted)
    }

    async fn upgrade_table(&self, table: &str, upgrade: &LegacyUpgrade) -> Result<u64, StoreError> {
        let sql = format!(
            "SELECT tenant_id, hook_token, username, secret_sealed, integration_code_sealed \
             FROM {table} WHERE credentials_sealed IS NULL AND username IS NOT NULL \
               AND psa IN ($1, '')"
        );
        let rows = sqlx::query(&sql)
            .bind(upgrade.psa.as_str())
            .fetch_all(self.pool())
            .await?;
        let mut converted = 0;
        for row in &rows {
            let username: String = row.try_get("username")?;
            let secret = self
                .key()
                .open(&row.try_get::<String, _>("secret_sealed")?)?;
            let code = self
                .key()
                .open(&row.try_get::<String, _>("integration_code_sealed")?)?;
            let ConnectionInput {
                credentials,
                owner,
                public,
                ..
            } = (upgrade.convert)(&username, &secret, &code);
            let sql = format!(
                "UPDATE {table} SET psa = $3, credentials_sealed = $4, owner = $5, \
                   public_json = $7, username = NULL, secret_sealed = NULL, \
                   integration_code_sealed = NULL \
                 WHERE tenant_id = $1 AND hook_token = $2 AND username = $6 \
                   AND credentials_sealed IS NULL"
            );
            let sql = if table == "connections" {
                sql
            } else {
                // Clean-ups have no public part.
                sql.replace("public_json = $7, ", "")
            };
            let _turn = self.write_turn().await;
            let mut query = sqlx::query(&sql)
                .bind(row.try_get::<String, _>("tenant_id")?)
                .bind(row.try_get::<String, _>("hook_token")?)
                .bind(upgrade.psa.as_str())
                .bind(self.key().seal(&credentials.expose().to_string()))
                .bind(owner)
                // Clean-ups of several replaced API users can share one hook token.
                .bind(username);
            if table == "connections" {
                query = query.bind(serde_json::Value::Object(public).to_string());
            }
            converted += query.execute(self.pool()).await?.rows_affected();
        }
        Ok(converted)
    }
}
