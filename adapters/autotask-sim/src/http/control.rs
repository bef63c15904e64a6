//! `/_sim/...` control API for manual use of the binary (not part of Autotask).

use super::reply::Reply;
use crate::ids::DatabaseId;
use crate::shared::Shared;
use actix_web::http::Method;
use actix_web::HttpRequest;
use serde_json::{json, Map, Value};

pub fn handle(req: &HttpRequest, body: &[u8], shared: &Shared) -> Reply {
    let segs: Vec<String> = req
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let post = req.method() == Method::POST;
    let tech = shared.config.technician_resource_id;
    match s.as_slice() {
        ["_sim", "requests"] => {
            let items: Vec<Value> = shared
                .requests
                .snapshot()
                .iter()
                .map(|r| {
                    json!({"method": r.method, "path": r.path, "query": r.query,
                           "status": r.status, "op": format!("{:?}", r.op), "body": r.body})
                })
                .collect();
            Reply::ok(json!({ "items": items }))
        }
        ["_sim", "databases", db, "webhooks"] => match db.parse() {
            Ok(db) => Reply::ok(
                json!({ "items": shared.store.lock().webhooks_with_fields(DatabaseId(db)) }),
            ),
            Err(_) => Reply::error(400, "bad database id"),
        },
        ["_sim", "databases", db, "tickets"] if post => {
            let Ok(db) = db.parse() else {
                return Reply::error(400, "bad database id");
            };
            let title = json
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("Simulated ticket");
            let mut fields = Map::new();
            fields.insert("title".into(), title.into());
            match shared
                .store
                .lock()
                .create_ticket(DatabaseId(db), &fields, tech)
            {
                Ok(id) => Reply::ok(json!({ "id": id })),
                Err(e) => Reply::error(400, e),
            }
        }
        ["_sim", "databases", db, "tickets", id, "complete"] if post => {
            let (Ok(db), Ok(id)) = (db.parse(), id.parse()) else {
                return Reply::error(400, "bad id");
            };
            let resolution = json.get("resolution").cloned().unwrap_or(Value::Null);
            let mut changes = Map::new();
            changes.insert("status".into(), 5.into());
            changes.insert("resolution".into(), resolution);
            match shared
                .store
                .lock()
                .change_ticket(DatabaseId(db), id, &changes, tech)
            {
                Ok(()) => Reply::ok(json!({ "id": id })),
                Err(e) => Reply::error(404, e),
            }
        }
        _ => Reply::error(404, "Unknown control route."),
    }
}
