//! `/service/tickets/{id}/notes`: list, get one, add.

use super::listing::{self, params};
use super::reply::Reply;
use super::Ctx;
use crate::store::{Note, TicketError};
use serde_json::{Map, Value};

pub fn list(ctx: &Ctx, ticket: i64) -> Result<Reply, Reply> {
    let found = ctx.shared.store.lock().notes_of(&ctx.company, ticket);
    let notes = found.ok_or_else(|| Reply::not_found("Ticket", ticket))?;
    let p = params(ctx.query, None)?;
    Ok(listing::page(ctx, notes, &p))
}

pub fn get(ctx: &Ctx, ticket: i64, note: i64) -> Result<Reply, Reply> {
    let store = ctx.shared.store.lock();
    let found = store
        .company(&ctx.company)
        .and_then(|c| c.notes.get(&note))
        .filter(|n| n.ticket_id == ticket)
        .map(Note::to_json);
    found
        .map(Reply::ok)
        .ok_or_else(|| Reply::not_found("Note", note))
}

pub fn create(ctx: &Ctx, ticket: i64, body: &Map<String, Value>) -> Result<Reply, Reply> {
    let input = crate::store::NoteInput::from_body(body)
        .map_err(|errors| Reply::invalid("ticketNote", errors))?;
    let actor = &ctx.member.identifier;
    let note = ctx
        .shared
        .store
        .lock()
        .add_note(&ctx.company, ticket, input, actor)
        .map_err(|e| match e {
            TicketError::NotFound => Reply::not_found("Ticket", ticket),
            TicketError::Invalid(errors) => Reply::invalid("ticketNote", errors),
        })?;
    Ok(Reply::json(201, note))
}
