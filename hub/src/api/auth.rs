//! Bearer-token authentication of the admin API. Tokens are compared as SHA-256 digests in
//! constant time, so neither the content nor the length of a token shows in the timing.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::AdminState;

/// Present in a handler's arguments: the request carried an accepted admin token.
#[derive(Debug)]
pub struct Admin;

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(check(req))
    }
}

fn check(req: &HttpRequest) -> Result<Admin, ApiError> {
    let state = req
        .app_data::<web::Data<AdminState>>()
        .ok_or_else(|| ApiError::unavailable("the admin API is not configured"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::unauthorized("send the header Authorization: Bearer <admin token>")
        })?;
    let presented = header
        .to_str()
        .ok()
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::unauthorized(
                "the Authorization header must be of the form: Bearer <admin token>",
            )
        })?;
    // Every token is compared, so timing does not tell which one nearly matched.
    let presented = Sha256::digest(presented.as_bytes());
    let mut accepted = false;
    for token in &state.tokens {
        accepted |= bool::from(Sha256::digest(token.expose().as_bytes()).ct_eq(&presented));
    }
    if accepted {
        Ok(Admin)
    } else {
        Err(ApiError::unauthorized(
            "the admin token is not accepted; use one of admin.tokens",
        ))
    }
}
