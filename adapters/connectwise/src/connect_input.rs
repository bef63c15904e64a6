//! What a PUT of a ConnectWise PSA connection carries: the site, the company and an API
//! member's key pair, validated with every problem at once (no value repeated), the credentials
//! document it is sealed as, and the exact JSON Schema of what is accepted.

use psa_proto::{describe_json_error, ConnectionInput, ConnectionRejected, Credentials};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::client::ApiKeys;
use crate::site::{self, Site, MAX_SITE_CHARS};

/// The body of `PUT /api/v1/tenants/{id}/connectwise` (the hub's `setup_webhook` aside), and
/// the credentials document stored sealed: the same four values.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectBody {
    site: String,
    company_id: String,
    public_key: String,
    private_key: String,
}

/// A company ID: it goes into a URL path and before the `+` of the login, so it is kept to
/// letters, digits, `-` and `_` (ConnectWise company IDs are of that kind, e.g. `training`).
const COMPANY_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";
/// A public key: visible ASCII without `:` (it precedes the `:` of the Basic login).
const PUBLIC_KEY_PATTERN: &str = "^[!-9;-~]{1,128}$";
/// A private key: visible ASCII.
const PRIVATE_KEY_PATTERN: &str = "^[!-~]{1,128}$";

fn company_ok(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

fn key_ok(value: &str, colon_allowed: bool) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && (colon_allowed || b != b':'))
}

/// Who owns a connection's callback: the site (a cloud host with or without `api-` is one) and
/// the company, in lower case.
pub fn owner_of(site: &Site, company_id: &str) -> String {
    format!("{}/{}", site.identity(), company_id.to_ascii_lowercase())
}

/// The credentials document of `site`, `company_id` and a key pair.
pub fn credentials_document(site: &Site, keys: &ApiKeys) -> Credentials {
    Credentials::new(json!({
        "site": site.origin(),
        "company_id": keys.company_id,
        "public_key": keys.public_key,
        "private_key": keys.private_key,
    }))
}

/// The site and keys of a stored credentials document, checked by the rules a PUT is.
pub fn from_document(credentials: &Credentials, allow_http: bool) -> Option<(Site, ApiKeys)> {
    let body: ConnectBody = serde_json::from_value(credentials.expose().clone()).ok()?;
    if !problems(&body, allow_http).is_empty() {
        return None;
    }
    let site = Site::parse(&body.site, allow_http).ok()?;
    Some((site, keys_of(body)))
}

fn keys_of(body: ConnectBody) -> ApiKeys {
    ApiKeys {
        company_id: body.company_id,
        public_key: body.public_key,
        private_key: body.private_key,
    }
}

pub(crate) fn parse(
    body: &Map<String, Value>,
    allow_http: bool,
) -> Result<ConnectionInput, ConnectionRejected> {
    let body: ConnectBody = serde_json::from_value(Value::Object(body.clone()))
        .map_err(|error| ConnectionRejected::Body(describe_json_error(&error)))?;
    let problems = problems(&body, allow_http);
    let site = match Site::parse(&body.site, allow_http) {
        Ok(site) if problems.is_empty() => site,
        _ => return Err(ConnectionRejected::Values(problems)),
    };
    let keys = keys_of(body);
    let mut public = Map::new();
    public.insert("site".into(), Value::String(site.origin()));
    public.insert("company_id".into(), Value::String(keys.company_id.clone()));
    public.insert("public_key".into(), Value::String(keys.public_key.clone()));
    Ok(ConnectionInput {
        credentials: credentials_document(&site, &keys),
        owner: owner_of(&site, &keys.company_id),
        public,
        notification_email: None,
    })
}

/// Every problem of the values at once, none quoting a value.
fn problems(body: &ConnectBody, allow_http: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(problem) = Site::parse(&body.site, allow_http) {
        problems.push(problem.to_string());
    }
    if !company_ok(&body.company_id) {
        problems.push(
            "company_id must be the company you sign in to ConnectWise PSA with: 1 to 64 \
             letters, digits, '-' or '_'"
                .into(),
        );
    }
    if !key_ok(&body.public_key, false) {
        problems.push(
            "public_key must be 1 to 128 visible ASCII characters without spaces or ':'".into(),
        );
    }
    if !key_ok(&body.private_key, true) {
        problems
            .push("private_key must be 1 to 128 visible ASCII characters without spaces".into());
    }
    problems
}

/// The JSON Schema of the body, exactly as [`parse`] accepts it.
pub(crate) fn schema(allow_http: bool) -> Value {
    let scheme = if allow_http {
        "https:// (or http://)"
    } else {
        "https://"
    };
    json!({
        "type": "object",
        "description": "A ConnectWise PSA site, company and API member key pair (System › \
                        Members › API Members › API Keys). Values are taken exactly as sent.",
        "required": ["site", "company_id", "public_key", "private_key"],
        "additionalProperties": false,
        "properties": {
            "site": {
                "type": "string", "maxLength": MAX_SITE_CHARS,
                "pattern": site::pattern(allow_http),
                "example": "https://na.myconnectwise.net",
                "description": format!("The address your ConnectWise PSA is served from: \
                                {scheme}, the host (a host name or IPv4 address) and optionally \
                                a port, nothing after it. On ConnectWise cloud \
                                `https://na.myconnectwise.net` and \
                                `https://api-na.myconnectwise.net` are the same site.")
            },
            "company_id": {
                "type": "string", "pattern": COMPANY_PATTERN, "example": "training",
                "description": "The company ID you sign in to ConnectWise PSA with."
            },
            "public_key": {
                "type": "string", "pattern": PUBLIC_KEY_PATTERN, "example": "5QBrF9Eobsojjl19",
                "description": "The API member's public key."
            },
            "private_key": {
                "type": "string", "pattern": PRIVATE_KEY_PATTERN, "example": "gNfvfMdPxIAPOIvB",
                "description": "The API member's private key, stored sealed and never shown again."
            }
        }
    })
}

#[cfg(test)]
mod tests;
