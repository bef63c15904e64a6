//! TicketWebhookFields child entries: list, create, get, delete (reference §3.1).

use super::reply::Reply;
use super::Ctx;
use crate::store::webhook::get_ci;
use crate::store::{catalog, WebhookField};
use serde_json::{json, Value};

pub fn list(ctx: &Ctx, pid: i64) -> Reply {
    let store = ctx.shared.store.lock();
    let Some(db) = store.dbs.get(&ctx.user.db) else {
        return Reply::not_found();
    };
    if ctx.visible(db, pid).is_none() {
        return Reply::not_found();
    }
    let items: Vec<Value> = db.fields_of(pid).iter().map(|f| f.to_json()).collect();
    Reply::ok(
        json!({ "items": items, "pageDetails": super::query::page_details(items.len(), None) }),
    )
}

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

fn flag(map: &serde_json::Map<String, Value>, key: &str) -> Result<bool, Reply> {
    match get_ci(map, key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(Reply::error(
            400,
            format!("{key}: expected true or false but got {other}"),
        )),
    }
}

pub fn create(ctx: &Ctx, pid: i64, body: &Value) -> Reply {
    let Some(map) = body.as_object() else {
        return Reply::error(400, "The request body must be a JSON object.");
    };
    let Some(webhook_id) = int(get_ci(map, "webhookID")) else {
        return Reply::error(400, "webhookID is required.");
    };
    if webhook_id != pid {
        return Reply::error(400, "webhookID must match the parent id in the URL.");
    }
    let Some(field_id) = int(get_ci(map, "fieldID")) else {
        return Reply::error(400, "fieldID is required.");
    };
    if catalog::by_id(field_id).is_none() {
        return Reply::error(
            400,
            format!("Value {field_id} is not a valid picklist value for field fieldID."),
        );
    }
    let (subscribed, display_always) = match (
        flag(map, "isSubscribedField"),
        flag(map, "isDisplayAlwaysField"),
    ) {
        (Ok(s), Ok(d)) => (s, d),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let mut store = ctx.shared.store.lock();
    let Some(db) = store.dbs.get_mut(&ctx.user.db) else {
        return Reply::not_found();
    };
    if ctx.visible(db, pid).is_none() {
        return Reply::error(
            400,
            format!("Reference value on field: webhookID of type: TicketWebhook does not exist or is invalid: {pid}"),
        );
    }
    if db
        .fields
        .values()
        .any(|f| f.webhook_id == pid && f.field_id == field_id)
    {
        return Reply::error(
            400,
            format!("Field {field_id} is already configured for this webhook."),
        );
    }
    let id = db.next_field_id();
    db.fields.insert(
        id,
        WebhookField {
            id,
            webhook_id: pid,
            field_id,
            subscribed,
            display_always,
        },
    );
    db.refresh_ready(pid);
    Reply::item_id(id)
}

pub fn get(ctx: &Ctx, pid: Option<i64>, id: i64) -> Reply {
    let store = ctx.shared.store.lock();
    let item = store.dbs.get(&ctx.user.db).and_then(|d| {
        d.fields
            .get(&id)
            .filter(|f| pid.is_none() || pid == Some(f.webhook_id))
            .filter(|f| ctx.visible(d, f.webhook_id).is_some())
            .map(WebhookField::to_json)
    });
    Reply::ok(json!({ "item": item }))
}

pub fn delete(ctx: &Ctx, pid: i64, id: i64) -> Reply {
    let mut store = ctx.shared.store.lock();
    let Some(db) = store.dbs.get_mut(&ctx.user.db) else {
        return Reply::not_found();
    };
    let parent = db.fields.get(&id).map(|f| f.webhook_id);
    if parent != Some(pid) || ctx.visible(db, pid).is_none() {
        return Reply::error(500, "No matching records found");
    }
    db.fields.remove(&id);
    db.refresh_ready(pid);
    Reply::item_id(id)
}
