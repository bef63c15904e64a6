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
        .service(resource("/healthz").route(web::get().to(health::healthz)))
        .service(resource("/readyz").route(web::get().to(health::readyz)))
        .service(resource("/metrics").route(web::get().to(health::metrics)))
        .service(
            web::scope("/api/v1")
                .service(resource("/tenants").route(web::get().to(tenants::list)))
                .service(
                    resource("/tenants/{tenant_id}/autotask")
                        .route(web::put().to(connection::put))
                        .route(web::get().to(connection::get))
                        .route(web::delete().to(connection::delete)),
                )
                .service(
                    resource("/tenants/{tenant_id}/autotask/webhook/retry")
                        .route(web::post().to(connection::retry)),
                )
                .service(
                    resource("/tenants/{tenant_id}/events")
                        .route(web::post().to(events::link))
                        .route(web::get().to(events::list)),
                )
                .service(
                    resource("/tenants/{tenant_id}/events/{event_id}")
                        .route(web::get().to(events::get)),
                ),
        );
}

/// A resource whose other methods answer 405 in the API's error shape.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(|| async {
        HttpResponse::MethodNotAllowed().json(json!({"error": {
            "code": "method_not_allowed",
            "message": "this path does not take that method; see the README for the admin API"
        }}))
    }))
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
                actix_web::error::JsonPayloadError::Deserialize(error) => {
                    ApiError::bad_request("invalid_body", describe_json_error(error))
                }
                other => ApiError::bad_request(
                    "invalid_body",
                    format!("the JSON body is invalid: {other}"),
                ),
            };
            error.into()
        })
}

/// serde's message, except that a wrong value is never echoed (it may be a secret sent in the
/// wrong field or type): "invalid type: integer `123`, expected a string" keeps only what was
/// expected.
fn describe_json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!("at line {} column {}", error.line(), error.column());
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let expected = message
            .rsplit_once(", expected ")
            .map(|(_, rest)| rest.split(" at line ").next().unwrap_or(rest).to_owned())
            .unwrap_or_else(|| "another value".to_owned());
        format!(
            "the JSON body is invalid: a value has the wrong type or form {position}; \
             expected {expected}"
        )
    } else {
        format!("the JSON body is invalid: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Body {
        #[allow(dead_code)]
        secret: String,
    }

    #[test]
    fn wrong_values_are_not_echoed_but_field_names_are() {
        let error = serde_json::from_str::<Body>(r#"{"secret": 987654321}"#).expect_err("a number");
        let message = describe_json_error(&error);
        assert!(!message.contains("987654321"), "{message}");
        assert!(message.contains("expected a string"), "{message}");
        let error = serde_json::from_str::<Body>(r#"{"secret": "x", "x": 1}"#).map(|_| ());
        assert!(
            error.is_ok(),
            "unknown fields are the API's concern, not this helper's"
        );
        let error = serde_json::from_str::<Body>("{}").expect_err("missing");
        assert!(describe_json_error(&error).contains("missing field `secret`"));
    }
}
