//! Per-request pipeline: route, authenticate, enforce limits, apply faults, handle, log.

use super::reply::Reply;
use super::route::{self, Entity, Route};
use super::{auth, control, fields, meta, query, tickets, webhooks, Ctx};
use crate::faults::{self, FaultKind};
use crate::log::LoggedRequest;
use crate::shared::Shared;
use actix_web::http::Method;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

pub async fn entry(req: HttpRequest, body: Bytes, shared: Data<Shared>) -> HttpResponse {
    let shared: &Shared = &shared;
    if req.path().to_ascii_lowercase().starts_with("/_sim") {
        return control::handle(&req, &body, shared).into_response();
    }
    let route = route::parse(req.method(), req.path());
    let reply = process(&req, &body, shared, &route).await;
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_ascii_lowercase(), value)
        })
        .collect();
    shared.requests.lock().push(LoggedRequest {
        method: req.method().to_string(),
        path: req.path().to_string(),
        query: req.query_string().to_string(),
        headers,
        body: serde_json::from_slice(&body).ok(),
        status: reply.status,
        op: route.op(),
    });
    reply.into_response()
}

async fn process(req: &HttpRequest, body: &Bytes, shared: &Shared, route: &Route) -> Reply {
    if *route == Route::Zone {
        return meta::zone(shared, req.query_string());
    }
    if *route == Route::NotFound {
        return Reply::error(
            404,
            format!("The requested resource {} was not found.", req.path()),
        );
    }
    let user = match auth::check(req, shared) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let cfg = &shared.config;
    if let Err(wait) =
        shared
            .threshold
            .admit(user.db, cfg.requests_per_hour, cfg.threshold_window())
    {
        return Reply::error(
            cfg.threshold_status,
            format!(
                "Request Threshold Exceeded: more than {} requests in the last 60 minutes for this database.",
                cfg.requests_per_hour
            ),
        )
        .with_header("Retry-After", wait.to_string());
    }
    let endpoint = route::segments(req.path())
        .and_then(|s| s.into_iter().next())
        .unwrap_or_default();
    let Some(_slot) = shared.threads.acquire(
        user.db,
        &user.user.integration_code,
        &endpoint,
        cfg.thread_limit,
    ) else {
        return Reply::error(
            cfg.threshold_status,
            format!(
                "Itgenatr005 Thread Threshold Exceeded: more than {} concurrent requests for this integration and endpoint.",
                cfg.thread_limit
            ),
        );
    };
    let fault = faults::take(&mut shared.faults.lock(), route.op());
    let mut fail_after = None;
    match fault {
        Some(FaultKind::Status { status, body }) => {
            return Reply {
                status,
                body,
                headers: Vec::new(),
            };
        }
        Some(FaultKind::CreateThenFail { status, body }) => {
            fail_after = Some(Reply {
                status,
                body,
                headers: Vec::new(),
            })
        }
        Some(FaultKind::Latency(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let json = match parse_body(req.method(), body, route) {
        Ok(j) => j,
        Err(r) => return r,
    };
    let ctx = Ctx {
        shared,
        user,
        query_string: req.query_string(),
    };
    let reply = handle(&ctx, route, json.as_ref());
    fail_after.unwrap_or(reply)
}

/// Write calls need a JSON body; a GET query carries its filter in `search` instead.
fn parse_body(method: &Method, body: &Bytes, route: &Route) -> Result<Option<Value>, Reply> {
    let needs = matches!(
        route,
        Route::WebhookCreate
            | Route::WebhookUpdate
            | Route::FieldCreate(_)
            | Route::TicketCreate
            | Route::TicketUpdate
    );
    if body.is_empty() {
        return if needs {
            Err(Reply::error(400, "A JSON request body is required."))
        } else {
            Ok(None)
        };
    }
    if *method == Method::GET || *method == Method::DELETE {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| Reply::error(400, format!("The request body is not valid JSON: {e}")))
}

fn handle(ctx: &Ctx, route: &Route, body: Option<&Value>) -> Reply {
    let needs_tickets = matches!(
        route,
        Route::TicketCreate
            | Route::TicketGet(_)
            | Route::TicketUpdate
            | Route::Query(Entity::Tickets, _)
            | Route::EntityFields(Entity::Tickets)
    );
    if needs_tickets && !ctx.user.user.ticket_access {
        return Reply::error(
            403,
            "The logged in Resource does not have the required permissions for Tickets.",
        );
    }
    let null = Value::Null;
    let b = body.unwrap_or(&null);
    match route {
        Route::Threshold => meta::threshold(ctx),
        Route::EntityInfo(e) => meta::entity_info(ctx, *e),
        Route::EntityFields(e) => meta::entity_fields(ctx, *e),
        Route::WebhookCreate => webhooks::create(ctx, b),
        Route::WebhookGet(id) => webhooks::get(ctx, *id),
        Route::WebhookUpdate => webhooks::update(ctx, b),
        Route::WebhookDelete(id) => webhooks::delete(ctx, *id),
        Route::FieldList(pid) => fields::list(ctx, *pid),
        Route::FieldCreate(pid) => fields::create(ctx, *pid, b),
        Route::FieldGet(pid, id) => fields::get(ctx, Some(*pid), *id),
        Route::FieldRootGet(id) => fields::get(ctx, None, *id),
        Route::FieldDelete(pid, id) => fields::delete(ctx, *pid, *id),
        Route::TicketCreate => tickets::create(ctx, b),
        Route::TicketGet(id) => tickets::get(ctx, *id),
        Route::TicketUpdate => tickets::update(ctx, b),
        Route::Query(e, kind) => query::run(ctx, *e, *kind, body),
        Route::Zone | Route::NotFound => Reply::error(404, "Not found."),
    }
}
