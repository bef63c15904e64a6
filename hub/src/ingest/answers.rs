//! The public listener's answers: an outcome for the metrics, and a small JSON body. A PSA only
//! looks at the status; the body is for people reading logs.

use std::time::Duration;

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use serde_json::json;

use crate::metrics::CalloutOutcome;

pub type Answer = (CalloutOutcome, HttpResponse);

pub fn accept(outcome: CalloutOutcome, status: StatusCode) -> Answer {
    (
        outcome,
        HttpResponse::build(status).json(json!({"outcome": outcome.as_str()})),
    )
}

pub fn reject(outcome: CalloutOutcome, status: StatusCode, message: &str) -> Answer {
    let code = outcome.as_str();
    (
        outcome,
        HttpResponse::build(status).json(json!({"error": {"code": code, "message": message}})),
    )
}

/// The PSA should deliver again later: 429 with Retry-After (whole seconds). Every PSA retries
/// a 429: some PSAs retry nothing else (not a 5xx).
pub fn try_again(outcome: CalloutOutcome, wait: Duration, message: &str) -> Answer {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let (outcome, mut response) = reject(outcome, StatusCode::TOO_MANY_REQUESTS, message);
    if let Ok(value) = header::HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    (outcome, response)
}

/// Over the token's rate.
pub fn rate_limited(wait: Duration) -> Answer {
    try_again(
        CalloutOutcome::RateLimited,
        wait,
        "too many callouts on this hook URL; deliver again after Retry-After seconds",
    )
}

pub fn unknown_token() -> Answer {
    reject(
        CalloutOutcome::UnknownToken,
        StatusCode::NOT_FOUND,
        "unknown hook token",
    )
}
