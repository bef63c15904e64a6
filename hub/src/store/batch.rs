//! A group of callouts applied with a handful of set-based statements, whatever its size: one
//! statement per step for the whole group, not one per callout, since each statement is a round
//! trip to the database (to SQLite's worker thread, or PostgreSQL's socket) and those, not the
//! commit, dominated a group's time. The result is the one the callouts would have had one by
//! one; groups where that could differ (two callouts about one ticket) take the one-by-one path.

use std::collections::{HashMap, HashSet};

use sqlx::any::AnyRow;
use sqlx::Row;

use super::callouts::{unclosed_effect, CalloutCommit, CalloutEffect};
use super::events::CREATED_AT_TOLERANCE_MS;
use super::ordering::{latest, read_delivered, Delivered};
use super::{now_millis, to_millis, Store, StoreError};

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// `(tenant, psa, ticket)`: what one callout is about.
type TicketKey = (String, String, i64);

/// A delivery recorded before about a ticket of the group.
struct Before {
    /// Still waiting for its lookup.
    pending: bool,
    delivered: Delivered,
}

/// Whether `batch` can go the set-based way: no two callouts about one ticket of a tenant (in
/// any of its PSAs), nor under one dedupe key, whose order inside the group would matter.
pub(super) fn set_based(batch: &[CalloutCommit]) -> bool {
    let mut tickets = HashSet::with_capacity(batch.len());
    let mut keys = HashSet::with_capacity(batch.len());
    batch.iter().all(|c| {
        tickets.insert((c.key.tenant.as_str(), c.change.ticket_id.0))
            && keys.insert((&c.key, c.dedupe_key.as_str()))
    })
}

impl Store {
    /// Applies a [`set_based`] group inside `tx`; one effect per callout, in order.
    pub(super) async fn apply_set(
        &self,
        tx: &mut Tx<'_>,
        batch: &[CalloutCommit],
    ) -> Result<Vec<CalloutEffect>, StoreError> {
        let now = now_millis();
        if self.is_sqlite() {
            // A write first: it takes SQLite's write lock, so nothing changes under the reads.
            touch_connections(tx, batch, now).await?;
        } else {
            lock_tenants(tx, batch).await?;
        }
        let recorded = recorded_before(tx, batch).await?;
        let before = &recorded.by_ticket;
        let mut effects: Vec<Option<CalloutEffect>> = batch
            .iter()
            .map(|c| {
                let (tenant, psa) = key_of(c);
                if recorded.keys.contains(&(tenant, psa, c.dedupe_key.clone())) {
                    Some(CalloutEffect::Duplicate)
                } else if c.change.needs_lookup {
                    Some(CalloutEffect::LookupPending)
                } else if !c.change.is_completion() {
                    Some(CalloutEffect::Recorded)
                } else {
                    None
                }
            })
            .collect();
        let closing: Vec<usize> = (0..batch.len()).filter(|i| effects[*i].is_none()).collect();
        let superseded = superseded(batch, &closing, before, now);
        let closing: Vec<usize> = closing
            .into_iter()
            .filter(|i| {
                let outranked = superseded.contains(i);
                if outranked {
                    effects[*i] = Some(CalloutEffect::Superseded);
                }
                !outranked
            })
            .collect();
        close(tx, batch, &closing, now, &mut effects).await?;
        let effects: Vec<CalloutEffect> = effects
            .into_iter()
            .map(|e| e.unwrap_or(CalloutEffect::Unlinked))
            .collect();
        insert_deliveries(tx, batch, &effects, now).await?;
        if !self.is_sqlite() {
            touch_connections(tx, batch, now).await?;
        }
        Ok(effects)
    }
}

