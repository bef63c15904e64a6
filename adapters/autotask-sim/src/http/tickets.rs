//! Tickets create, get and update over REST; changes fire callouts like the Rust-side methods.

use super::reply::Reply;
use super::webhooks::patch_body;
use super::Ctx;
use serde_json::{json, Value};

pub fn create(ctx: &Ctx, body: &Value) -> Reply {
    let Some(map) = body.as_object() else {
        return Reply::error(400, "The request body must be a JSON object.");
    };
    let mut store = ctx.shared.store.lock();
    match store.create_ticket(ctx.user.db, map, ctx.user.user.resource_id) {
        Ok(id) => Reply::item_id(id),
        Err(e) => Reply::error(400, e),
    }
}

pub fn get(ctx: &Ctx, id: i64) -> Reply {
    let store = ctx.shared.store.lock();
    let item = store
        .dbs
        .get(&ctx.user.db)
        .and_then(|d| d.tickets.get(&id))
        .cloned()
        .map(Value::Object);
    Reply::ok(json!({ "item": item }))
}

pub fn update(ctx: &Ctx, body: &Value) -> Reply {
    let (id, map) = match patch_body(body) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let mut store = ctx.shared.store.lock();
    match store.change_ticket(ctx.user.db, id, map, ctx.user.user.resource_id) {
        Ok(()) => Reply::item_id(id),
        Err(e) => Reply::error(500, e),
    }
}
