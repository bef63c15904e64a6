//! `/system/callbacks`: list, count, create, get, replace (PUT), patch and delete (reference §2).

use super::listing::{self, params};
use super::patch;
use super::reply::Reply;
use super::Ctx;
use crate::json::FieldError;
use crate::store::callback::CallbackInput;
use crate::store::CallbackError;
use serde_json::{Map, Value};

const RESOURCE: &str = "callbackEntry";

fn all(ctx: &Ctx) -> Vec<Value> {
    let store = ctx.shared.store.lock();
    store
        .company(&ctx.company)
        .map(|c| c.callbacks.values().map(|cb| cb.to_json()).collect())
        .unwrap_or_default()
}

pub fn list(ctx: &Ctx) -> Result<Reply, Reply> {
    let p = params(ctx.query, None)?;
    Ok(listing::page(ctx, all(ctx), &p))
}

pub fn count(ctx: &Ctx) -> Result<Reply, Reply> {
    let p = params(ctx.query, None)?;
    Ok(listing::count(all(ctx), &p))
}

fn input(ctx: &Ctx, body: &Map<String, Value>) -> Result<CallbackInput, Reply> {
    CallbackInput::from_body(body, &ctx.shared.config.ticket_levels)
        .map_err(|errors| Reply::invalid(RESOURCE, errors))
}

/// The answer to a refused write.
fn refused(e: CallbackError, id: i64) -> Reply {
    match e {
        CallbackError::NotFound => Reply::not_found("CallbackEntry", id),
        CallbackError::Duplicate => Reply::invalid(
            RESOURCE,
            vec![FieldError::new(
                "ObjectExists",
                "A matching callback entry already exists",
                "objectId",
            )],
        ),
    }
}

pub fn create(ctx: &Ctx, body: &Map<String, Value>) -> Result<Reply, Reply> {
    let input = input(ctx, body)?;
    let created = ctx
        .shared
        .store
        .lock()
        .create_callback(&ctx.company, &ctx.member, input)
        .map_err(|e| refused(e, 0))?;
    Ok(Reply::json(ctx.shared.config.create_status, created))
}

pub fn get(ctx: &Ctx, id: i64) -> Result<Reply, Reply> {
    let found = ctx.shared.store.lock().callback_json(&ctx.company, id);
    let item = found.ok_or_else(|| Reply::not_found("CallbackEntry", id))?;
    let p = params(ctx.query, None)?;
    Ok(Reply::ok(listing::project(item, &p.fields)))
}

pub fn replace(ctx: &Ctx, id: i64, body: &Map<String, Value>) -> Result<Reply, Reply> {
    let mut store = ctx.shared.store.lock();
    if store.callback_json(&ctx.company, id).is_none() {
        return Err(Reply::not_found("CallbackEntry", id));
    }
    let input = input(ctx, body)?;
    let saved = store
        .replace_callback(&ctx.company, id, &ctx.member, input)
        .map_err(|e| refused(e, id))?;
    Ok(Reply::ok(saved))
}

/// Applies the operations to the entry's REST form, then validates it like a PUT.
pub fn patch(ctx: &Ctx, id: i64, ops: Option<&Value>) -> Result<Reply, Reply> {
    let mut store = ctx.shared.store.lock();
    let current = store
        .callback_json(&ctx.company, id)
        .ok_or_else(|| Reply::not_found("CallbackEntry", id))?;
    let mut map = match current {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    patch::apply(&mut map, ops).map_err(|e| Reply::invalid(RESOURCE, e))?;
    let input = input(ctx, &map)?;
    let saved = store
        .replace_callback(&ctx.company, id, &ctx.member, input)
        .map_err(|e| refused(e, id))?;
    Ok(Reply::ok(saved))
}

pub fn delete(ctx: &Ctx, id: i64) -> Result<Reply, Reply> {
    if ctx.shared.store.lock().delete_callback(&ctx.company, id) {
        Ok(Reply::no_content())
    } else {
        Err(Reply::not_found("CallbackEntry", id))
    }
}
