//! Applying a verified callout: deduplicate, record, close the linked events, all in one
//! transaction, so a 2xx is only sent for an effect that is committed.

use psa_proto::{FieldValue, TicketChange, TicketId, WebhookGuid};
use sqlx::Row;

use super::connections::ConnectionKey;
use super::events::CREATED_AT_TOLERANCE_MS;
use super::ordering::{latest, ticket_deliveries};
use super::{lock_tenant, now_millis, to_millis, Store, StoreError};

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
    /// Recorded; the ticket's closure is read from the PSA before anything closes.
    LookupPending,
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
            Self::LookupPending => "lookup_pending",
        }
    }
}

/// A ticket's completion, as a callout or a lookup tells it (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Completion {
    pub ticket: TicketId,
    pub resolution: Option<String>,
    pub closed_at: i64,
    pub created_at: Option<i64>,
}

/// One verified callout to commit: the connection it came for, its dedupe key and what it says.
#[derive(Debug, Clone)]
pub struct CalloutCommit {
    pub key: ConnectionKey,
    pub dedupe_key: String,
    pub change: TicketChange,
}

impl Store {
    /// Records the callout under `dedupe_key` and applies it, committed before this returns.
    /// Callouts arriving together share one transaction (see `group_commit`).
    pub async fn apply_callout(
        &self,
        key: &ConnectionKey,
        dedupe_key: &str,
        change: &TicketChange,
    ) -> Result<CalloutEffect, StoreError> {
        let commit = CalloutCommit {
            key: key.clone(),
            dedupe_key: storable(dedupe_key),
            change: storable_change(change),
        };
        match self.committer() {
            Some(committer) => committer.commit(commit).await,
            None => self.apply_one(&commit).await,
        }
    }

    /// Applies one callout in a transaction of its own.
    pub(super) async fn apply_one(
        &self,
        commit: &CalloutCommit,
    ) -> Result<CalloutEffect, StoreError> {
        let mut effects = self.apply_batch(std::slice::from_ref(commit)).await?;
        effects.pop().unwrap_or(Err(StoreError::Stopped))
    }

    /// Applies `batch` in one transaction, in order; one effect per callout. The batch is
    /// ordered by connection, so each tenant is locked once and, on PostgreSQL, transactions
    /// lock tenants in one order and cannot deadlock. An `Err` means nothing was committed.
    pub(super) async fn apply_batch(
        &self,
        batch: &[CalloutCommit],
    ) -> Result<Vec<Result<CalloutEffect, StoreError>>, StoreError> {
        let now = now_millis();
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        if super::batch::set_based(batch) {
            let effects = self.apply_set(&mut tx, batch).await?;
            tx.commit().await?;
            return Ok(effects.into_iter().map(Ok).collect());
        }
        let mut effects = Vec::with_capacity(batch.len());
        let mut previous: Option<&ConnectionKey> = None;
        for commit in batch {
            if previous.is_none_or(|p| p.tenant != commit.key.tenant) {
                lock_tenant(&mut tx, &commit.key.tenant).await?;
            }
            previous = Some(&commit.key);
        }
        super::batch::touch_connections(&mut tx, batch, now).await?;
        for commit in batch {
            effects.push(Ok(self.apply_in(&mut tx, commit, now).await?));
        }
        tx.commit().await?;
        Ok(effects)
    }

