//! Resolving callouts that did not say enough: the connection's PSA is asked for each ticket's
//! closure, and what it says is applied (a closed ticket closes its linked events with its
//! resolution).

use std::time::Duration;

use psa_proto::{ErrorClass, PsaError, TicketClosure};

use super::deps::Deps;
use super::failure::scrubbed;
use super::messages::ActorError;
use super::schedule::retry_delay;
use crate::metrics::CalloutOutcome;
use crate::store::{CalloutEffect, ConnectionKey};

/// Lookups done per turn of the actor, so a backlog does not hold the mailbox for long.
const BATCH: u32 = 50;

/// Resolves pending lookups; returns when to try again if some remain or failed.
pub async fn run(deps: &Deps, key: &ConnectionKey) -> Result<Option<Duration>, ActorError> {
    let pending = deps.store.pending_lookups(key, BATCH).await?;
    if pending.is_empty() {
        return Ok(None);
    }
    let Some(record) = deps.store.connection(key).await? else {
        return Ok(None);
    };
    let connection = match deps.connect(key, &record.credentials).await? {
        Ok(connection) => connection,
        Err(error) => return Ok(Some(later(&error))),
    };
    for lookup in &pending {
        let closure = match connection.ticket_closure(lookup.ticket).await {
            Ok(closure) => closure,
            // Deleted since: it closes nothing.
            Err(error) if error.class == ErrorClass::NotFound => TicketClosure::default(),
            Err(error) => {
                let message = scrubbed(&error, &record);
                tracing::warn!(connection = %key, ticket_id = %lookup.ticket, %message, "cannot read the ticket; trying again later");
                return Ok(Some(later(&error)));
            }
        };
        let effect = deps.store.apply_lookup(key, lookup, &closure).await?;
        if let CalloutEffect::Closed { events } = effect {
            deps.metrics.events_closed(key.psa, events);
        }
        deps.metrics
            .lookup(key.psa, CalloutOutcome::from_effect(effect));
        tracing::info!(connection = %key, ticket_id = %lookup.ticket, effect = effect.as_str(), "ticket read and applied");
    }
    // A full batch may have left more behind.
    Ok((pending.len() == BATCH as usize).then_some(Duration::ZERO))
}

/// A passing failure is tried again soon; one that needs someone to act (permissions), hourly.
fn later(error: &PsaError) -> Duration {
    if error.class.is_retryable() {
        retry_delay(Duration::ZERO, error.retry_after)
    } else {
        Duration::from_secs(3600)
    }
}
