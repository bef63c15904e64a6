//! The admin listener: `/api/v1` (bearer tokens), `/metrics`, `/healthz`, `/readyz`.
//! Paths and field names follow DESIGN.md's contract.

mod auth;
mod connection;
mod error;
mod events;
mod health;
mod status;
mod tenants;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::actors::{Registry, Routes, WebhookTemplate};
use crate::config::AdminToken;
use crate::metrics::HubMetrics;
use crate::store::Store;

pub use error::ApiError;
pub use status::ConnectionStatus;

/// What the admin handlers share.
#[derive(Debug)]
pub struct AdminState {
    pub store: Store,
    pub registry: Addr<Registry>,
    pub routes: Routes,
    pub metrics: Arc<HubMetrics>,
    pub webhook: WebhookTemplate,
    pub tokens: Vec<AdminToken>,
    /// How long PUT and retry wait for webhook setup before answering with its current state.
    pub setup_wait: Duration,
    /// Set once every stored connection has its actor back.
    pub ready: Arc<AtomicBool>,
}

/// Mounts every admin route on an actix-web app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(json_config())
        .app_data(web::PathConfig::default().error_handler(|error, _| {
            ApiError::bad_request("invalid_path", error.to_string()).into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::bad_request("invalid_query", error.to_string()).into()
        }))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .service(
            web::scope("/api/v1")
                .route("/tenants", web::get().to(tenants::list))
                .service(
                    web::resource("/tenants/{tenant_id}/autotask")
                        .route(web::put().to(connection::put))
                        .route(web::get().to(connection::get))
                        .route(web::delete().to(connection::delete)),
                )
                .route(
                    "/tenants/{tenant_id}/autotask/webhook/retry",
                    web::post().to(connection::retry),
                )
                .route("/tenants/{tenant_id}/events", web::post().to(events::link))
                .route("/tenants/{tenant_id}/events", web::get().to(events::list))
                .route(
                    "/tenants/{tenant_id}/events/{event_id}",
                    web::get().to(events::get),
                ),
        );
}

/// Unknown paths and methods answer in the same error shape as everything else.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({"error": {
        "code": "not_found",
        "message": "no such endpoint; the admin API lives under /api/v1 (see the README)"
    }}))
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .content_type_required(true)
        .error_handler(|error, _| {
            let error = match &error {
                actix_web::error::JsonPayloadError::ContentType => ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the body as JSON with Content-Type: application/json",
                ),
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => ApiError::new(
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "the body is larger than 64 KiB",
                ),
                other => ApiError::bad_request(
                    "invalid_body",
                    format!("the JSON body is invalid: {other}"),
                ),
            };
            error.into()
        })
}
