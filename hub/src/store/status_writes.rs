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

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use psa_proto::{HookToken, WebhookSecret, WebhookState};

    use super::*;
    use crate::config::DatabaseSettings;
    use crate::crypto::MasterKey;

    async fn store(dir: &tempfile::TempDir) -> Store {
        let settings = DatabaseSettings {
            url: format!("sqlite://{}", dir.path().join("t.db").display()),
            max_connections: 2,
            delivery_retention: std::time::Duration::from_secs(86_400),
        };
        Store::open(&settings, MasterKey::generate())
            .await
            .expect("opens")
    }

    fn record(username: &str) -> ConnectionRecord {
        let now = Utc::now();
        ConnectionRecord {
            tenant_id: TenantId::parse("t-1").expect("id"),
            credentials: Credentials {
                username: username.into(),
                secret: "secret-1".into(),
                integration_code: "code-1".into(),
            },
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
        let tenant = old.tenant_id.clone();
        let new = Credentials {
            username: "new@msp.example".into(),
            ..old.credentials.clone()
        };
        let update = |version, creds| CredentialUpdate {
            tenant: &tenant,
            expected_version: version,
            credentials: creds,
            notification_email: None,
            setup_pending: true,
            replaced: Some(&old),
        };
        assert!(store.update_credentials(update(0, &new)).await.expect("ok"));
        // A second writer that read version 0 too loses, and its values are not written.
        let other = Credentials {
            username: "other@msp.example".into(),
            ..old.credentials.clone()
        };
        assert!(!store
            .update_credentials(update(0, &other))
            .await
            .expect("ok"));
        let stored = store
            .connection(&tenant)
            .await
            .expect("reads")
            .expect("row");
        assert_eq!(stored.credentials.username, "new@msp.example");
        assert_eq!(stored.credentials_version, 1);
        assert_eq!(stored.state, WebhookState::Registering);
        assert_eq!(
            stored.webhook_id, None,
            "the old user's webhook moved to a clean-up"
        );
        let cleanups = store.cleanups(&tenant).await.expect("reads");
        assert_eq!(cleanups.len(), 1);
        assert_eq!(cleanups[0].webhook_id, WebhookId(177));
        assert_eq!(cleanups[0].credentials.username, "old@msp.example");
        assert_eq!(cleanups[0].credentials.secret, "secret-1");

        // The actor's write based on the old version is refused too.
        assert!(!store.save_webhook_status(&old).await.expect("ok"));
    }
}