/// Locks every tenant of the group in one order (PostgreSQL's row locks), so that a link and a
/// callout for one tenant never interleave and two groups cannot deadlock.
async fn lock_tenants(tx: &mut Tx<'_>, batch: &[CalloutCommit]) -> Result<(), StoreError> {
    let mut tenants: Vec<&str> = batch.iter().map(|c| c.key.tenant.as_str()).collect();
    tenants.sort_unstable();
    tenants.dedup();
    let sql = format!(
        "SELECT tenant_id FROM tenants WHERE tenant_id IN ({}) \
         ORDER BY tenant_id COLLATE \"C\" FOR NO KEY UPDATE",
        placeholders(tenants.len(), 1, 0)
    );
    let mut query = sqlx::query(&sql);
    for tenant in tenants {
        query = query.bind(tenant.to_owned());
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

fn key_of(c: &CalloutCommit) -> (String, String) {
    (
        c.key.tenant.as_str().to_owned(),
        c.key.psa.as_str().to_owned(),
    )
}

fn ticket_of(c: &CalloutCommit) -> TicketKey {
    let (tenant, psa) = key_of(c);
    (tenant, psa, c.change.ticket_id.0)
}

/// `(?, ?, …)` rows: `rows` rows of `columns` placeholders from `$first + 1`, each column cast
/// by `casts` (PostgreSQL cannot type a bare placeholder in VALUES).
fn placeholders(rows: usize, columns: usize, first: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (0..columns)
                .map(|c| format!("${}", first + r * columns + c + 1))
                .collect();
            if columns == 1 {
                row.join(", ")
            } else {
                format!("({})", row.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// VALUES rows with each column cast to its type.
fn typed_values(rows: usize, types: &[&str], first: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = types
                .iter()
                .enumerate()
                .map(|(c, ty)| format!("CAST(${} AS {ty})", first + r * types.len() + c + 1))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What was recorded before about the group: every delivery about one of its tickets (their
/// order decides what a completion does) and every delivery under one of its dedupe keys (a
/// key need not name the ticket: ConnectWise's is the message id).
struct Recorded {
    by_ticket: HashMap<TicketKey, Vec<Before>>,
    keys: HashSet<(String, String, String)>,
}

async fn recorded_before(tx: &mut Tx<'_>, batch: &[CalloutCommit]) -> Result<Recorded, StoreError> {
    let types = ["TEXT", "TEXT", "BIGINT"];
    // Two selects, each on its own index; a row found by both comes twice, which changes
    // neither the keys nor which callout is the latest.
    let columns = "tenant_id, psa, ticket_id, dedupe_key, outcome, webhook_guid, \
        sequence_number, event_time, received_at, completed, resolution, completed_at, \
        ticket_created_at";
    let sql = format!(
        "SELECT {columns} FROM deliveries WHERE (tenant_id, psa, ticket_id) IN (VALUES {}) \
         UNION ALL \
         SELECT {columns} FROM deliveries WHERE (tenant_id, psa, dedupe_key) IN (VALUES {})",
        typed_values(batch.len(), &types, 0),
        typed_values(
            batch.len(),
            &["TEXT", "TEXT", "TEXT"],
            batch.len() * types.len()
        )
    );
    let mut query = sqlx::query(&sql);
    for c in batch {
        let (tenant, psa, ticket) = ticket_of(c);
        query = query.bind(tenant).bind(psa).bind(ticket);
    }
    for c in batch {
        let (tenant, psa) = key_of(c);
        query = query.bind(tenant).bind(psa).bind(c.dedupe_key.clone());
    }
    let mut recorded = Recorded {
        by_ticket: HashMap::new(),
        keys: HashSet::new(),
    };
    for row in query.fetch_all(&mut **tx).await? {
        let (tenant, psa): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let dedupe_key: String = row.try_get("dedupe_key")?;
        let outcome: String = row.try_get("outcome")?;
        recorded
            .keys
            .insert((tenant.clone(), psa.clone(), dedupe_key));
        let ticket = (tenant, psa, row.try_get(2)?);
        recorded.by_ticket.entry(ticket).or_default().push(Before {
            pending: outcome == "lookup_pending",
            delivered: read_delivered(&row)?,
        });
    }
    Ok(recorded)
}

/// Which of the completions at `closing` a later callout about their ticket outranks (a
/// reopening that arrived first, as retries come out of order).
fn superseded(
    batch: &[CalloutCommit],
    closing: &[usize],
    before: &HashMap<TicketKey, Vec<Before>>,
    now: i64,
) -> HashSet<usize> {
    closing
        .iter()
        .copied()
        .filter(|i| {
            let Some(earlier) = before.get(&ticket_of(&batch[*i])) else {
                return false;
            };
            // Callouts still waiting for their lookup say nothing yet about the ticket's order.
            let mut told: Vec<Delivered> = earlier
                .iter()
                .filter(|b| !b.pending)
                .map(|b| b.delivered.clone())
                .collect();
            told.push(delivered(&batch[*i], now));
            latest(&told).is_some_and(|latest| !latest.completed)
        })
        .collect()
}

/// The delivery row a callout becomes, as the ordering rule reads it.
fn delivered(c: &CalloutCommit, now: i64) -> Delivered {
    let change = &c.change;
    Delivered {
        webhook_guid: change.webhook_guid.as_ref().map(|g| g.as_str().to_owned()),
        sequence_number: change.sequence_number,
        event_time: change.event_time.map(to_millis),
        received_at: now,
        completed: change.is_completion() && !change.needs_lookup,
        resolution: change.resolution.as_set().cloned(),
        completed_at: change.completed_at.as_set().copied().map(to_millis),
        ticket_created_at: change.ticket_created_at.as_set().copied().map(to_millis),
    }
}

/// Closes the open events linked to the tickets of the completions at `closing`, and says for
/// each what happened.
async fn close(
    tx: &mut Tx<'_>,
    batch: &[CalloutCommit],
    closing: &[usize],
    now: i64,
    effects: &mut [Option<CalloutEffect>],
) -> Result<(), StoreError> {
    if closing.is_empty() {
        return Ok(());
    }
    let types = ["TEXT", "TEXT", "BIGINT", "TEXT", "BIGINT", "BIGINT"];
    let tolerance = closing.len() * types.len() + 1;
    let sql = format!(
        "UPDATE events SET status = 'closed', resolution = v.column4, closed_at = v.column5 \
         FROM (VALUES {}) AS v \
         WHERE events.tenant_id = v.column1 AND (events.psa = v.column2 OR events.psa IS NULL) \
           AND events.ticket_id = v.column3 AND events.status = 'open' \
           AND (events.ticket_created_at IS NULL OR v.column6 IS NULL \
                OR ABS(events.ticket_created_at - v.column6) <= ${tolerance}) \
         RETURNING events.tenant_id, events.ticket_id",
        typed_values(closing.len(), &types, 0)
    );
    let mut query = sqlx::query(&sql);
    for i in closing {
        let c = &batch[*i];
        let (tenant, psa, ticket) = ticket_of(c);
        let change = &c.change;
        query = query
            .bind(tenant)
            .bind(psa)
            .bind(ticket)
            .bind(change.resolution.as_set().cloned())
            .bind(change.completed_at.as_set().copied().map_or(now, to_millis))
            .bind(change.ticket_created_at.as_set().copied().map(to_millis));
    }
    let query = query.bind(CREATED_AT_TOLERANCE_MS);
    let mut closed: HashMap<(String, i64), u64> = HashMap::new();
    for row in query.fetch_all(&mut **tx).await? {
        *closed
            .entry((row.try_get(0)?, row.try_get(1)?))
            .or_default() += 1;
    }
    let mut unclosed = Vec::new();
    for i in closing {
        let c = &batch[*i];
        match closed.get(&(c.key.tenant.as_str().to_owned(), c.change.ticket_id.0)) {
            Some(events) => effects[*i] = Some(CalloutEffect::Closed { events: *events }),
            None => unclosed.push(*i),
        }
    }
    why_unclosed(tx, batch, &unclosed, effects).await
}

/// For completions that closed nothing: no event linked, every one already closed, or linked
/// with another create date.
async fn why_unclosed(
    tx: &mut Tx<'_>,
    batch: &[CalloutCommit],
    unclosed: &[usize],
    effects: &mut [Option<CalloutEffect>],
) -> Result<(), StoreError> {
    if unclosed.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT tenant_id, ticket_id, psa, status FROM events \
         WHERE (tenant_id, ticket_id) IN (VALUES {})",
        typed_values(unclosed.len(), &["TEXT", "BIGINT"], 0)
    );
    let mut query = sqlx::query(&sql);
    for i in unclosed {
        let c = &batch[*i];
        query = query
            .bind(c.key.tenant.as_str().to_owned())
            .bind(c.change.ticket_id.0);
    }
    let rows: Vec<AnyRow> = query.fetch_all(&mut **tx).await?;
    let mut linked: Vec<(String, i64, Option<String>, String)> = Vec::with_capacity(rows.len());
    for row in &rows {
        linked.push((
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        ));
    }
    for i in unclosed {
        let c = &batch[*i];
        let statuses = linked.iter().filter_map(|(tenant, ticket, psa, status)| {
            let ours = psa.as_deref().is_none_or(|p| p == c.key.psa.as_str());
            (tenant == c.key.tenant.as_str() && *ticket == c.change.ticket_id.0 && ours)
                .then_some(status.as_str())
        });
        effects[*i] = Some(unclosed_effect(statuses));
    }
    Ok(())
}

/// Records every new delivery of the group with its outcome, in one statement.
async fn insert_deliveries(
    tx: &mut Tx<'_>,
    batch: &[CalloutCommit],
    effects: &[CalloutEffect],
    now: i64,
) -> Result<(), StoreError> {
    let new: Vec<usize> = (0..batch.len())
        .filter(|i| effects[*i] != CalloutEffect::Duplicate)
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO deliveries (tenant_id, psa, dedupe_key, ticket_id, action, completed, \
           resolution, completed_at, ticket_created_at, received_at, outcome, webhook_guid, \
           sequence_number, event_time) VALUES {} \
         ON CONFLICT (tenant_id, psa, dedupe_key) DO NOTHING",
        placeholders(new.len(), 14, 0)
    );
    let mut query = sqlx::query(&sql);
    for i in new {
        let (c, row) = (&batch[i], delivered(&batch[i], now));
        let (tenant, psa, ticket) = ticket_of(c);
        query = query
            .bind(tenant)
            .bind(psa)
            .bind(c.dedupe_key.clone())
            .bind(ticket)
            .bind(c.change.action.as_str())
            .bind(i64::from(row.completed))
            .bind(row.resolution)
            .bind(row.completed_at)
            .bind(row.ticket_created_at)
            .bind(now)
            .bind(effects[i].as_str())
            .bind(row.webhook_guid)
            .bind(row.sequence_number)
            .bind(row.event_time);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Notes that each connection's PSA delivered (the status's `last_delivery_at`).
pub(super) async fn touch_connections(
    tx: &mut Tx<'_>,
    batch: &[CalloutCommit],
    now: i64,
) -> Result<(), StoreError> {
    let mut keys: Vec<(String, String)> = batch.iter().map(key_of).collect();
    keys.sort_unstable();
    keys.dedup();
    let sql = format!(
        "UPDATE connections SET last_delivery_at = $1 WHERE (tenant_id, psa) IN (VALUES {})",
        typed_values(keys.len(), &["TEXT", "TEXT"], 1)
    );
    let mut query = sqlx::query(&sql).bind(now);
    for (tenant, psa) in keys {
        query = query.bind(tenant).bind(psa);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_and_columns_in_order() {
        assert_eq!(placeholders(2, 2, 0), "($1, $2), ($3, $4)");
        assert_eq!(placeholders(3, 1, 1), "$2, $3, $4");
        assert_eq!(
            typed_values(2, &["TEXT", "BIGINT"], 1),
            "(CAST($2 AS TEXT), CAST($3 AS BIGINT)), (CAST($4 AS TEXT), CAST($5 AS BIGINT))"
        );
    }
}
