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

use psa_proto::{describe_json_error, PsaName};

use crate::actors::{Registry, Routes};
use crate::config::AdminToken;
use crate::metrics::HubMetrics;
use crate::psa::Psas;
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
    pub psas: Psas,
    /// The OpenAPI document, built once for these PSAs.
    pub openapi: Arc<str>,
    pub tokens: Vec<AdminToken>,
    /// How long PUT and retry wait for webhook setup before answering with its current state.
    pub setup_wait: Duration,
    /// Set once every stored connection has its actor back.
    pub ready: Arc<AtomicBool>,
}

/// Mounts every admin route on an actix-web app, the connection routes once per PSA.
pub fn configure(cfg: &mut web::ServiceConfig, psas: &[PsaName]) {
    cfg.app_data(json_config())
        .app_data(web::PathConfig::default().error_handler(|error, _| {
            ApiError::bad_request(ErrorCode::InvalidPath, error.to_string()).into()
        }))
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::bad_request(ErrorCode::InvalidQuery, error.to_string()).into()
        }));
    routes::mount(cfg, psas);
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