    async fn apply_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        commit: &CalloutCommit,
        now: i64,
    ) -> Result<CalloutEffect, StoreError> {
        let (key, change) = (&commit.key, &commit.change);
        if !insert_delivery(tx, key, &commit.dedupe_key, change, now).await? {
            return Ok(CalloutEffect::Duplicate);
        }
        let effect = if change.needs_lookup {
            CalloutEffect::LookupPending
        } else if change.is_completion() {
            self.close_linked(tx, key, change, now).await?
        } else {
            CalloutEffect::Recorded
        };
        set_outcome(tx, key, &commit.dedupe_key, effect).await?;
        Ok(effect)
    }

    /// A completion closes the open events linked to its ticket, unless a later callout about
    /// the ticket (a reopening) outranks it: retries arrive out of order.
    async fn close_linked(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        key: &ConnectionKey,
        change: &TicketChange,
        now: i64,
    ) -> Result<CalloutEffect, StoreError> {
        let delivered = ticket_deliveries(tx, &key.tenant, Some(key.psa), change.ticket_id).await?;
        if latest(&delivered).is_some_and(|latest| !latest.completed) {
            return Ok(CalloutEffect::Superseded);
        }
        let completion = Completion {
            ticket: change.ticket_id,
            resolution: change.resolution.as_set().cloned(),
            closed_at: change.completed_at.as_set().copied().map_or(now, to_millis),
            created_at: change.ticket_created_at.as_set().copied().map(to_millis),
        };
        self.close_events(tx, key, &completion).await
    }

    /// Closes the open events of `key`'s tenant linked to the ticket in this PSA (or in any of
    /// the tenant's PSAs, for events linked without one), whose create date matches.
    pub(super) async fn close_events(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        key: &ConnectionKey,
        completion: &Completion,
    ) -> Result<CalloutEffect, StoreError> {
        let closed = sqlx::query(
            "UPDATE events SET status = 'closed', resolution = $4, closed_at = $5 \
             WHERE tenant_id = $1 AND (psa = $2 OR psa IS NULL) AND ticket_id = $3 \
               AND status = 'open' AND (ticket_created_at IS NULL OR $6 IS NULL \
                    OR ABS(ticket_created_at - $6) <= $7)",
        )
        .bind(key.tenant.as_str())
        .bind(key.psa.as_str())
        .bind(completion.ticket.0)
        .bind(completion.resolution.clone())
        .bind(completion.closed_at)
        .bind(completion.created_at)
        .bind(CREATED_AT_TOLERANCE_MS)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if closed > 0 {
            return Ok(CalloutEffect::Closed { events: closed });
        }
        let rows = sqlx::query(
            "SELECT status FROM events WHERE tenant_id = $1 AND (psa = $2 OR psa IS NULL) \
             AND ticket_id = $3",
        )
        .bind(key.tenant.as_str())
        .bind(key.psa.as_str())
        .bind(completion.ticket.0)
        .fetch_all(&mut **tx)
        .await?;
        let statuses: Vec<String> = rows
            .iter()
            .map(|row| row.try_get("status"))
            .collect::<Result<_, _>>()?;
        Ok(unclosed_effect(statuses.iter().map(String::as_str)))
    }
}

/// What a completion that closed nothing did, from the statuses of the events linked to its
/// ticket: none linked, every one already closed, or some open with another create date.
pub(super) fn unclosed_effect<'a>(mut statuses: impl Iterator<Item = &'a str>) -> CalloutEffect {
    let Some(first) = statuses.next() else {
        return CalloutEffect::Unlinked;
    };
    if first == "closed" && statuses.all(|status| status == "closed") {
        CalloutEffect::AlreadyClosed
    } else {
        CalloutEffect::CreatedAtMismatch
    }
}

pub(super) async fn set_outcome(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &ConnectionKey,
    dedupe_key: &str,
    effect: CalloutEffect,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE deliveries SET outcome = $4 WHERE tenant_id = $1 AND psa = $2 AND dedupe_key = $3",
    )
    .bind(key.tenant.as_str())
    .bind(key.psa.as_str())
    .bind(dedupe_key.to_owned())
    .bind(effect.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `text` as both databases store it: PostgreSQL refuses the NUL character in text (SQLite
/// keeps it), and a callout refused for it would be delivered again forever.
pub(super) fn storable(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

/// The callout's free texts made [`storable`].
fn storable_change(change: &TicketChange) -> TicketChange {
    let mut change = change.clone();
    if let FieldValue::Set(resolution) = &change.resolution {
        change.resolution = FieldValue::Set(storable(resolution));
    }
    change.webhook_guid = change
        .webhook_guid
        .map(|guid| WebhookGuid::new(storable(guid.as_str())));
    change
}

/// Records the delivery; `false` when the same one was recorded before.
async fn insert_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: &ConnectionKey,
    dedupe_key: &str,
    change: &TicketChange,
    now: i64,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO deliveries (tenant_id, psa, dedupe_key, ticket_id, action, completed, \
           resolution, completed_at, ticket_created_at, received_at, outcome, webhook_guid, \
           sequence_number, event_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13) \
         ON CONFLICT (tenant_id, psa, dedupe_key) DO NOTHING",
    )
    .bind(key.tenant.as_str())
    .bind(key.psa.as_str())
    .bind(dedupe_key.to_owned())
    .bind(change.ticket_id.0)
    .bind(change.action.as_str())
    .bind(i64::from(change.is_completion() && !change.needs_lookup))
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
