//! `/healthz` (the process answers), `/readyz` (the database answers and every connection has
//! its actor back) and `/metrics` (Prometheus text format).

use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::AdminState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

pub async fn readyz(state: web::Data<AdminState>) -> HttpResponse {
    if !state.ready.load(Ordering::Acquire) {
        return HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not_ready", "reason": "connection actors are starting"}));
    }
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(error) => {
            tracing::warn!(%error, "readiness check: the database does not answer");
            HttpResponse::ServiceUnavailable()
                .json(json!({"status": "not_ready", "reason": "the database does not answer"}))
        }
    }
}

pub async fn metrics(state: web::Data<AdminState>) -> HttpResponse {
    match state.store.connection_states().await {
        Ok(counts) => state.metrics.set_connection_states(&counts),
        Err(error) => tracing::warn!(%error, "cannot count connections by state for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.encode())
}
