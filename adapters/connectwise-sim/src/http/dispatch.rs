//! Sends an authenticated call to its handler after the member's rights are checked.

use super::reply::Reply;
use super::route::Api;
use super::{boards, callbacks, notes, site, tickets, Ctx};
use serde_json::{Map, Value};

pub fn handle(ctx: &Ctx, api: &Api, body: Option<&Value>) -> Result<Reply, Reply> {
    match *api {
        Api::SystemInfo => Ok(site::system_info(ctx)),
        Api::Unknown => Ok(Reply::no_endpoint()),
        Api::CallbackList
        | Api::CallbackCount
        | Api::CallbackCreate
        | Api::CallbackGet(_)
        | Api::CallbackReplace(_)
        | Api::CallbackPatch(_)
        | Api::CallbackDelete(_) => {
            ctx.need_callbacks()?;
            callback(ctx, api, body)
        }
        Api::TicketCreate
        | Api::TicketPatch(_)
        | Api::TicketReplace(_)
        | Api::TicketDelete(_)
        | Api::NoteCreate(_) => {
            ctx.need_ticket_edit()?;
            ticket(ctx, api, body)
        }
        _ => {
            ctx.need_ticket_read()?;
            ticket(ctx, api, body)
        }
    }
}

fn callback(ctx: &Ctx, api: &Api, body: Option<&Value>) -> Result<Reply, Reply> {
    match *api {
        Api::CallbackList => callbacks::list(ctx),
        Api::CallbackCount => callbacks::count(ctx),
        Api::CallbackCreate => callbacks::create(ctx, object(body)?),
        Api::CallbackGet(id) => callbacks::get(ctx, id),
        Api::CallbackReplace(id) => callbacks::replace(ctx, id, object(body)?),
        Api::CallbackPatch(id) => callbacks::patch(ctx, id, body),
        Api::CallbackDelete(id) => callbacks::delete(ctx, id),
        _ => Ok(Reply::no_endpoint()),
    }
}

fn ticket(ctx: &Ctx, api: &Api, body: Option<&Value>) -> Result<Reply, Reply> {
    match *api {
        Api::TicketList => tickets::list(ctx, None),
        Api::TicketCount => tickets::count(ctx),
        Api::TicketSearch => tickets::list(ctx, Some(object(body)?)),
        Api::TicketCreate => tickets::create(ctx, object(body)?),
        Api::TicketGet(id) => tickets::get(ctx, id),
        Api::TicketPatch(id) => tickets::patch(ctx, id, body),
        Api::TicketReplace(id) => tickets::replace(ctx, id, object(body)?),
        Api::TicketDelete(id) => tickets::delete(ctx, id),
        Api::NoteList(id) => notes::list(ctx, id),
        Api::NoteCreate(id) => notes::create(ctx, id, object(body)?),
        Api::NoteGet(id, note) => notes::get(ctx, id, note),
        Api::BoardList => boards::list(ctx),
        Api::BoardStatuses(id) => boards::statuses(ctx, id),
        _ => Ok(Reply::no_endpoint()),
    }
}

/// The body as a JSON object, as create and replace calls need.
pub fn object(body: Option<&Value>) -> Result<&Map<String, Value>, Reply> {
    body.and_then(Value::as_object)
        .ok_or_else(|| Reply::bad_request("The request body must be a JSON object."))
}
