//! Header authentication: ApiIntegrationCode + UserName + Secret (reference §1.3).

use super::reply::Reply;
use crate::shared::Shared;
use crate::store::UserRecord;
use actix_web::HttpRequest;

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Locked accounts and wrong credentials give the same 401 on purpose.
pub fn check(req: &HttpRequest, shared: &Shared) -> Result<UserRecord, Reply> {
    let unauthorized = || {
        Reply::error(
            401,
            "User authentication failed: the UserName, Secret or ApiIntegrationCode is invalid.",
        )
    };
    let (Some(code), Some(name), Some(secret)) = (
        header(req, "apiintegrationcode"),
        header(req, "username"),
        header(req, "secret"),
    ) else {
        return Err(unauthorized());
    };
    let store = shared.store.lock();
    match store.user(name) {
        Some(rec)
            if rec.user.secret == secret
                && rec.user.integration_code == code
                && !rec.user.locked =>
        {
            Ok(rec.clone())
        }
        _ => Err(unauthorized()),
    }
}
