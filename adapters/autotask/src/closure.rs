//! Reading a ticket's closure state from Autotask: complete (system status 5, or a completion
//! date), when, its resolution and create date (reference §7).

use chrono::{DateTime, Utc};
use psa_proto::{TicketClosure, TicketId};
use serde_json::Value;

use crate::client::{AutotaskClient, Op};
use crate::error::AutotaskError;

/// Autotask's system status Complete.
const STATUS_COMPLETE: i64 = 5;

pub async fn ticket_closure(
    client: &AutotaskClient,
    ticket: TicketId,
) -> Result<TicketClosure, AutotaskError> {
    let answer = client
        .get(Op::TicketGet, &format!("Tickets/{ticket}"))
        .await?;
    let item = answer
        .get("item")
        .filter(|item| item.is_object())
        .ok_or_else(|| AutotaskError::NotFound {
            what: format!("the ticket {ticket}"),
        })?;
    let completed_at = time(item.get("completedDate"));
    let status = item.get("status").and_then(|s| {
        s.as_i64()
            .or_else(|| s.as_str().and_then(|t| t.trim().parse().ok()))
    });
    Ok(TicketClosure {
        closed: status == Some(STATUS_COMPLETE) || completed_at.is_some(),
        closed_at: completed_at,
        resolution: item
            .get("resolution")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        created_at: time(item.get("createDate")),
    })
}

/// Autotask's datetimes are UTC, with or without a zone suffix.
fn time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let text = value?.as_str()?.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}
