//! Applying a verified callout: deduplicate, record, close the linked events, all in one
//! transaction, so a 2xx is only sent for an effect that is committed.

use psa_proto::{TenantId, TicketChange};
use sha1::{Digest, Sha1};
use sqlx::Row;

use super::events::CREATED_AT_TOLERANCE_MS;
use super::ordering::{latest, ticket_deliveries};
use super::{lock_tenant, now_millis, to_millis, Store, StoreError};

/// What identifies one delivery: the webhook's Guid, the ticket id and the SequenceNumber when
/// the callout has them (Autotask retries carry the same values; the ticket id is part of the key
/// because whether SequenceNumber counts per webhook or per entity is not documented), otherwise
/// a digest of the body's dedupe form (see [`psa_proto::CalloutFormat::dedupe_form`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DedupeKey(String);

impl DedupeKey {
    /// `body` is the callout's dedupe form, not its raw bytes.
    pub fn for_change(change: &TicketChange, body: &[u8]) -> Self {
        match (&change.webhook_guid, change.sequence_number) {
            (Some(guid), Some(seq)) => Self(format!("{guid}:{}:{seq}", change.ticket_id)),
            _ => {
                let digest = Sha1::digest(body);
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                Self(format!("sha1:{hex}"))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a callout did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutEffect {
    /// The same delivery was applied before; nothing changed.
    Duplicate,
    /// Linked open events were closed.
    Closed { events: u64 },
    /// Every event linked to the ticket was already closed.
    AlreadyClosed,
    /// No event is linked to the ticket (yet); the completion is kept for a later link.
    Unlinked,
    /// Events are linked to the ticket id but with another create date: not this ticket.
    CreatedAtMismatch,
    /// Not a completion (e.g. a reopening); recorded only.
    Recorded,
    /// A completion outranked by a later callout about the ticket (a reopening that arrived
    /// first, as retries come out of order); recorded only.
    Superseded,
}

impl CalloutEffect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Closed { .. } => "closed",
            Self::AlreadyClosed => "already_closed",
            Self::Unlinked => "unlinked",
            Self::CreatedAtMismatch => "created_at_mismatch",
            Self::Recorded => "recorded",
            Self::Superseded => "superseded",
        }
    }
}

impl Store {
    pub async fn apply_callout(
        &self,
        tenant: &TenantId,
        key: &DedupeKey,
        change: &TicketChange,
    ) -> Result<CalloutEffect, StoreError> {
        let now = now_millis();
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        lock_tenant(&mut tx, tenant).await?;
        if !insert_delivery(&mut tx, tenant, key, change, now).await? {
            tx.rollback().await?;
            return Ok(CalloutEffect::Duplicate);
        }
        let effect = if change.is_completion() {
            self.close_linked(&mut tx, tenant, change, now).await?
        } else {
            CalloutEffect::Recorded
        };
        sqlx::query("UPDATE deliveries SET outcome = $3 WHERE tenant_id = $1 AND dedupe_key = $2")
            .bind(tenant.as_str())
            .bind(key.as_str())
            .bind(effect.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE connections SET last_delivery_at = $2 WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(effect)
    }

    /// A completion closes the open events linked to its ticket, unless a later callout about
    /// the ticket (a reopening) outranks it: retries arrive out of order.
    async fn close_linked(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        tenant: &TenantId,
        change: &TicketChange,
        now: i64,
    ) -> Result<CalloutEffect, StoreError> {
        let delivered = ticket_deliveries(tx, tenant, change.ticket_id).await?;
        if latest(&delivered).is_some_and(|latest| !latest.completed) {
            return Ok(CalloutEffect::Superseded);
        }
        let created_at = change.ticket_created_at.as_set().copied().map(to_millis);
        let closed = sqlx::query(
            "UPDATE events SET status = 'closed', resolution = $3, closed_at = $4 \
             WHERE tenant_id = $1 AND ticket_id = $2 AND status = 'open' \
               AND (ticket_created_at IS NULL OR $5 IS NULL \
                    OR ABS(ticket_created_at - $5) <= $6)",
        )
        .bind(tenant.as_str())
        .bind(change.ticket_id.0)
        .bind(change.resolution.as_set().cloned())
        .bind(change.completed_at.as_set().copied().map_or(now, to_millis))
        .bind(created_at)
        .bind(CREATED_AT_TOLERANCE_MS)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if closed > 0 {
            Ok(CalloutEffect::Closed { events: closed })
        } else {
            self.why_nothing_closed(tx, tenant, change).await
        }
    }

    async fn why_nothing_closed(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        tenant: &TenantId,
        change: &TicketChange,
    ) -> Result<CalloutEffect, StoreError> {
        let rows = sqlx::query("SELECT status FROM events WHERE tenant_id = $1 AND ticket_id = $2")
            .bind(tenant.as_str())
            .bind(change.ticket_id.0)
            .fetch_all(&mut **tx)
            .await?;
        if rows.is_empty() {
            return Ok(CalloutEffect::Unlinked);
        }
        let mut all_closed = true;
        for row in &rows {
            all_closed &= row.try_get::<String, _>("status")? == "closed";
        }
        Ok(if all_closed {
            CalloutEffect::AlreadyClosed
        } else {
            CalloutEffect::CreatedAtMismatch
        })
    }
}

/// Records the delivery; `false` when the same one was recorded before.
async fn insert_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &TenantId,
    key: &DedupeKey,
    change: &TicketChange,
    now: i64,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO deliveries (tenant_id, dedupe_key, ticket_id, action, completed, \
           resolution, completed_at, ticket_created_at, received_at, outcome, webhook_guid, \
           sequence_number, event_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12) \
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(key.as_str())
    .bind(change.ticket_id.0)
    .bind(change.action.as_str())
    .bind(i64::from(change.is_completion()))
    .bind(change.resolution.as_set().cloned())
    .bind(change.completed_at.as_set().copied().map(to_millis))
    .bind(change.ticket_created_at.as_set().copied().map(to_millis))
    .bind(now)
    .bind(change.webhook_guid.as_ref().map(|g| g.as_str().to_owned()))
    .bind(change.sequence_number)
    .bind(change.event_time.map(to_millis))
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() > 0)
}
