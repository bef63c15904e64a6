//! Header authentication: ApiIntegrationCode + UserName + Secret (reference §1.3).

use super::incoming::Incoming;
use super::reply::Reply;
use crate::shared::Shared;
use crate::store::UserRecord;

/// Locked accounts and wrong credentials give the same 401 on purpose.
pub fn check(req: &Incoming, shared: &Shared) -> Result<UserRecord, Reply> {
    let unauthorized = || {
        Reply::error(
            401,
            "User authentication failed: the UserName, Secret or ApiIntegrationCode is invalid.",
        )
    };
    let (Some(code), Some(name), Some(secret)) = (
        req.header("apiintegrationcode"),
        req.header("username"),
        req.header("secret"),
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
