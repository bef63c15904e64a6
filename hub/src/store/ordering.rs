//! Which of the callouts received about one ticket is the latest: retries arrive out of order,
//! so arrival time does not tell. Within one webhook its SequenceNumber does (then EventTime);
//! a webhook registered later (a repair or a new API user) outranks an earlier one, whose
//! numbering it does not continue.

use std::collections::HashMap;

use psa_proto::{TenantId, TicketId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::StoreError;

/// What the delivery log kept of one callout about the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub webhook_guid: Option<String>,
    pub sequence_number: Option<i64>,
    /// Unix milliseconds.
    pub event_time: Option<i64>,
    pub received_at: i64,
    pub completed: bool,
    pub resolution: Option<String>,
    pub completed_at: Option<i64>,
    pub ticket_created_at: Option<i64>,
}

/// Every callout kept about `ticket`, read inside the caller's transaction.
pub(super) async fn ticket_deliveries(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &TenantId,
    ticket: TicketId,
) -> Result<Vec<Delivered>, StoreError> {
    let rows = sqlx::query(
        "SELECT webhook_guid, sequence_number, event_time, received_at, completed, \
           resolution, completed_at, ticket_created_at \
         FROM deliveries WHERE tenant_id = $1 AND ticket_id = $2",
    )
    .bind(tenant.as_str())
    .bind(ticket.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(read_delivered).collect()
}

fn read_delivered(row: &AnyRow) -> Result<Delivered, StoreError> {
    Ok(Delivered {
        webhook_guid: row.try_get("webhook_guid")?,
        sequence_number: row.try_get("sequence_number")?,
        event_time: row.try_get("event_time")?,
        received_at: row.try_get("received_at")?,
        completed: row.try_get::<i64, _>("completed")? == 1,
        resolution: row.try_get("resolution")?,
        completed_at: row.try_get("completed_at")?,
        ticket_created_at: row.try_get("ticket_created_at")?,
    })
}

/// The latest of `deliveries`, if any.
pub fn latest(deliveries: &[Delivered]) -> Option<&Delivered> {
    // When each webhook was first heard from about this ticket: later webhooks rank higher.
    let mut first_seen: HashMap<Option<&str>, i64> = HashMap::new();
    for d in deliveries {
        let seen = first_seen
            .entry(d.webhook_guid.as_deref())
            .or_insert(d.received_at);
        *seen = (*seen).min(d.received_at);
    }
    deliveries.iter().max_by_key(|d| {
        (
            first_seen[&d.webhook_guid.as_deref()],
            d.sequence_number.unwrap_or(i64::MIN),
            d.event_time.unwrap_or(d.received_at),
            d.received_at,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivered(guid: &str, seq: i64, received_at: i64, completed: bool) -> Delivered {
        Delivered {
            webhook_guid: Some(guid.into()),
            sequence_number: Some(seq),
            event_time: Some(1_000 + seq),
            received_at,
            completed,
            resolution: None,
            completed_at: None,
            ticket_created_at: None,
        }
    }

    #[test]
    fn a_late_retry_does_not_outrank_a_newer_callout() {
        // The completion (seq 5) was retried and arrived after the reopening (seq 6).
        let rows = [delivered("g", 6, 100, false), delivered("g", 5, 200, true)];
        assert_eq!(latest(&rows).map(|d| d.sequence_number), Some(Some(6)));
    }

    #[test]
    fn a_newer_webhook_outranks_an_older_ones_higher_numbers() {
        let rows = [
            delivered("old", 40, 100, true),
            delivered("new", 1, 300, false),
        ];
        assert_eq!(
            latest(&rows).and_then(|d| d.webhook_guid.clone()),
            Some("new".into())
        );
    }

    #[test]
    fn without_numbers_event_time_then_arrival_decide() {
        let mut a = delivered("g", 0, 100, true);
        let mut b = delivered("g", 0, 50, false);
        a.sequence_number = None;
        b.sequence_number = None;
        a.event_time = Some(10);
        b.event_time = Some(20);
        assert!(!latest(&[a.clone(), b.clone()]).is_some_and(|d| d.completed));
        assert!(latest(&[]).is_none());
    }
}
