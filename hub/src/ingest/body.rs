//! Reading a callout's body: JSON only, and never more than the cap.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use super::answers::{reject, Answer};
use crate::metrics::CalloutOutcome;

pub fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads at most `cap` bytes; a declared or actual larger body is refused without reading on.
pub async fn read_capped(
    req: &HttpRequest,
    mut payload: web::Payload,
    cap: usize,
) -> Result<Vec<u8>, Answer> {
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
