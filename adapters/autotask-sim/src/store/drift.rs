//! Webhook changes an administrator makes in Autotask's UI whose deactivation call never
//! arrives (a lost notice), so tests can check that a client heals without being told.

use super::webhook::Webhook;
use super::Store;
use crate::ids::DatabaseId;

impl Store {
    fn webhook_mut(&mut self, db: DatabaseId, id: i64) -> Result<&mut Webhook, String> {
        self.dbs
            .get_mut(&db)
            .ok_or("unknown database")?
            .webhooks
            .get_mut(&id)
            .ok_or_else(|| format!("no webhook {id}"))
    }

    /// Switches `isActive` without the deactivation call.
    pub fn set_webhook_active(
        &mut self,
        db: DatabaseId,
        id: i64,
        active: bool,
    ) -> Result<(), String> {
        let w = self.webhook_mut(db, id)?;
        if active && !w.is_active {
            // Re-enabling starts the failure count afresh, as a PATCH does.
            w.consecutive_failures = 0;
        }
        w.is_active = active;
        Ok(())
    }

    /// Removes a webhook and its field entries; the caller decides about the deactivation call.
    pub fn remove_webhook(&mut self, db: DatabaseId, id: i64) -> Option<Webhook> {
        let database = self.dbs.get_mut(&db)?;
        let w = database.webhooks.remove(&id)?;
        database.fields.retain(|_, f| f.webhook_id != id);
        Some(w)
    }

    /// Removes every Fields entry of a webhook; `isReady` follows the server-managed rule.
    pub fn remove_webhook_fields(&mut self, db: DatabaseId, id: i64) -> Result<(), String> {
        self.webhook_mut(db, id)?;
        let database = self.dbs.get_mut(&db).ok_or("unknown database")?;
        database.fields.retain(|_, f| f.webhook_id != id);
        database.refresh_ready(id);
        Ok(())
    }

    /// Points the webhook at another URL; queued and later callouts go there.
    pub fn set_webhook_url(&mut self, db: DatabaseId, id: i64, url: &str) -> Result<(), String> {
        self.webhook_mut(db, id)?.webhook_url = url.to_string();
        Ok(())
    }
}
