//! TicketWebhooks create, get, update and delete (reference §2).

use super::reply::Reply;
use super::Ctx;
use crate::callout::Job;
use crate::config::DeleteMissing;
use crate::store::webhook::{get_ci, Webhook};
use serde_json::{json, Value};

pub fn create(ctx: &Ctx, body: &Value) -> Reply {
    let cfg = &ctx.shared.config;
    let user = &ctx.user.user;
    if !user.can_create_webhooks {
        return Reply::error(cfg.cannot_create_status, cfg.cannot_create_error.clone());
    }
    let Some(map) = body.as_object() else {
        return Reply::error(400, "The request body must be a JSON object.");
    };
    let mut w = match Webhook::from_create_body(map) {
        Ok(w) => w,
        Err(e) => return Reply::error(400, e),
    };
    let mut store = ctx.shared.store.lock();
    let Some(db) = store.dbs.get_mut(&ctx.user.db) else {
        return Reply::error(500, "Database not available.");
    };
    let owned = db
        .webhooks
        .values()
        .filter(|x| x.owner_resource_id == user.resource_id)
        .count();
    if owned >= user.webhook_limit as usize {
        return Reply::error(400, cfg.webhook_limit_error.clone());
    }
    if db.webhooks.values().any(|x| x.duplicates(&w)) {
        return Reply::error(400, cfg.duplicate_error.clone());
    }
    w.id = db.next_webhook_id();
    w.guid = uuid::Uuid::new_v4().to_string();
    w.owner_resource_id = user.resource_id;
    let id = w.id;
    db.webhooks.insert(id, w);
    Reply::item_id(id)
}

pub fn get(ctx: &Ctx, id: i64) -> Reply {
    let store = ctx.shared.store.lock();
    let echo = ctx.shared.config.echo_secret_key;
    match store.dbs.get(&ctx.user.db).and_then(|d| ctx.visible(d, id)) {
        Some(w) => Reply::ok(json!({ "item": w.to_json(echo) })),
        None if ctx.shared.config.get_missing_as_null_item => Reply::ok(json!({ "item": null })),
        None => Reply::not_found(),
    }
}

/// The object body of a PATCH and the `id` it carries (Autotask puts the id in the body).
pub fn patch_body(body: &Value) -> Result<(i64, &serde_json::Map<String, Value>), Reply> {
    let map = body
        .as_object()
        .ok_or_else(|| Reply::error(400, "The request body must be a JSON object."))?;
    let id = match get_ci(map, "id") {
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| Reply::error(400, "id must be an integer."))?,
        None => return Err(Reply::error(400, "id is required.")),
    };
    Ok((id, map))
}

pub fn update(ctx: &Ctx, body: &Value) -> Reply {
    let (id, map) = match patch_body(body) {
        Ok(found) => found,
        Err(r) => return r,
    };
    let mut store = ctx.shared.store.lock();
    let Some(db) = store.dbs.get_mut(&ctx.user.db) else {
        return Reply::error(500, "No matching records found");
    };
    let Some(w) = db.webhooks.get_mut(&id).filter(|w| ctx.sees(w)) else {
        return Reply::error(500, "No matching records found");
    };
    let mut next = match w.patched(map) {
        Ok(n) => n,
        Err(e) => return Reply::error(400, e),
    };
    let deactivated = w.is_active && !next.is_active;
    if next.is_active && !w.is_active {
        // Re-enabling starts the failure count afresh.
        next.consecutive_failures = 0;
    }
    *w = next;
    let job = deactivated.then(|| Job::deactivation(w));
    if let Some(job) = job {
        store.send(job);
    }
    Reply::item_id(id)
}

pub fn delete(ctx: &Ctx, id: i64) -> Reply {
    let mut store = ctx.shared.store.lock();
    let visible = store
        .dbs
        .get(&ctx.user.db)
        .and_then(|d| ctx.visible(d, id))
        .is_some();
    if visible && store.delete_webhook(ctx.user.db, id) {
        return Reply::item_id(id);
    }
    match ctx.shared.config.delete_missing {
        DeleteMissing::NotFound404 => Reply::not_found(),
        DeleteMissing::NoMatchingRecords500 => Reply::error(500, "No matching records found"),
    }
}
