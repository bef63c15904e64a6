//! `/service/tickets`: list (with `id in (…)` conditions and `fields`), count, search, create,
//! get, patch, replace and delete; writes fire the ticket's callbacks (reference §5).

use super::listing::{self, params};
use super::patch;
use super::reply::Reply;
use super::Ctx;
use crate::store::TicketError;
use serde_json::{Map, Value};

const RESOURCE: &str = "ticket";

fn refused(e: TicketError, id: i64) -> Reply {
    match e {
        TicketError::NotFound => Reply::not_found("Ticket", id),
        TicketError::Invalid(errors) => Reply::invalid(RESOURCE, errors),
    }
}

fn all(ctx: &Ctx) -> Vec<Value> {
    let store = ctx.shared.store.lock();
    let ids: Vec<i64> = store
        .company(&ctx.company)
        .map(|c| c.tickets.keys().copied().collect())
        .unwrap_or_default();
    ids.into_iter()
        .filter_map(|id| store.ticket_json(&ctx.company, id))
        .collect()
}

/// `GET /service/tickets`, or `POST /service/tickets/search` with the parameters in a body.
pub fn list(ctx: &Ctx, search: Option<&Map<String, Value>>) -> Result<Reply, Reply> {
    let p = params(ctx.query, search)?;
    Ok(listing::page(ctx, all(ctx), &p))
}

pub fn count(ctx: &Ctx) -> Result<Reply, Reply> {
    let p = params(ctx.query, None)?;
    Ok(listing::count(all(ctx), &p))
}

fn saved(ctx: &Ctx, id: i64, status: u16) -> Result<Reply, Reply> {
    let found = ctx.shared.store.lock().ticket_json(&ctx.company, id);
    let ticket = found.ok_or_else(|| Reply::not_found("Ticket", id))?;
    Ok(Reply::json(status, ticket))
}

pub fn create(ctx: &Ctx, body: &Map<String, Value>) -> Result<Reply, Reply> {
    let actor = &ctx.member.identifier;
    let id = ctx
        .shared
        .store
        .lock()
        .create_ticket(&ctx.company, body.clone(), actor)
        .map_err(|e| refused(e, 0))?;
    saved(ctx, id, 201)
}

pub fn get(ctx: &Ctx, id: i64) -> Result<Reply, Reply> {
    let found = ctx.shared.store.lock().ticket_json(&ctx.company, id);
    let ticket = found.ok_or_else(|| Reply::not_found("Ticket", id))?;
    let p = params(ctx.query, None)?;
    Ok(Reply::ok(listing::project(ticket, &p.fields)))
}

pub fn patch(ctx: &Ctx, id: i64, ops: Option<&Value>) -> Result<Reply, Reply> {
    let actor = &ctx.member.identifier;
    ctx.shared
        .store
        .lock()
        .change_ticket(&ctx.company, id, actor, |t| patch::apply(t, ops))
        .map_err(|e| refused(e, id))?;
    saved(ctx, id, 200)
}

/// PUT: the body becomes the ticket; read-only members keep their values.
pub fn replace(ctx: &Ctx, id: i64, body: &Map<String, Value>) -> Result<Reply, Reply> {
    let actor = &ctx.member.identifier;
    ctx.shared
        .store
        .lock()
        .change_ticket(&ctx.company, id, actor, |t| {
            *t = body.clone();
            Ok(())
        })
        .map_err(|e| refused(e, id))?;
    saved(ctx, id, 200)
}

pub fn delete(ctx: &Ctx, id: i64) -> Result<Reply, Reply> {
    let actor = &ctx.member.identifier;
    ctx.shared
        .store
        .lock()
        .delete_ticket(&ctx.company, id, actor)
        .map_err(|e| refused(e, id))?;
    Ok(Reply::no_content())
}
