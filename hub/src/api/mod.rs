//! The admin listener: `/api/v1` (bearer tokens), `/metrics`, `/healthz`, `/readyz`.
//! Paths and field names follow DESIGN.md's contract.

mod auth;
mod connection;
mod error;
mod events;
mod health;
mod object;
mod openapi;
mod responses;
mod routes;
pub(crate) mod schema;
mod status;
mod tenants;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};

use crate::actors::{Registry, Routes, WebhookTemplate};
use crate::config::AdminToken;
use crate::metrics::HubMetrics;
use crate::store::Store;

pub use error::{ApiError, ErrorCode};
pub use openapi::document as openapi_document;
pub use routes::mounted as mounted_routes;
pub(crate) use schema::DriftSchema;
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
            ApiError::bad_request(ErrorCode::InvalidPath, error.to_string()).into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()).into()
        }));
    routes::mount(cfg);
}

/// Unknown paths answer in the same error shape as everything else.
pub async fn not_found() -> HttpResponse {
    ApiError::not_found(
        ErrorCode::NotFound,
        "no such endpoint; the admin API lives under /api/v1 (see /api/v1/openapi.json)",
    )
    .error_response()
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .content_type_required(true)
        .error_handler(|error, _| {
            let error = match &error {
                actix_web::error::JsonPayloadError::ContentType => ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ErrorCode::UnsupportedMediaType,
                    "send the body as JSON with Content-Type: application/json",
                ),
                actix_web::error::JsonPayloadError::Overflow { .. }
                | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::BodyTooLarge,
                    "the body is larger than 64 KiB",
                ),
                actix_web::error::JsonPayloadError::Deserialize(error) => {
                    ApiError::bad_request(ErrorCode::InvalidBody, describe_json_error(error))
                }
                other => ApiError::bad_request(
                    ErrorCode::InvalidBody,
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
