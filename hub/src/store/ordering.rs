//! Which of the callouts received about one ticket is the latest: retries arrive out of order,
//! so arrival time does not tell. Callouts with the same `Guid` are ordered by SequenceNumber
//! (then EventTime); across `Guid`s (another webhook after a repair or a new API user, or, if
//! the PSA's `Guid` turned out to be per event, every callout) by EventTime, as sequence
//! numbers of different webhooks do not compare.

use std::collections::HashMap;

use psa_proto::{PsaName, TenantId, TicketId};
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

/// Every callout kept about `ticket` from `psa` (any of the tenant's PSAs when `None`), read
/// inside the caller's transaction. Callouts still waiting for their lookup say nothing yet.
pub(super) async fn ticket_deliveries(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &TenantId,
    psa: Option<PsaName>,
    ticket: TicketId,
) -> Result<Vec<Delivered>, StoreError> {
    let rows = sqlx::query(
        "SELECT webhook_guid, sequence_number, event_time, received_at, completed, \
           resolution, completed_at, ticket_created_at \
         FROM deliveries WHERE tenant_id = $1 AND ($2 IS NULL OR psa = $2) AND ticket_id = $3 \
           AND outcome <> 'lookup_pending'",
    )
    .bind(tenant.as_str())
    .bind(psa.map(|p| p.as_str().to_owned()))
    .bind(ticket.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(read_delivered).collect()
}

pub(super) fn read_delivered(row: &AnyRow) -> Result<Delivered, StoreError> {
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
    let mut per_guid: HashMap<&str, &Delivered> = HashMap::new();
    let mut without_guid = Vec::new();
    for d in deliveries {
        match d.webhook_guid.as_deref() {
            Some(guid) => {
                let best = per_guid.entry(guid).or_insert(d);
                if within_webhook(d) > within_webhook(best) {
                    *best = d;
                }
            }
            None => without_guid.push(d),
        }
    }
    per_guid
        .into_values()
        .chain(without_guid)
        .max_by_key(|d| (when(d), d.received_at))
}

/// The order of callouts of one webhook.
fn within_webhook(d: &Delivered) -> (i64, i64, i64) {
    (
        d.sequence_number.unwrap_or(i64::MIN),
        when(d),
        d.received_at,
    )
}

/// When the change happened, as far as known.
fn when(d: &Delivered) -> i64 {
    d.event_time.unwrap_or(d.received_at)
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
    fn across_webhooks_the_later_change_wins_not_the_higher_number() {
        let mut old = delivered("old", 40, 300, true);
        let mut new = delivered("new", 1, 100, false);
        old.event_time = Some(10);
        new.event_time = Some(20);
        assert_eq!(
            latest(&[old, new]).and_then(|d| d.webhook_guid.clone()),
            Some("new".into())
        );
    }

    #[test]
    fn if_every_callout_had_its_own_guid_the_later_change_still_wins() {
        // The reopening arrived first; the completion before it is a late retry.
        let mut reopening = delivered("g-2", 0, 100, false);
        let mut completion = delivered("g-1", 0, 200, true);
        reopening.event_time = Some(20);
        completion.event_time = Some(10);
        assert!(!latest(&[reopening, completion]).is_some_and(|d| d.completed));
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
