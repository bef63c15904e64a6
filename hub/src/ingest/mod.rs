//! The public listener: the PSAs' signed callouts and their deactivation calls, nothing else.
//! Each callout goes: route by token (and PSA) → rate limit → size cap and JSON → the PSA's
//! verification and parsing → deduplicate and commit → 2xx. A 2xx is only sent once the effect
//! is committed; what cannot be committed gets 429, which every PSA delivers again.

mod answers;
mod body;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::Addr;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use psa_proto::{Callout, CalloutKeys, CalloutRefused, PsaName};
use serde_json::json;

use crate::actors::{Hint, LookupDue, Registry, Route, Routes};
use crate::metrics::{CalloutOutcome, HubMetrics};
use crate::psa::{Psa, Psas};
use crate::store::{CalloutEffect, Store};
use answers::{accept, rate_limited, reject, try_again, unknown_token, Answer};
use body::{is_json, read_capped};

/// How long a PSA is asked to wait before delivering again what could not be stored.
const STORE_RETRY: Duration = Duration::from_secs(5);

/// What the public handlers share.
#[derive(Debug)]
pub struct IngestState {
    pub store: Store,
    pub psas: Psas,
    pub routes: Routes,
    pub registry: Addr<Registry>,
    pub metrics: Arc<HubMetrics>,
    pub max_body_bytes: usize,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/hooks/{psa}/{hook_token}", web::post().to(callout))
        .route(
            "/hooks/{psa}/{hook_token}/deactivated",
            web::post().to(deactivated),
        );
}

pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .json(json!({"error": {"code": "not_found", "message": "no such endpoint"}}))
}

/// The connection a `/hooks/{psa}/{token}` path routes to: the token must be known and be a
/// token of that PSA (a token used on another PSA's path is unknown there).
fn routed<'a>(state: &'a IngestState, psa: &str, token: &str) -> Option<(Route, &'a Psa)> {
    let psa = state.psas.named(psa)?;
    let route = state.routes.get(token)?;
    (route.key.psa == psa.name()).then_some((route, psa))
}

async fn callout(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<IngestState>,
) -> HttpResponse {
    let started = Instant::now();
    let (psa, token) = path.into_inner();
    let served = state.psas.named(&psa).map(Psa::name);
    let (outcome, response) = match routed(&state, &psa, &token) {
        Some((route, psa)) => handle(&req, &route, psa, payload, &state).await,
        None => unknown_token(),
    };
    state.metrics.callout(served, outcome, started.elapsed());
    response
}

async fn handle(
    req: &HttpRequest,
    route: &Route,
    psa: &Psa,
    payload: web::Payload,
    state: &IngestState,
) -> Answer {
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
        Err(answer) => return answer,
    };
    let signature = req
        .headers()
        .get(psa.provider.signature_header())
        .and_then(|value| value.to_str().ok());
    if signature.is_none() && psa.provider.is_deactivation_notice(&body) {
        // Unsigned by the PSA's design: only a reason to look, never a change by itself.
        state.registry.do_send(Hint {
            key: route.key.clone(),
        });
        return accept(CalloutOutcome::DeactivationHint, StatusCode::ACCEPTED);
    }
    let callout = Callout {
        body: &body,
        signature,
    };
    verify_and_apply(route, psa, callout, state).await
}

/// Has the PSA verify and understand the callout, then commits its effect.
async fn verify_and_apply(
    route: &Route,
    psa: &Psa,
    callout: Callout<'_>,
    state: &IngestState,
) -> Answer {
    let keys = CalloutKeys {
        secrets: &route.secrets,
        public: &route.public,
    };
    let change = match psa.provider.verify(keys, callout).await {
        Ok(change) => change,
        Err(refused) => return refused_answer(route, &refused),
    };
    let dedupe_key = psa.provider.dedupe_key(&change, callout.body);
    match state
        .store
        .apply_callout(&route.key, &dedupe_key, &change)
        .await
    {
        Ok(effect) => {
            applied(state, route.key.psa, effect);
            if effect == CalloutEffect::LookupPending {
                state.registry.do_send(LookupDue {
                    key: route.key.clone(),
                });
            }
            tracing::info!(
                connection = %route.key,
                ticket_id = %change.ticket_id,
                effect = effect.as_str(),
                "callout applied"
            );
            accept(CalloutOutcome::from_effect(effect), StatusCode::OK)
        }
        Err(error) => {
            // Not acknowledged, so the PSA delivers it again.
            tracing::error!(connection = %route.key, %error, "callout could not be committed");
            try_again(
                CalloutOutcome::Error,
                STORE_RETRY,
                "the callout could not be stored; deliver it again",
            )
        }
    }
}

fn applied(state: &IngestState, psa: PsaName, effect: CalloutEffect) {
    if let CalloutEffect::Closed { events } = effect {
        state.metrics.events_closed(psa, events);
    }
}

fn refused_answer(route: &Route, refused: &CalloutRefused) -> Answer {
    match refused {
        CalloutRefused::Signature(error) => {
            tracing::warn!(connection = %route.key, %error, "callout refused");
            reject(
                CalloutOutcome::BadSignature,
                StatusCode::UNAUTHORIZED,
                &error.to_string(),
            )
        }
        CalloutRefused::Unreadable(error) => {
            tracing::warn!(connection = %route.key, %error, "signed callout cannot be read");
            reject(
                CalloutOutcome::Malformed,
                StatusCode::BAD_REQUEST,
                &error.to_string(),
            )
        }
        CalloutRefused::KeyUnavailable(reason) => {
            tracing::warn!(connection = %route.key, %reason, "callout cannot be verified now");
            try_again(
                CalloutOutcome::KeyUnavailable,
                STORE_RETRY,
                "the callout's signing key cannot be fetched now; deliver it again",
            )
        }
    }
}

async fn deactivated(
    path: web::Path<(String, String)>,
    state: web::Data<IngestState>,
) -> HttpResponse {
    let started = Instant::now();
    let (psa, token) = path.into_inner();
    let served = state.psas.named(&psa).map(Psa::name);
    let (outcome, response) = match routed(&state, &psa, &token) {
        Some((route, _)) => match route.limit.take() {
            Err(wait) => rate_limited(wait),
            Ok(()) => {
                tracing::info!(connection = %route.key, "the PSA called the deactivation URL");
                state.registry.do_send(Hint { key: route.key });
                accept(CalloutOutcome::DeactivationHint, StatusCode::ACCEPTED)
            }
        },
        None => unknown_token(),
    };
    state.metrics.callout(served, outcome, started.elapsed());
    response
}
