//! Events and their ticket links: linking, reading, and the close a completion callout applies.

use chrono::{DateTime, Utc};
use psa_proto::{EventId, PsaName, TenantId, TicketId};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::ordering::{latest, ticket_deliveries};
use super::{ensure_and_lock_tenant, from_millis, now_millis, to_millis, Store, StoreError};

/// Create dates within this distance are the same ticket: PSAs report them to the second or
/// better, and the product may have read its copy from a differently rounded field.
pub(crate) const CREATED_AT_TOLERANCE_MS: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Open,
    Closed,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub event_id: EventId,
    pub ticket_id: TicketId,
    /// The PSA the ticket is in; `None` when linked without one (any of the tenant's PSAs).
    pub psa: Option<String>,
    pub ticket_created_at: Option<DateTime<Utc>>,
    pub status: EventStatus,
    pub resolution: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub linked_at: DateTime<Utc>,
}

/// What linking an event found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// A new link; `status` is already closed when the ticket's completion arrived first.
    Created(EventRecord),
    /// The same link existed.
    Existing(EventRecord),
    /// The event is linked to another ticket; nothing changed.
    Conflict(EventRecord),
}

const COLUMNS: &str =
    "event_id, ticket_id, psa, ticket_created_at, status, resolution, closed_at, linked_at";

/// A new link of an event to its ticket.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub tenant: TenantId,
    /// The PSA the ticket is in, when the tenant has (or said) one.
    pub psa: Option<PsaName>,
    pub event: EventId,
    pub ticket: TicketId,
    pub ticket_created_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Links an event to its ticket. A completion already received for that ticket closes the
    /// event at once, so a callout that beat the link is not lost.
    pub async fn link_event(&self, link: &NewLink) -> Result<LinkOutcome, StoreError> {
        let NewLink {
            tenant,
            psa,
            event,
            ticket,
            ticket_created_at,
        } = link;
        let (ticket, ticket_created_at) = (*ticket, *ticket_created_at);
        let now = now_millis();
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        ensure_and_lock_tenant(&mut tx, tenant).await?;
        let sql = format!("SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND event_id = $2");
        let existing = sqlx::query(&sql)
            .bind(tenant.as_str())
            .bind(event.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            let record = read_event(&row)?;
            tx.commit().await?;
            let same = record.ticket_id == ticket
                && (psa.is_none() || record.psa.as_deref() == psa.map(PsaName::as_str))
                && (ticket_created_at.is_none()
                    || record.ticket_created_at.map(to_millis) == ticket_created_at.map(to_millis));
            return Ok(if same {
                LinkOutcome::Existing(record)
            } else {
                LinkOutcome::Conflict(record)
            });
        }
        let record = new_link(&mut tx, link, now).await?;
        tx.commit().await?;
        Ok(LinkOutcome::Created(record))
    }

    pub async fn event(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<Option<EventRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND event_id = $2");
        let row = sqlx::query(&sql)
            .bind(tenant.as_str())
            .bind(event.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| read_event(&row)).transpose()
    }

    /// A tenant's events in id order after `after`.
    pub async fn events(
        &self,
        tenant: &TenantId,
        after: Option<&EventId>,
        limit: u32,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM events WHERE tenant_id = $1 AND event_id > $2 \
             ORDER BY event_id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(tenant.as_str())
            .bind(after.map(EventId::as_str).unwrap_or(""))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(read_event).collect()
    }
}

/// Inserts a new link, closed at once when the latest callout about the ticket completed it.
async fn new_link(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    link: &NewLink,
    now: i64,
) -> Result<EventRecord, StoreError> {
    let NewLink {
        tenant,
        psa,
        event,
        ticket,
        ticket_created_at,
    } = link;
    let ticket = *ticket;
    let created_ms = ticket_created_at.map(to_millis);
    let delivered = ticket_deliveries(tx, tenant, *psa, ticket).await?;
    let (resolution, closed_at) = latest(&delivered)
        .filter(|d| d.completed && created_matches(created_ms, d.ticket_created_at))
        .map_or((None, None), |d| {
            (
                d.resolution.clone(),
                Some(d.completed_at.unwrap_or(d.received_at)),
            )
        });
    let status = if closed_at.is_some() {
        EventStatus::Closed
    } else {
        EventStatus::Open
    };
    sqlx::query(
        "INSERT INTO events (tenant_id, event_id, ticket_id, psa, ticket_created_at, status, \
           resolution, closed_at, linked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(tenant.as_str())
    .bind(event.as_str())
    .bind(ticket.0)
    .bind(psa.map(|p| p.as_str().to_owned()))
    .bind(created_ms)
    .bind(status.as_str())
    .bind(resolution.clone())
    .bind(closed_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(EventRecord {
        event_id: event.clone(),
        ticket_id: ticket,
        psa: psa.map(|p| p.as_str().to_owned()),
        ticket_created_at: created_ms.map(from_millis),
        status,
        resolution,
        closed_at: closed_at.map(from_millis),
        linked_at: from_millis(now),
    })
}

/// Unknown on either side means no evidence against the match.
pub(crate) fn created_matches(linked: Option<i64>, seen: Option<i64>) -> bool {
    match (linked, seen) {
        (Some(a), Some(b)) => (a - b).abs() <= CREATED_AT_TOLERANCE_MS,
        _ => true,
    }
}

fn read_event(row: &AnyRow) -> Result<EventRecord, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(EventRecord {
        event_id: EventId::parse(row.try_get::<String, _>("event_id")?)
            .map_err(|e| StoreError::Corrupt(format!("event id: {e}")))?,
        ticket_id: TicketId(row.try_get("ticket_id")?),
        psa: row.try_get("psa")?,
        ticket_created_at: row
            .try_get::<Option<i64>, _>("ticket_created_at")?
            .map(from_millis),
        status: match status.as_str() {
            "open" => EventStatus::Open,
            "closed" => EventStatus::Closed,
            other => return Err(StoreError::Corrupt(format!("event status {other:?}"))),
        },
        resolution: row.try_get("resolution")?,
        closed_at: row.try_get::<Option<i64>, _>("closed_at")?.map(from_millis),
        linked_at: from_millis(row.try_get("linked_at")?),
    })
}
