//! What a PUT of an Autotask connection carries: the API user's credentials and an optional
//! notification address, validated with every problem at once, and its JSON Schema.

use psa_proto::{describe_json_error, ConnectionInput, ConnectionRejected, Credentials};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The body of `PUT /api/v1/tenants/{id}/autotask` (the hub's `setup_webhook` aside).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectBody {
    username: String,
    secret: String,
    integration_code: String,
    #[serde(default)]
    notification_email: Option<String>,
}

/// The credentials document, sealed at rest as one blob.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredCredentials {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

impl StoredCredentials {
    pub fn from_document(credentials: &Credentials) -> Option<Self> {
        serde_json::from_value(credentials.expose().clone()).ok()
    }

    pub fn into_client_credentials(self) -> crate::Credentials {
        crate::Credentials {
            username: self.username,
            secret: self.secret,
            integration_code: self.integration_code,
        }
    }
}

/// The credentials document of an API user, e.g. for rows stored before credentials were one
/// document.
pub fn credentials_document(username: &str, secret: &str, integration_code: &str) -> Credentials {
    Credentials::new(json!({
        "username": username,
        "secret": secret,
        "integration_code": integration_code,
    }))
}

/// Who owns an API user's webhook: the user (usernames compare case-insensitively).
pub fn owner_of(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

pub(crate) fn parse(body: &Map<String, Value>) -> Result<ConnectionInput, ConnectionRejected> {
    let body: ConnectBody = serde_json::from_value(Value::Object(body.clone()))
        .map_err(|error| ConnectionRejected::Body(describe_json_error(&error)))?;
    let problems = problems(&body);
    if !problems.is_empty() {
        return Err(ConnectionRejected::Values(problems));
    }
    let username = body.username.trim().to_owned();
    let email = body
        .notification_email
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    let mut public = Map::new();
    public.insert("username".into(), Value::String(username.clone()));
    Ok(ConnectionInput {
        credentials: credentials_document(&username, &body.secret, body.integration_code.trim()),
        owner: owner_of(&username),
        public,
        notification_email: email,
    })
}

/// Every problem of the values at once. Lengths count characters of the value as sent.
fn problems(body: &ConnectBody) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, value, max) in [
        ("username", body.username.as_str(), 320),
        ("secret", body.secret.as_str(), 1024),
        ("integration_code", body.integration_code.as_str(), 256),
    ] {
        // A secret may begin or end with a space; the other fields are trimmed when stored.
        let blank = if field == "secret" {
            value.is_empty()
        } else {
            value.trim().is_empty()
        };
        if blank {
            problems.push(format!("{field} must not be empty"));
        } else if value.chars().count() > max {
            problems.push(format!("{field} must be at most {max} characters"));
        }
    }
    if !body.username.contains('@') && !body.username.trim().is_empty() {
        problems.push("username must be the API user's email-style username (user@domain)".into());
    }
    if let Some(email) = body.notification_email.as_deref() {
        let blank = email.trim().is_empty();
        if email.chars().count() > 320 || (!blank && !email.contains('@')) {
            problems.push("notification_email must be an email address".into());
        }
    }
    problems
}

/// What `rust`'s `trim` drops, spelt out because regex engines disagree on `\s`.
const SPACE: &str = r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The JSON Schema of the body, exactly as [`parse`] accepts it.
pub(crate) fn schema() -> Value {
    json!({
        "type": "object",
        "description": "The Autotask API user's credentials. Lengths count characters of the \
                        value as sent; surrounding spaces are dropped from all but `secret` \
                        before it is stored.",
        "required": ["username", "secret", "integration_code"],
        "additionalProperties": false,
        "properties": {
            "username": {
                "type": "string", "maxLength": 320, "pattern": "@",
                "example": "api-user@msp.example",
                "description": "The API user's email-style username (it must contain `@`)."
            },
            "secret": {
                "type": "string", "minLength": 1, "maxLength": 1024,
                "example": "example-secret-1",
                "description": "The API user's secret, stored sealed and never shown again."
            },
            "integration_code": {
                "type": "string", "maxLength": 256, "pattern": format!("[^{SPACE}]"),
                "example": "EXAMPLEINTEGRATIONCODE1",
                "description": "The API tracking identifier (integration code); not blank."
            },
            "notification_email": {
                "type": ["string", "null"], "maxLength": 320,
                "pattern": format!("^[{SPACE}]*$|@"),
                "description": "Where Autotask sends its own notices about the webhook (it must \
                                contain `@`); blank or null for none. A new address means a new \
                                webhook."
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn a_valid_body_becomes_credentials_an_owner_and_public_fields() {
        let input = parse(&body(json!({
            "username": " API@msp.example ", "secret": " s3cret ", "integration_code": " CODE ",
            "notification_email": " "
        })))
        .expect("valid");
        assert_eq!(input.owner, "api@msp.example");
        assert_eq!(input.public["username"], "API@msp.example");
        assert_eq!(input.notification_email, None);
        let stored = StoredCredentials::from_document(&input.credentials).expect("document");
        assert_eq!(
            (stored.secret.as_str(), stored.integration_code.as_str()),
            (" s3cret ", "CODE")
        );
    }

    #[test]
    fn shape_and_value_problems_are_told_apart_without_values() {
        let shape = parse(&body(
            json!({"username": "a@b", "secret": 987654321, "integration_code": "c"}),
        ));
        match shape {
            Err(ConnectionRejected::Body(message)) => assert!(!message.contains("987654321")),
            other => panic!("{other:?}"),
        }
        let values = parse(&body(
            json!({"username": " ", "secret": "", "integration_code": "c",
                                         "notification_email": "nobody"}),
        ));
        match values {
            Err(ConnectionRejected::Values(problems)) => {
                assert_eq!(problems.len(), 3, "{problems:?}")
            }
            other => panic!("{other:?}"),
        }
    }
}
