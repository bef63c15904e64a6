//! `/healthz` (the process answers), `/readyz` (the database answers and every connection has
//! its actor back) and `/metrics` (Prometheus text format).

use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::json;

use super::AdminState;
use crate::actors::schedule::FAILING_LONG;
use crate::actors::Readiness;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready means: both listeners serve, every stored connection has its actor, and the database
/// answers. Each reason it is not is named.
pub async fn readyz(state: web::Data<AdminState>) -> HttpResponse {
    let mut reasons = Vec::new();
    if !state.ready.load(Ordering::Acquire) {
        reasons.push("the listeners and connection actors are starting".to_owned());
    }
    match state.registry.send(Readiness).await {
        Ok(actors) => {
            if actors.unreadable > 0 {
                reasons.push(format!(
                    "{} stored connection(s) could not be read and have no actor (see the log; \
                     a different secrets.master_key?)",
                    actors.unreadable
                ));
            }
            if actors.stopped > 0 {
                reasons.push(format!("{} connection actor(s) stopped", actors.stopped));
            }
        }
        Err(_) => reasons.push("the connection registry is not running".to_owned()),
    }
    if let Err(error) = state.store.ping().await {
        tracing::warn!(%error, "readiness check: the database does not answer");
        reasons.push("the database does not answer".to_owned());
    }
    if reasons.is_empty() {
        HttpResponse::Ok().json(json!({"status": "ready"}))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({
            "status": "not_ready",
            "reason": reasons.join("; "),
            "reasons": reasons,
        }))
    }
}

pub async fn metrics(state: web::Data<AdminState>) -> HttpResponse {
    match state.store.connection_states().await {
        Ok(counts) => state.metrics.set_connection_states(&counts),
        Err(error) => tracing::warn!(%error, "cannot count connections by state for /metrics"),
    }
    let day_ago = Utc::now() - chrono::Duration::from_std(FAILING_LONG).unwrap_or_default();
    match state
        .store
        .failing_since_before(day_ago.timestamp_millis())
        .await
    {
        Ok(n) => state.metrics.connections_failing_long.set(n),
        Err(error) => tracing::warn!(%error, "cannot count long-failing connections for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.encode())
}
