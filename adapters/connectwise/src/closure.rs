//! Reading a ticket's closure state from ConnectWise PSA: `closedFlag`, `closedDate` and the
//! create date from the ticket, and, for a closed ticket, the newest note flagged as its
//! resolution (callbacks never carry it; reference §5).

use psa_proto::{TicketClosure, TicketId};
use serde_json::Value;

use crate::client::ConnectWiseClient;
use crate::dates::time;
use crate::error::ConnectWiseError;
use crate::op::Op;

/// How many notes one look for the resolution reads, newest first.
pub const NOTES_PAGE_SIZE: &str = "10";

pub async fn ticket_closure(
    client: &ConnectWiseClient,
    ticket: TicketId,
) -> Result<TicketClosure, ConnectWiseError> {
    let op = Op::TicketGet;
    let item = match client
        .get(op, &format!("service/tickets/{ticket}"), &[])
        .await
    {
        Ok(item) => item,
        Err(not_found @ ConnectWiseError::NotFound { .. }) => {
            return confirm_deleted(client, ticket, not_found).await
        }
        Err(error) => return Err(error),
    };
    if item.get("id").and_then(Value::as_i64) != Some(ticket.0) {
        return Err(ConnectWiseError::Unexpected {
            op,
            message: format!("the answer is not the ticket {ticket}"),
        });
    }
    let closed = item.get("closedFlag").and_then(Value::as_bool) == Some(true);
    let created_at = time(item.get("dateEntered"))
        .or_else(|| time(item.get("_info").and_then(|info| info.get("dateEntered"))));
    let resolution = if closed {
        resolution(client, ticket).await?
    } else {
        None
    };
    Ok(TicketClosure {
        closed,
        closed_at: closed.then(|| time(item.get("closedDate"))).flatten(),
        resolution,
        created_at,
    })
}

/// A "not found" for the ticket is believed only when a listing of its id, answered, does not
/// hold it: a stale API root, or ConnectWise cloud rejecting keys, answers 404 too, and
/// believing it would drop a closure the callback was already acknowledged for.
async fn confirm_deleted(
    client: &ConnectWiseClient,
    ticket: TicketId,
    not_found: ConnectWiseError,
) -> Result<TicketClosure, ConnectWiseError> {
    let listed = client
        .list(Op::TicketList, "service/tickets", &format!("id={ticket}"))
        .await;
    match listed {
        Ok(items)
            if items
                .iter()
                .all(|item| item.get("id").and_then(Value::as_i64) != Some(ticket.0)) =>
        {
            Err(not_found)
        }
        Ok(_) => Err(ConnectWiseError::TicketUnconfirmed {
            ticket,
            reason: "ConnectWise still lists it".into(),
            source: Box::new(not_found),
        }),
        Err(query) => Err(ConnectWiseError::TicketUnconfirmed {
            ticket,
            reason: format!("the listing of tickets failed: {query}"),
            source: Box::new(query),
        }),
    }
}

/// The text of the newest note flagged `resolutionFlag`, if any.
async fn resolution(
    client: &ConnectWiseClient,
    ticket: TicketId,
) -> Result<Option<String>, ConnectWiseError> {
    let op = Op::TicketNotes;
    let query = [
        ("conditions", "resolutionFlag=true"),
        ("orderBy", "id desc"),
        ("pageSize", NOTES_PAGE_SIZE),
    ];
    let notes = client
        .get(op, &format!("service/tickets/{ticket}/notes"), &query)
        .await?;
    let notes = notes
        .as_array()
        .ok_or_else(|| ConnectWiseError::Unexpected {
            op,
            message: "the notes answer is not a list".into(),
        })?;
    // Filtered here too: a server that ignores the condition must not make any note the
    // resolution. Newest first by id, whatever order the answer came in.
    let newest = notes
        .iter()
        .filter(|note| note.get("resolutionFlag").and_then(Value::as_bool) == Some(true))
        .filter_map(|note| {
            let text = note.get("text").and_then(Value::as_str)?.trim();
            let id = note.get("id").and_then(Value::as_i64).unwrap_or(i64::MIN);
            (!text.is_empty()).then_some((id, text))
        })
        .max_by_key(|(id, _)| *id);
    Ok(newest.map(|(_, text)| text.to_owned()))
}
