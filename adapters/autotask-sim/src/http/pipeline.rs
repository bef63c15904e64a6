//! Per-request pipeline: log at arrival, route, authenticate, enforce limits, apply faults, handle.

use super::incoming::Incoming;
use super::reply::Reply;
use super::route::{self, Entity, Route};
use super::{auth, control, fields, meta, query, tickets, verbose, webhooks, Ctx};
use crate::faults::{self, FaultKind};
use crate::limits::SlotGuard;
use crate::shared::Shared;
use crate::store::UserRecord;
use actix_web::http::Method;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;
use std::sync::Arc;

pub async fn entry(req: HttpRequest, body: Bytes, shared: Data<Shared>) -> HttpResponse {
    if req.path().to_ascii_lowercase().starts_with("/_sim") {
        return control::handle(&req, &body, &shared).into_response();
    }
    let incoming = Arc::new(Incoming::new(&req, body));
    let route = route::parse(&incoming.method, &incoming.path);
    let serial = shared.requests.arrived(incoming.logged(route.op()));
    let shared = shared.into_inner();
    // A task of its own: actix drops this handler when the client hangs up, but a real server
    // finishes the work it started (a held create still creates the webhook).
    let task = tokio::spawn(answer(shared.clone(), incoming.clone(), route, serial));
    let reply = match task.await {
        Ok(reply) => reply,
        Err(_) => {
            let reply = Reply::error(500, "An unexpected error occurred.");
            let reply = verbose::reshape(reply, &incoming, &shared.config);
            shared.requests.answered(serial, reply.status);
            reply
        }
    };
    reply.into_response()
}

/// Processes a request and records its status before the answer goes out.
async fn answer(shared: Arc<Shared>, req: Arc<Incoming>, route: Route, serial: u64) -> Reply {
    let reply = process(&req, &shared, &route).await;
    let reply = verbose::reshape(reply, &req, &shared.config);
    shared.requests.answered(serial, reply.status);
    reply
}

async fn process(req: &Incoming, shared: &Shared, route: &Route) -> Reply {
    if *route == Route::Zone {
        return meta::zone(shared, &req.query);
    }
    if *route == Route::NotFound {
        return Reply::error(
            404,
            format!("The requested resource {} was not found.", req.path),
        );
    }
    let user = match auth::check(req, shared) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let _slot = match admit(req, shared, &user) {
        Ok(slot) => slot,
        Err(r) => return r,
    };
    let fault = faults::take(&mut shared.faults.lock(), route.op());
    let mut fail_after = None;
    match fault {
        Some(FaultKind::Status { status, body }) => return Reply::injected(status, body),
        Some(FaultKind::CreateThenFail { status, body }) => {
            fail_after = Some(Reply::injected(status, body))
        }
        Some(FaultKind::Latency(d)) => {
            let _held = shared.held.enter(route.op());
            tokio::time::sleep(d).await;
        }
        Some(FaultKind::Hold(gate)) => {
            let _held = shared.held.enter(route.op());
            gate.pass().await;
        }
        None => {}
    }
    let json = match parse_body(&req.method, &req.body, route) {
        Ok(j) => j,
        Err(r) => return r,
    };
    let ctx = Ctx {
        shared,
        user,
        query_string: &req.query,
    };
    let reply = handle(&ctx, route, json.as_ref());
    fail_after.unwrap_or(reply)
}

/// The database's rolling request threshold, then a thread slot for this integration and endpoint.
fn admit(req: &Incoming, shared: &Shared, user: &UserRecord) -> Result<SlotGuard, Reply> {
    let cfg = &shared.config;
    if let Err(wait) =
        shared
            .threshold
            .admit(user.db, cfg.requests_per_hour, cfg.threshold_window())
    {
        return Err(Reply::error(
            cfg.threshold_status,
            format!(
                "Request Threshold Exceeded: more than {} requests in the last 60 minutes for this database.",
                cfg.requests_per_hour
            ),
        )
        .with_header("Retry-After", wait.to_string()));
    }
    let endpoint = route::segments(&req.path)
        .and_then(|s| s.into_iter().next())
        .unwrap_or_default();
    shared
        .threads
        .acquire(
            user.db,
            &user.user.integration_code,
            &endpoint,
            cfg.thread_limit,
        )
        .ok_or_else(|| {
            Reply::error(
                cfg.threshold_status,
                format!(
                    "Itgenatr005 Thread Threshold Exceeded: more than {} concurrent requests for this integration and endpoint.",
                    cfg.thread_limit
                ),
            )
        })
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
