//! The public listener: Autotask's signed callouts and its deactivation calls, nothing else.
//! Each callout goes: route by token → size cap and JSON → verify → parse → deduplicate and
//! commit → 2xx. A 2xx is only sent once the effect is committed.

use std::sync::Arc;
use std::time::Instant;

use actix::Addr;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use psa_autotask::{AutotaskCallouts, SIGNATURE_HEADER};
use psa_proto::{CalloutFormat, Verified, WebhookSecret};
use serde_json::json;

use crate::actors::{Hint, Registry, Route, Routes};
use crate::metrics::{CalloutOutcome, HubMetrics};
use crate::store::{CalloutEffect, DedupeKey, Store};

/// What the public handlers share.
#[derive(Debug)]
pub struct IngestState {
    pub store: Store,
    pub routes: Routes,
    pub registry: Addr<Registry>,
    pub metrics: Arc<HubMetrics>,
    pub max_body_bytes: usize,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/hooks/autotask/{hook_token}", web::post().to(callout))
        .route(
            "/hooks/autotask/{hook_token}/deactivated",
            web::post().to(deactivated),
        );
}

pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .json(json!({"error": {"code": "not_found", "message": "no such endpoint"}}))
}

async fn callout(
    req: HttpRequest,
    token: web::Path<String>,
    payload: web::Payload,
    state: web::Data<IngestState>,
) -> HttpResponse {
    let started = Instant::now();
    let (outcome, response) = handle(&req, &token, payload, &state).await;
    state.metrics.callout(outcome, started.elapsed());
    response
}

async fn handle(
    req: &HttpRequest,
    token: &str,
    payload: web::Payload,
    state: &IngestState,
) -> (CalloutOutcome, HttpResponse) {
    let Some(route) = state.routes.get(token) else {
        return reject(
            CalloutOutcome::UnknownToken,
            StatusCode::NOT_FOUND,
            "unknown hook token",
        );
    };
    if let Err(wait) = route.limit.take() {
        return rate_limited(wait);
    }
    if !is_json(req) {
        return reject(
            CalloutOutcome::UnsupportedMediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the callout must be sent with Content-Type: application/json",
        );
    }
    let body = match read_capped(req, payload, state.max_body_bytes).await {
        Ok(body) => body,
        Err(outcome) => return outcome,
    };
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    if signature.is_none() && psa_autotask::callout::is_deactivation_notice(&body) {
        // Unsigned by Autotask's design: only a reason to look, never a change by itself.
        state.registry.do_send(Hint {
            tenant: route.tenant.clone(),
        });
        return accept(CalloutOutcome::DeactivationHint, StatusCode::ACCEPTED);
    }
    verify_and_apply(&route, signature, &body, state).await
}

/// Verifies the signature, understands the body, and commits its effect.
async fn verify_and_apply(
    route: &Route,
    signature: Option<&str>,
    body: &[u8],
    state: &IngestState,
) -> (CalloutOutcome, HttpResponse) {
    let secrets: Vec<&WebhookSecret> = route.secrets.iter().collect();
    let verified = match Verified::check(&AutotaskCallouts, &secrets, signature, body) {
        Ok(verified) => verified,
        Err(error) => {
            tracing::warn!(tenant = %route.tenant, %error, "callout refused");
            return reject(
                CalloutOutcome::BadSignature,
                StatusCode::UNAUTHORIZED,
                &error.to_string(),
            );
        }
    };
    let change = match AutotaskCallouts.parse(&verified) {
        Ok(change) => change,
        Err(error) => {
            tracing::warn!(tenant = %route.tenant, %error, "signed callout cannot be read");
            return reject(
                CalloutOutcome::Malformed,
                StatusCode::BAD_REQUEST,
                &error.to_string(),
            );
        }
    };
    let key = DedupeKey::for_change(&change, &AutotaskCallouts.dedupe_form(body));
    let applied = state
        .store
        .apply_callout(&route.tenant, &key, &change)
        .await;
    match applied {
        Ok(effect) => {
            if let CalloutEffect::Closed { events } = effect {
                state.metrics.events_closed.inc_by(events);
            }
            tracing::info!(
                tenant = %route.tenant,
                ticket_id = %change.ticket_id,
                effect = effect.as_str(),
                form = verified.form().as_str(),
                "callout applied"
            );
            accept(outcome_of(effect), StatusCode::OK)
        }
        Err(error) => {
            // Not acknowledged, so Autotask delivers it again.
            tracing::error!(tenant = %route.tenant, %error, "callout could not be committed");
            reject(
                CalloutOutcome::Error,
                StatusCode::SERVICE_UNAVAILABLE,
                "the callout could not be stored; deliver it again",
            )
        }
    }
}

async fn deactivated(token: web::Path<String>, state: web::Data<IngestState>) -> HttpResponse {
    let started = Instant::now();
    let (outcome, response) = match state.routes.get(&token) {
        Some(route) => match route.limit.take() {
            Err(wait) => rate_limited(wait),
            Ok(()) => {
                tracing::info!(tenant = %route.tenant, "Autotask called the deactivation URL");
                state.registry.do_send(Hint {
                    tenant: route.tenant,
                });
                accept(CalloutOutcome::DeactivationHint, StatusCode::ACCEPTED)
            }
        },
        None => reject(
            CalloutOutcome::UnknownToken,
            StatusCode::NOT_FOUND,
            "unknown hook token",
        ),
    };
    state.metrics.callout(outcome, started.elapsed());
    response
}

fn outcome_of(effect: CalloutEffect) -> CalloutOutcome {
    match effect {
        CalloutEffect::Duplicate => CalloutOutcome::Duplicate,
        CalloutEffect::Closed { .. } => CalloutOutcome::Closed,
        CalloutEffect::AlreadyClosed => CalloutOutcome::AlreadyClosed,
        CalloutEffect::Unlinked => CalloutOutcome::Unlinked,
        CalloutEffect::CreatedAtMismatch => CalloutOutcome::CreatedAtMismatch,
        CalloutEffect::Recorded => CalloutOutcome::Recorded,
        CalloutEffect::Superseded => CalloutOutcome::Superseded,
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads at most `cap` bytes; a declared or actual larger body is refused without reading on.
async fn read_capped(
    req: &HttpRequest,
    mut payload: web::Payload,
    cap: usize,
) -> Result<Vec<u8>, (CalloutOutcome, HttpResponse)> {
    let too_large = || {
        reject(
            CalloutOutcome::TooLarge,
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the callout body is larger than {cap} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(cap));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            reject(
                CalloutOutcome::Malformed,
                StatusCode::BAD_REQUEST,
                &format!("cannot read the body: {error}"),
            )
        })?;
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Over the token's rate: Autotask delivers it again later (Retry-After in whole seconds).
fn rate_limited(wait: std::time::Duration) -> (CalloutOutcome, HttpResponse) {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let (outcome, mut response) = reject(
        CalloutOutcome::RateLimited,
        StatusCode::TOO_MANY_REQUESTS,
        "too many callouts on this hook URL; deliver again after Retry-After seconds",
    );
    if let Ok(value) = header::HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    (outcome, response)
}

fn accept(outcome: CalloutOutcome, status: StatusCode) -> (CalloutOutcome, HttpResponse) {
    (
        outcome,
        HttpResponse::build(status).json(json!({"outcome": outcome.as_str()})),
    )
}

fn reject(
    outcome: CalloutOutcome,
    status: StatusCode,
    message: &str,
) -> (CalloutOutcome, HttpResponse) {
    let code = outcome.as_str();
    (
        outcome,
        HttpResponse::build(status).json(json!({"error": {"code": code, "message": message}})),
    )
}
