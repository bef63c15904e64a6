//! `/{Entity}/query`, `/query/count` and `/query/next`: filter parsing, evaluation and paging.

use super::reply::Reply;
use super::route::{Entity, QueryKind};
use super::Ctx;
use crate::filter::matches_all;
use crate::store::webhook::get_ci;
use serde_json::{json, Value};
use std::collections::HashMap;

const PAGE_MAX: usize = 500;

/// `pageDetails` object; `next` is the absolute next-page URL if there is more.
pub fn page_details(count: usize, next: Option<String>) -> Value {
    json!({"count": count, "requestCount": PAGE_MAX, "prevPageUrl": null, "nextPageUrl": next})
}

fn params(query: &str) -> HashMap<String, String> {
    actix_web::web::Query::<HashMap<String, String>>::from_query(query)
        .map(|q| q.into_inner())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn items(ctx: &Ctx, entity: Entity) -> Vec<Value> {
    let store = ctx.shared.store.lock();
    let Some(db) = store.dbs.get(&ctx.user.db) else {
        return Vec::new();
    };
    let echo = ctx.shared.config.echo_secret_key;
    match entity {
        Entity::Webhooks => db
            .webhooks
            .values()
            .filter(|w| ctx.sees(w))
            .map(|w| w.to_json(echo))
            .collect(),
        Entity::WebhookFields => db
            .fields
            .values()
            .filter(|f| ctx.visible(db, f.webhook_id).is_some())
            .map(|f| f.to_json())
            .collect(),
        Entity::Tickets => db.tickets.values().cloned().map(Value::Object).collect(),
        Entity::ErrorLogs => db.error_log.clone(),
    }
}

/// Keeps only IncludeFields (plus id, which paging needs).
fn project(item: Value, include: &[String]) -> Value {
    match item {
        Value::Object(map) if !include.is_empty() => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k == "id" || include.iter().any(|i| i.eq_ignore_ascii_case(k)))
                .collect(),
        ),
        other => other,
    }
}

pub fn run(ctx: &Ctx, entity: Entity, kind: QueryKind, body: Option<&Value>) -> Reply {
    let p = params(ctx.query_string);
    let spec: Value = match (body, p.get("search")) {
        (Some(b), _) if kind != QueryKind::Next => b.clone(),
        (_, Some(s)) => match serde_json::from_str(s) {
            Ok(v) => v,
            Err(_) => return Reply::error(400, "The search parameter is not valid JSON."),
        },
        _ => return Reply::error(400, "A query body or search parameter is required."),
    };
    let Some(spec_map) = spec.as_object() else {
        return Reply::error(400, "The query must be a JSON object.");
    };
    let filter = match get_ci(spec_map, "filter").and_then(Value::as_array) {
        Some(f) if !f.is_empty() => f.clone(),
        _ => return Reply::error(400, "Invalid query syntax: filter is required."),
    };
    let max = get_ci(spec_map, "MaxRecords")
        .and_then(Value::as_u64)
        .map_or(PAGE_MAX, |m| (m as usize).clamp(1, PAGE_MAX));
    let include: Vec<String> = get_ci(spec_map, "IncludeFields")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for item in items(ctx, entity) {
        match matches_all(&item, &filter) {
            Ok(true) => found.push(item),
            Ok(false) => {}
            Err(e) => return Reply::error(400, e),
        }
    }
    if kind == QueryKind::Count {
        return Reply::ok(json!({ "queryCount": found.len() }));
    }
    let offset = if kind == QueryKind::Next {
        p.get("paging")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(0)
    } else {
        0
    };
    let total = found.len();
    let page: Vec<Value> = found
        .into_iter()
        .skip(offset)
        .take(max)
        .map(|i| project(i, &include))
        .collect();
    let next = (offset + page.len() < total).then(|| {
        format!(
            "{}/ATServicesRest/V1.0/{}/query/next?paging={}&search={}",
            ctx.shared.base_url,
            entity.url_name(),
            offset + page.len(),
            encode(&spec.to_string())
        )
    });
    Reply::ok(json!({ "items": page, "pageDetails": page_details(page.len(), next) }))
}
