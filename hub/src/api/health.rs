//! `/healthz` (the process answers), `/readyz` (the database answers and every connection has
//! its actor back) and `/metrics` (Prometheus text format).

use std::sync::atomic::Ordering;

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::AdminState;
use crate::actors::schedule::FAILING_LONG;
use crate::actors::Readiness;

/// The answer of `/healthz` (`ok`) and of a ready `/readyz` (`ready`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// The answer of `/readyz` while the hub is not ready.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotReady {
    /// Always `not_ready`.
    #[schema(value_type = String)]
    status: &'static str,
    /// The reasons, joined.
    reason: String,
    reasons: Vec<String>,
}

/// The process answers (no authentication).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "The process runs", body = Health))
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Ready means: both listeners serve, every stored connection has its actor, and the database
/// answers. Each reason it is not is named (no authentication).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready, and why", body = NotReady),
    )
)]
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
        }
        Err(_) => reasons.push("the connection registry is not running".to_owned()),
    }
    if let Err(error) = state.store.ping().await {
        tracing::warn!(%error, "readiness check: the database does not answer");
        reasons.push("the database does not answer".to_owned());
    }
    if reasons.is_empty() {
        HttpResponse::Ok().json(Health { status: "ready" })
    } else {
        HttpResponse::ServiceUnavailable().json(NotReady {
            status: "not_ready",
            reason: reasons.join("; "),
            reasons,
        })
    }
}

/// Prometheus metrics in the text exposition format (no authentication).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "The metrics", body = String, content_type = "text/plain"))
)]
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
        Ok(counts) => state.metrics.set_failing_long(&counts),
        Err(error) => tracing::warn!(%error, "cannot count long-failing connections for /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.encode())
}
