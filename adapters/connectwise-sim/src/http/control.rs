//! `/_sim/...` control API for manual use of the binary (not part of ConnectWise).

use super::reply::Reply;
use crate::ids::CompanyId;
use crate::shared::Shared;
use crate::store::Store;
use actix_web::http::Method;
use actix_web::HttpRequest;
use serde_json::{json, Map, Value};

pub fn handle(req: &HttpRequest, body: &[u8], shared: &Shared) -> Reply {
    let segs: Vec<&str> = req.path().split('/').filter(|s| !s.is_empty()).collect();
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let post = req.method() == Method::POST;
    let tech = shared.config.technician.clone();
    let mut store = shared.store.lock();
    match segs.as_slice() {
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
            Reply::ok(Value::Array(items))
        }
        ["_sim", "companies", c, "callbacks"] => {
            let items: Vec<Value> = store
                .company(&CompanyId::new(c))
                .map(|c| c.callbacks.values().map(|cb| cb.to_json()).collect())
                .unwrap_or_default();
            Reply::ok(Value::Array(items))
        }
        ["_sim", "companies", c, "tickets"] if post => {
            let summary = json
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or("Simulated ticket");
            let mut body = Map::new();
            body.insert("summary".into(), summary.into());
            match store.create_ticket(&CompanyId::new(c), body, &tech) {
                Ok(id) => Reply::ok(json!({"id": id})),
                Err(e) => Reply::bad_request(format!("{e:?}")),
            }
        }
        ["_sim", "companies", c, "tickets", id, action] if post => {
            ticket_action(&mut store, c, id, action, &json, &tech)
        }
        _ => Reply::error(404, "NotFound", "Unknown control route."),
    }
}

/// `POST /_sim/companies/{c}/tickets/{id}/close` (`{"resolution"}`) or `/reopen`.
fn ticket_action(
    store: &mut Store,
    company: &str,
    id: &str,
    action: &str,
    json: &Value,
    tech: &str,
) -> Reply {
    let Ok(id) = id.parse() else {
        return Reply::bad_request("bad ticket id");
    };
    let company = CompanyId::new(company);
    let resolution = json
        .get("resolution")
        .and_then(Value::as_str)
        .unwrap_or("Resolved.");
    let done = match action {
        "close" => store.close_ticket(&company, id, resolution, tech),
        "reopen" => store.reopen_ticket(&company, id, tech),
        _ => return Reply::bad_request("unknown action"),
    };
    match done {
        Ok(()) => Reply::ok(json!({"id": id})),
        Err(e) => Reply::bad_request(format!("{e:?}")),
    }
}
