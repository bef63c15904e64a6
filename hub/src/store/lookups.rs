//! Callouts that could not say enough (the resolution is in a note, say; a summarized
//! entity may not even say whether the ticket closed): recorded at once, then resolved by the
//! connection actor, which reads the ticket's closure from the PSA. A pending lookup survives
//! restarts: it is a delivery row with its outcome still `lookup_pending`.

use chrono::Utc;
use std::collections::HashSet;

use psa_proto::{TenantId, TicketClosure, TicketId};
use sqlx::Row;

use super::callouts::{set_outcome, CalloutEffect, Completion};
use super::connections::ConnectionKey;
use super::{lock_tenant, to_millis, Store, StoreError};

/// A callout whose ticket must be read before it can close anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLookup {
    pub dedupe_key: String,
    pub ticket: TicketId,
}

impl Store {
    /// Every connection with work waiting (a clean-up not given up, or a ticket lookup), in two
    /// queries for all: read once at start instead of by each connection's actor.
    pub async fn keys_with_pending_work(&self) -> Result<HashSet<ConnectionKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT tenant_id, psa FROM webhook_cleanups WHERE gave_up = 0 \
             UNION SELECT DISTINCT tenant_id, psa FROM deliveries WHERE outcome = 'lookup_pending'",
        )
        .fetch_all(self.pool())
        .await?;
        let mut keys = HashSet::with_capacity(rows.len());
        for row in rows {
            let tenant = TenantId::parse(row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Corrupt(format!("tenant id: {e}")))?;
            // A row of a PSA this hub does not serve has no actor to resume.
            if let Ok(psa) = self.psa_of(&row.try_get::<String, _>(1)?) {
                keys.insert(ConnectionKey { tenant, psa });
            }
        }
        Ok(keys)
    }

    /// The connection's pending lookups, oldest first.
    pub async fn pending_lookups(
        &self,
        key: &ConnectionKey,
        limit: u32,
    ) -> Result<Vec<PendingLookup>, StoreError> {
        let rows = sqlx::query(
            "SELECT dedupe_key, ticket_id FROM deliveries WHERE tenant_id = $1 AND psa = $2 \
             AND outcome = 'lookup_pending' ORDER BY received_at LIMIT $3",
        )
        .bind(key.tenant.as_str())
        .bind(key.psa.as_str())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PendingLookup {
                    dedupe_key: row.try_get("dedupe_key")?,
                    ticket: TicketId(row.try_get("ticket_id")?),
                })
            })
            .collect()
    }

    /// Applies what the PSA said of the ticket: closed, it closes the linked open events with
    /// its resolution; the delivery keeps what was read, so a later link finds it.
    pub async fn apply_lookup(
        &self,
        key: &ConnectionKey,
        pending: &PendingLookup,
        closure: &TicketClosure,
    ) -> Result<CalloutEffect, StoreError> {
        let closed_at = closure.closed_at.map(to_millis);
        let created_at = closure.created_at.map(to_millis);
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        lock_tenant(&mut tx, &key.tenant).await?;
        sqlx::query(
            "UPDATE deliveries SET completed = $4, resolution = $5, completed_at = $6, \
               ticket_created_at = COALESCE($7, ticket_created_at), event_time = $8 \
             WHERE tenant_id = $1 AND psa = $2 AND dedupe_key = $3",
        )
        .bind(key.tenant.as_str())
        .bind(key.psa.as_str())
        .bind(pending.dedupe_key.clone())
        .bind(i64::from(closure.closed))
        .bind(closure.resolution.as_deref().map(super::callouts::storable))
        .bind(closed_at)
        .bind(created_at)
        .bind(Utc::now().timestamp_millis())
        .execute(&mut *tx)
        .await?;
        let effect = if closure.closed {
            let completion = Completion {
                ticket: pending.ticket,
                resolution: closure.resolution.as_deref().map(super::callouts::storable),
                closed_at: closed_at.unwrap_or_else(|| Utc::now().timestamp_millis()),
                created_at,
            };
            self.close_events(&mut tx, key, &completion).await?
        } else {
            CalloutEffect::Recorded
        };
        set_outcome(&mut tx, key, &pending.dedupe_key, effect).await?;
        tx.commit().await?;
        Ok(effect)
    }
}
