//! The `clientId` header and Basic authentication as `{companyId}+{publicKey}:{privateKey}`
//! (reference §1).

use super::incoming::Incoming;
use super::reply::Reply;
use crate::ids::CompanyId;
use crate::member::ApiMember;
use crate::shared::Shared;
use base64::Engine;

/// Every API call needs a clientId; `client_ids` lists the accepted ones (empty: any).
pub fn client_id(req: &Incoming, shared: &Shared) -> Result<(), Reply> {
    let cfg = &shared.config;
    let Some(id) = req
        .header("clientid")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Err(Reply::spec(&cfg.missing_client_id, ""));
    };
    let known = cfg.client_ids.is_empty()
        || cfg
            .client_ids
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case(id));
    if known {
        Ok(())
    } else {
        Err(Reply::spec(&cfg.unknown_client_id, ""))
    }
}

/// The company and member behind the Authorization header. Unknown companies, wrong keys and
/// inactive members get the same answer on purpose.
pub fn member(req: &Incoming, shared: &Shared) -> Result<(CompanyId, ApiMember), Reply> {
    let denied = || Reply::spec(&shared.config.bad_credentials, "");
    let (company, public, private) = credentials(req).ok_or_else(denied)?;
    let store = shared.store.lock();
    let c = store
        .company(&CompanyId::new(&company))
        .ok_or_else(denied)?;
    match c.member(&public) {
        Some(m) if m.private_key == private && !m.inactive => Ok((c.id.clone(), m.clone())),
        _ => Err(denied()),
    }
}

/// `(company, public key, private key)` from `Authorization: Basic …`.
fn credentials(req: &Incoming) -> Option<(String, String, String)> {
    let header = req.header("authorization")?.trim();
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, private) = text.split_once(':')?;
    // Public keys never hold '+', so the last one ends the company id.
    let (company, public) = user.rsplit_once('+')?;
    Some((company.to_string(), public.to_string(), private.to_string()))
}
