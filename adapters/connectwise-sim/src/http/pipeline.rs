//! Per-request pipeline: log at arrival, route, check clientId and credentials, rate-limit,
//! apply faults, parse the body, handle.

use super::incoming::Incoming;
use super::reply::Reply;
use super::route::{self, Api, Route};
use super::{auth, control, site, Ctx};
use crate::faults::{self, FaultKind};
use crate::log::Op;
use crate::shared::Shared;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{json, Value};
use std::sync::Arc;

pub async fn entry(req: HttpRequest, body: Bytes, shared: Data<Shared>) -> HttpResponse {
    if req.path().to_ascii_lowercase().starts_with("/_sim") {
        return control::handle(&req, &body, &shared).into_response();
    }
    let incoming = Arc::new(Incoming::new(&req, body));
    let codebase = shared.config.codebase_segment();
    let route = route::parse(&incoming.method, &incoming.path, &codebase);
    let serial = shared.requests.arrived(incoming.logged(route.op()));
    let shared = shared.into_inner();
    // A task of its own: actix drops this handler when the client hangs up, but a real server
    // finishes the work it started (a held create still creates the callback).
    let task = tokio::spawn(answer(shared.clone(), incoming, route, serial));
    let reply = match task.await {
        Ok(reply) => reply,
        Err(_) => {
            let reply = Reply::error(500, "ConnectWiseApi", "An unexpected error occurred.");
            shared.requests.answered(serial, reply.status);
            reply
        }
    };
    reply.into_response()
}

/// Processes a request and records its status before the answer goes out.
async fn answer(shared: Arc<Shared>, req: Arc<Incoming>, route: Route, serial: u64) -> Reply {
    let reply = match process(&req, &shared, route).await {
        Ok(reply) | Err(reply) => reply.finish(shared.config.empty_errors),
    };
    shared.requests.answered(serial, reply.status);
    reply
}

async fn process(req: &Incoming, shared: &Shared, route: Route) -> Result<Reply, Reply> {
    let length = req.path.len() + req.query.len() + 1;
    if shared.config.max_url_length.is_some_and(|max| length > max) {
        return Ok(Reply::json(
            414,
            json!({"code": "ConnectWiseApi", "message": "Request-URI Too Long"}),
        ));
    }
    match route {
        Route::NotFound => Ok(Reply::no_endpoint()),
        Route::CompanyInfo(id) => {
            let fail_after = fault(shared, Op::CompanyInfo).await?;
            Ok(fail_after.unwrap_or_else(|| site::company_info(shared, &id)))
        }
        Route::CallbackKey => {
            let fail_after = fault(shared, Op::CallbackKey).await?;
            Ok(fail_after.unwrap_or_else(|| site::callback_key(shared, &req.query)))
        }
        Route::Api(api) => call(req, shared, api).await,
    }
}

async fn call(req: &Incoming, shared: &Shared, api: Api) -> Result<Reply, Reply> {
    auth::client_id(req, shared)?;
    let (company, member) = auth::member(req, shared)?;
    admit(shared, &company.key())?;
    let fail_after = fault(shared, api.op()).await?;
    let body = parse_body(req)?;
    let ctx = Ctx {
        shared,
        company,
        member,
        path: &req.path,
        query: &req.query,
    };
    let reply = super::dispatch::handle(&ctx, &api, body.as_ref()).unwrap_or_else(|r| r);
    Ok(fail_after.unwrap_or(reply))
}

/// The company's rolling request rate: 429 with Retry-After and the guide's body.
fn admit(shared: &Shared, company: &str) -> Result<(), Reply> {
    let cfg = &shared.config;
    let window = cfg.scaled(cfg.rate_window);
    shared
        .rate
        .admit(company, cfg.requests_per_window, window)
        .map_err(|wait| {
            let message = format!("Too many requests. Please try again in {wait} seconds.");
            Reply::json(429, json!({"error": "ConnectWiseAPI", "message": message}))
                .with_header("Retry-After", wait.to_string())
        })
}

/// Consumes a fault for `op`: Err answers at once, Ok(Some) answers after doing the work.
async fn fault(shared: &Shared, op: Op) -> Result<Option<Reply>, Reply> {
    let taken = faults::take(&mut shared.faults.lock(), op);
    match taken {
        Some(FaultKind::Status { status, body }) => Err(Reply::json(status, body)),
        Some(FaultKind::CreateThenFail { status, body }) => Ok(Some(Reply::json(status, body))),
        Some(FaultKind::Latency(d)) => {
            let _held = shared.held.enter(op);
            tokio::time::sleep(d).await;
            Ok(None)
        }
        Some(FaultKind::Hold(gate)) => {
            let _held = shared.held.enter(op);
            gate.pass().await;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// A JSON body where one was sent; reads of GET and DELETE ignore theirs.
fn parse_body(req: &Incoming) -> Result<Option<Value>, Reply> {
    if req.body.is_empty() || req.method == "GET" || req.method == "DELETE" {
        return Ok(None);
    }
    serde_json::from_slice(&req.body)
        .map(Some)
        .map_err(|e| Reply::bad_request(format!("The request body is not valid JSON: {e}")))
}
