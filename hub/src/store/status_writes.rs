//! Writes to a connection's row after it exists: the webhook status the connection actor
//! learned, and credentials a PUT replaces. Each is conditional, so a write based on a stale read
//! changes nothing and says so.

use psa_proto::{Credentials, WebhookId};
use serde_json::{Map, Value};

use super::cleanups::insert_cleanup;
use super::connections::{ConnectionKey, ConnectionRecord};
use super::{now_millis, to_millis, Store, StoreError};

/// A PUT's change of an existing connection's credentials.
#[derive(Debug)]
pub struct CredentialUpdate<'a> {
    pub key: &'a ConnectionKey,
    /// The `credentials_version` the change was decided on; another change since wins.
    pub expected_version: i64,
    pub credentials: &'a Credentials,
    pub owner: &'a str,
    pub public: &'a Map<String, Value>,
    pub notification_email: Option<&'a str>,
    /// Mark the connection `registering`, so the setup asked for next survives a restart.
    pub setup_pending: bool,
    /// The connection as read, when its webhook belongs to the owner being replaced: that
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
            "UPDATE connections SET state = $4, webhook_id = $5, webhook_guid = $6, zone = $7, \
               last_error_code = $8, last_error_message = $9, last_error_fix = $10, \
               failing_since = $11, last_check_at = $12, last_repair_at = $13, \
               last_repair = $14, updated_at = $15 \
             WHERE tenant_id = $1 AND psa = $2 AND hook_token = $3 AND credentials_version = $16",
        )
        .bind(record.key.tenant.as_str())
        .bind(record.key.psa.as_str())
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
            "UPDATE connections SET credentials_sealed = $3, owner = $4, public_json = $5, \
               notification_email = $6, updated_at = $7, \
               state = CASE WHEN $8 = 1 THEN 'registering' ELSE state END, \
               webhook_id = CASE WHEN $9 = 1 THEN NULL ELSE webhook_id END, \
               webhook_guid = CASE WHEN $9 = 1 THEN NULL ELSE webhook_guid END, \
               credentials_version = credentials_version + 1 \
             WHERE tenant_id = $1 AND psa = $2 AND credentials_version = $10 \
               AND state NOT IN ('removing', 'orphaned') \
               AND ($9 = 0 OR webhook_id = $11)",
        )
        .bind(update.key.tenant.as_str())
        .bind(update.key.psa.as_str())
        .bind(self.key().seal(&update.credentials.expose().to_string()))
        .bind(update.owner.to_owned())
        .bind(Value::Object(update.public.clone()).to_string())
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

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use psa_proto::{HookToken, PsaName, TenantId, WebhookSecret, WebhookState};
    use serde_json::json;

    use super::*;
    use crate::config::DatabaseSettings;
    use crate::crypto::MasterKey;

    const PSA: PsaName = PsaName::new("examplepsa");

    async fn store(dir: &tempfile::TempDir) -> Store {
        let settings = DatabaseSettings {
            url: format!("sqlite://{}", dir.path().join("t.db").display()),
            max_connections: 2,
            delivery_retention: std::time::Duration::from_secs(86_400),
        };
        Store::open(&settings, MasterKey::generate(), vec![PSA])
            .await
            .expect("opens")
    }

    fn credentials(user: &str) -> Credentials {
        Credentials::new(json!({"user": user, "secret": "secret-1"}))
    }

    fn record(user: &str) -> ConnectionRecord {
        let now = Utc::now();
        ConnectionRecord {
            key: ConnectionKey {
                tenant: TenantId::parse("t-1").expect("id"),
                psa: PSA,
            },
            credentials: credentials(user),
            owner: user.to_owned(),
            public: Map::new(),
            notification_email: None,
            hook_token: HookToken::parse("token-1").expect("token"),
            webhook_secret: WebhookSecret::new("hook-secret"),
            state: WebhookState::Active,
            webhook_id: Some(WebhookId(177)),
            webhook_guid: None,
            zone: None,
            last_error: None,
            last_delivery_at: None,
            created_at: now,
            updated_at: now,
            credentials_version: 0,
            failing_since: None,
            last_check_at: None,
            last_repair: None,
        }
    }

    #[tokio::test]
    async fn a_credential_change_based_on_a_stale_read_changes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let store = store(&dir).await;
        let old = record("old@msp.example");
        assert!(store.insert_connection(&old).await.expect("inserts"));
        store.save_webhook_status(&old).await.expect("saves");
        let key = old.key.clone();
        let public = Map::new();
        let update = |version, creds, owner| CredentialUpdate {
            key: &key,
            expected_version: version,
            credentials: creds,
            owner,
            public: &public,
            notification_email: None,
            setup_pending: true,
            replaced: Some(&old),
        };
        let new = credentials("new@msp.example");
        let changed = update(0, &new, "new@msp.example");
        assert!(store.update_credentials(changed).await.expect("ok"));
        // A second writer that read version 0 too loses, and its values are not written.
        let other = credentials("other@msp.example");
        let stale = update(0, &other, "other@msp.example");
        assert!(!store.update_credentials(stale).await.expect("ok"));
        let stored = store.connection(&key).await.expect("reads").expect("row");
        assert_eq!(stored.credentials, new);
        assert_eq!(stored.owner, "new@msp.example");
        assert_eq!(stored.credentials_version, 1);
        assert_eq!(stored.state, WebhookState::Registering);
        assert_eq!(
            stored.webhook_id, None,
            "the old owner's webhook moved to a clean-up"
        );
        let cleanups = store.cleanups(&key).await.expect("reads");
        assert_eq!(cleanups.len(), 1);
        assert_eq!(cleanups[0].webhook_id, WebhookId(177));
        assert_eq!(cleanups[0].owner, "old@msp.example");
        assert_eq!(cleanups[0].credentials, credentials("old@msp.example"));

        // The actor's write based on the old version is refused too.
        assert!(!store.save_webhook_status(&old).await.expect("ok"));
    }
}
