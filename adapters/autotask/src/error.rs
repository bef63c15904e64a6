//! Every way a call to Autotask can fail, classified, each with the fix an MSP can act on.
//!
//! Autotask's exact error texts for permissions, limits and duplicates are not documented, so
//! classification leans on the HTTP status and the operation; message keywords only refine it.

use std::time::Duration;

use psa_proto::{AdapterError, ErrorClass, WebhookId};
use reqwest::StatusCode;
use serde_json::Value;

use crate::client::Op;

#[derive(Debug, thiserror::Error)]
pub enum AutotaskError {
    #[error("Autotask rejected the API credentials or the account is locked: {message}")]
    CredentialsRejected { message: String },
    #[error("Autotask does not know {username:?} as an API user")]
    UnknownApiUser { username: String },
    #[error("the API user's security level may not create webhooks: {message}")]
    CannotCreateWebhooks { message: String },
    #[error("the API user's security level has reached its maximum number of webhooks: {message}")]
    WebhookLimitReached { message: String },
    #[error("the API user cannot read and update tickets: {message}")]
    NoTicketPermission { message: String },
    #[error("a webhook at our URL already exists and could not be replaced: {message}")]
    DuplicateWebhook { message: String },
    #[error("Autotask's request or thread threshold refused the call: {message}")]
    Throttled {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("Autotask answered {status} to {op}: {message}")]
    Server {
        op: Op,
        status: u16,
        message: String,
    },
    #[error("could not reach Autotask for {op}")]
    Network {
        op: Op,
        #[source]
        source: reqwest::Error,
    },
    #[error("{what} was not found in Autotask")]
    NotFound { what: String },
    #[error("Autotask refused {op} as invalid ({status}): {message}")]
    InvalidRequest {
        op: Op,
        status: u16,
        message: String,
    },
    #[error("the Autotask ticket webhook fields {missing:?} are not offered by this Autotask (it offers {available})")]
    FieldsUnavailable {
        missing: Vec<String>,
        available: String,
    },
    #[error("the webhook settings are invalid: {message}")]
    InvalidSpec { message: String },
    #[error("the credentials cannot be sent to Autotask: {reason}")]
    UnsendableCredentials { reason: &'static str },
    #[error("the webhook was created but Autotask reports it is_active={is_active}, is_ready={is_ready}")]
    NotReady { is_active: bool, is_ready: bool },
    #[error("Autotask's answer to {op} could not be understood: {message}")]
    Unexpected { op: Op, message: String },
    #[error("Autotask answered that webhook {id} was not found, but psa-hub could not confirm it is gone: {reason}")]
    GoneUnconfirmed {
        id: WebhookId,
        reason: String,
        /// Why it could not be confirmed: the confirming query's failure, or the not-found
        /// answer a query contradicted.
        #[source]
        source: Box<AutotaskError>,
    },
    #[error("the answer to {op} is not the JSON expected")]
    Decode {
        op: Op,
        #[source]
        source: serde_json::Error,
    },
}

/// The most characters of Autotask's error texts an error keeps, all texts together.
pub const MAX_MESSAGE_CHARS: usize = 500;

impl AutotaskError {
    /// Classifies a non-success answer from Autotask. Only the texts of its `errors[]` array
    /// are kept: any other body (an HTML page, ASP.NET's exception shape, plain text) may echo
    /// the request, credentials and the webhook secret included, so none of it is kept.
    pub fn from_response(
        op: Op,
        status: StatusCode,
        body: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        let code = status.as_u16();
        let texts = error_messages(body);
        // Keywords are looked for in the whole body: a thread-limit refusal need not be JSON.
        // The body is only searched, never kept.
        let lower = texts.as_deref().unwrap_or(body).to_ascii_lowercase();
        let message = texts
            .unwrap_or_else(|| format!("Autotask answered HTTP {code} without an error message"));
        // Not every rejection is a 429 (reference §6.1); the texts name the threshold exceeded.
        // A bare "threshold" is not enough: our own field sendThresholdExceededNotification
        // may appear in validation errors.
        if code == 429 || lower.contains("itgenatr005") || lower.contains("threshold exceeded") {
            return Self::Throttled {
                message,
                retry_after,
            };
        }
        if lower.contains("no matching records") || code == 404 {
            return Self::NotFound {
                what: op.subject().to_owned(),
            };
        }
        match code {
            401 => Self::CredentialsRejected { message },
            403 if op.is_ticket() => Self::NoTicketPermission { message },
            400..=499 if op == Op::WebhookCreate && mentions_limit(&lower) => {
                Self::WebhookLimitReached { message }
            }
            403 => Self::CannotCreateWebhooks { message },
            400..=499 => Self::InvalidRequest {
                op,
                status: code,
                message,
            },
            500..=599 => Self::Server {
                op,
                status: code,
                message,
            },
            _ => Self::Unexpected { op, message },
        }
    }
}

fn mentions_limit(lower: &str) -> bool {
    lower.contains("limit") || lower.contains("maximum")
}

/// The texts of `{"errors":["..."]}` or `{"errors":[{"message":"..."}]}`, joined and cut to
/// [`MAX_MESSAGE_CHARS`]; `None` when the body has no such texts.
pub fn error_messages(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let errors = value.get("errors")?.as_array()?;
    let texts: Vec<&str> = errors
        .iter()
        .filter_map(|e| match e {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("message").and_then(Value::as_str),
            _ => None,
        })
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!texts.is_empty()).then(|| bounded(&texts.join("; ")))
}

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters (never inside a character), the cut marked.
fn bounded(text: &str) -> String {
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_MESSAGE_CHARS - 1).collect();
    cut.push('…');
    cut
}

impl AdapterError for AutotaskError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::CredentialsRejected { .. }
            | Self::UnknownApiUser { .. }
            | Self::UnsendableCredentials { .. } => ErrorClass::CredentialsRejected,
            Self::CannotCreateWebhooks { .. } => ErrorClass::CannotCreateWebhooks,
            Self::WebhookLimitReached { .. } => ErrorClass::WebhookLimitReached,
            Self::NoTicketPermission { .. } => ErrorClass::NoTicketPermission,
            Self::DuplicateWebhook { .. } => ErrorClass::DuplicateWebhook,
            Self::Throttled { .. } => ErrorClass::Throttled,
            Self::Server { .. } | Self::Network { .. } => ErrorClass::Transient,
            Self::NotFound { .. } => ErrorClass::NotFound,
            Self::InvalidRequest { .. }
            | Self::InvalidSpec { .. }
            | Self::FieldsUnavailable { .. } => ErrorClass::InvalidRequest,
            Self::NotReady { .. } => ErrorClass::NotReady,
            Self::Unexpected { .. } | Self::Decode { .. } => ErrorClass::Unexpected,
            // The failure that kept it unconfirmed decides (throttled, rejected credentials...);
            // a "not found" there is not the webhook missing but an answer that makes no sense.
            Self::GoneUnconfirmed { source, .. } => match source.class() {
                ErrorClass::NotFound => ErrorClass::Unexpected,
                class => class,
            },
        }
    }

    fn fix(&self) -> String {
        match self {
            Self::CredentialsRejected { .. } => "Check the API user's username, secret and API tracking identifier (integration code) in Autotask under Admin > Account Settings & Users > Resources/Users. If they are right, the account may be locked after failed attempts: unlock it or generate a new secret, save the new credentials here, then click Retry Webhook Setup.".into(),
            Self::UnknownApiUser { username } => format!("Autotask does not recognise {username:?} as an API user. Enter the username of an API-only resource (Admin > Account Settings & Users > Resources/Users, security level API User), then retry."),
            Self::CannotCreateWebhooks { .. } => "In Autotask go to Admin > Account Settings & Users > Security Levels, edit the API user's security level (it must be an API-only level), enable \"Can create WebHooks\" and set the maximum webhook limit to at least 1, save, then click Retry Webhook Setup.".into(),
            Self::WebhookLimitReached { .. } => "The API user's security level allows no more webhooks. Raise its maximum webhook limit (Admin > Account Settings & Users > Security Levels) or delete webhooks it no longer needs under Admin > Extensions & Integrations > Webhooks, then click Retry Webhook Setup.".into(),
            Self::NoTicketPermission { .. } => "Autotask only sends ticket webhooks when the API user can see and edit tickets. In Autotask edit the API user's security level (Admin > Account Settings & Users > Security Levels > Service Desk) to allow viewing and editing Tickets, with no queue or line-of-business restriction, then click Retry Webhook Setup.".into(),
            Self::DuplicateWebhook { .. } => "Delete the existing webhook at psa-hub's URL in Autotask under Admin > Extensions & Integrations > Webhooks, then click Retry Webhook Setup.".into(),
            Self::Throttled { .. } => "Autotask is limiting API use for this database (10,000 requests per hour and 3 at a time per endpoint, shared with the MSP's other integrations). psa-hub retries on its own; if it persists, find the integration using the API heavily (Admin > Resources > API usage).".into(),
            Self::Server { .. } | Self::Network { .. } => "Autotask could not be reached or failed on its side. psa-hub retries on its own; if it persists, check Autotask's status page and the network path to Autotask.".into(),
            Self::NotFound { .. } => "The webhook no longer exists in Autotask; click Retry Webhook Setup to create it again.".into(),
            Self::InvalidRequest { message, .. } => format!("Autotask refused the webhook settings ({message}). Check psa-hub's public URL setting and the notification email address, then retry."),
            Self::InvalidSpec { .. } => "Check psa-hub's configuration: the public URL must be an absolute http(s) URL and the webhook name 1 to 50 characters.".into(),
            Self::UnsendableCredentials { .. } => "The username, secret or integration code contains characters that cannot be sent (often a pasted line break or space at the end). Enter them again exactly as Autotask shows them, then retry.".into(),
            Self::FieldsUnavailable { .. } => "This Autotask does not offer the ticket fields psa-hub subscribes to for webhooks. Contact psa-hub support with this message.".into(),
            Self::NotReady { .. } => "Autotask created the webhook but does not report it as active and ready. Click Retry Webhook Setup; if it persists, check the webhook under Admin > Extensions & Integrations > Webhooks.".into(),
            Self::Unexpected { .. } | Self::Decode { .. } => "Autotask answered in a way psa-hub did not expect. Retry later; if it persists, contact psa-hub support with this message.".into(),
            Self::GoneUnconfirmed { id, .. } => format!("psa-hub could not confirm that the webhook is gone from Autotask, so it may still exist. In Autotask go to Admin > Extensions & Integrations > Webhooks, look for the webhook with id {id} (named \"SaaS Alerts Ticket Monitor\" unless configured otherwise) and delete it if it is still there. If it keeps happening, check that the API user's credentials are valid and that the user still belongs to this Autotask database, then retry."),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(op: Op, status: u16, body: &str) -> ErrorClass {
        let status = StatusCode::from_u16(status).expect("valid status");
        AutotaskError::from_response(op, status, body, None).class()
    }

    #[test]
    fn statuses_and_texts_classify() {
        assert_eq!(
            classify(Op::WebhookGet, 401, ""),
            ErrorClass::CredentialsRejected
        );
        assert_eq!(
            classify(Op::WebhookCreate, 403, r#"{"errors":["no"]}"#),
            ErrorClass::CannotCreateWebhooks
        );
        assert_eq!(
            classify(Op::TicketGet, 403, "{}"),
            ErrorClass::NoTicketPermission
        );
        assert_eq!(
            classify(
                Op::WebhookCreate,
                400,
                r#"{"errors":["The maximum number of webhooks has been reached."]}"#
            ),
            ErrorClass::WebhookLimitReached
        );
        assert_eq!(
            classify(Op::WebhookCreate, 400, r#"{"errors":["bad url"]}"#),
            ErrorClass::InvalidRequest
        );
        assert_eq!(
            classify(
                Op::WebhookQuery,
                500,
                r#"{"errors":["Itgenatr005 Thread Threshold Exceeded"]}"#
            ),
            ErrorClass::Throttled
        );
        assert_eq!(classify(Op::WebhookQuery, 429, ""), ErrorClass::Throttled);
        assert_eq!(
            classify(
                Op::WebhookCreate,
                400,
                r#"{"errors":["sendThresholdExceededNotification requires an email"]}"#
            ),
            ErrorClass::InvalidRequest,
            "a field name is not a threshold rejection"
        );
        assert_eq!(
            classify(
                Op::WebhookCreate,
                403,
                r#"{"errors":["Webhook limit reached"]}"#
            ),
            ErrorClass::WebhookLimitReached
        );
        assert_eq!(
            classify(
                Op::WebhookDelete,
                500,
                r#"{"errors":["No matching records found"]}"#
            ),
            ErrorClass::NotFound
        );
        assert_eq!(
            classify(Op::WebhookDelete, 503, "down"),
            ErrorClass::Transient
        );
    }

    /// Bodies without an `errors[]` text, each echoing the request's secrets.
    fn echoing_bodies(secret: &str) -> Vec<String> {
        vec![
            format!("<html><body><h1>Server Error</h1><pre>Secret: {secret}</pre></body></html>"),
            serde_json::json!({
                "Message": "An error has occurred.",
                "ExceptionMessage": format!("Invalid webhook {{\"secretKey\":\"{secret}\"}}"),
                "ExceptionType": "System.InvalidOperationException",
                "StackTrace": format!("at Autotask.Webhooks.Create(secretKey={secret})"),
            })
            .to_string(),
            format!("Bad Request: Secret={secret}"),
            serde_json::json!({"errors": secret}).to_string(),
            serde_json::json!({"errors": [{"detail": secret}], "secretKey": secret}).to_string(),
            serde_json::json!({"errors": [], "request": {"Secret": secret}}).to_string(),
            serde_json::json!({"errors": ["   "], "echo": secret}).to_string(),
        ]
    }

    #[test]
    fn bodies_without_error_texts_never_reach_the_error() {
        let secret = "Sup3r-S3cret-Key-0042";
        for body in echoing_bodies(secret) {
            for status in [400, 401, 403, 404, 409, 429, 500, 503] {
                for op in Op::ALL {
                    let status = StatusCode::from_u16(status).expect("valid status");
                    let error = AutotaskError::from_response(op, status, &body, None);
                    let printed = format!("{error} | {} | {error:?}", error.fix());
                    assert!(!printed.contains(secret), "{op} {status}: {printed}");
                    assert!(!printed.contains("S3cret"), "{op} {status}: {printed}");
                }
            }
        }
    }

    #[test]
    fn bodies_without_error_texts_get_a_fixed_message_and_still_classify() {
        let html = "<html>Secret: hunter2</html>";
        let error = AutotaskError::from_response(
            Op::WebhookCreate,
            StatusCode::INTERNAL_SERVER_ERROR,
            html,
            None,
        );
        assert_eq!(
            error.to_string(),
            "Autotask answered 500 to webhook_create: Autotask answered HTTP 500 without an error message"
        );
        for body in echoing_bodies("hunter2") {
            assert_eq!(
                classify(Op::WebhookGet, 401, &body),
                ErrorClass::CredentialsRejected
            );
            assert_eq!(
                classify(Op::WebhookQuery, 429, &body),
                ErrorClass::Throttled
            );
            assert_eq!(
                classify(Op::WebhookCreate, 403, &body),
                ErrorClass::CannotCreateWebhooks
            );
            assert_eq!(
                classify(Op::TicketQuery, 403, &body),
                ErrorClass::NoTicketPermission
            );
            assert_eq!(
                classify(Op::WebhookDelete, 404, &body),
                ErrorClass::NotFound
            );
            assert_eq!(
                classify(Op::WebhookDelete, 503, &body),
                ErrorClass::Transient
            );
        }
        assert_eq!(
            classify(
                Op::WebhookQuery,
                500,
                "<html>Itgenatr005 Thread Threshold Exceeded</html>"
            ),
            ErrorClass::Throttled,
            "a thread-limit refusal is recognised even when it is not JSON"
        );
    }

    #[test]
    fn error_texts_are_kept_up_to_a_bound_cut_between_characters() {
        let long = "é".repeat(400);
        let body = serde_json::json!({"errors": [long, {"message": "ü".repeat(400)}]}).to_string();
        let message = error_messages(&body).expect("texts");
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS);
        assert!(message.starts_with("éé") && message.ends_with('…'));
        let error =
            AutotaskError::from_response(Op::WebhookCreate, StatusCode::BAD_REQUEST, &body, None);
        assert!(error.to_string().chars().count() < MAX_MESSAGE_CHARS + 100);
        let short = r#"{"errors":["name must be less than or equal to 50 characters"]}"#;
        assert_eq!(
            error_messages(short).as_deref(),
            Some("name must be less than or equal to 50 characters")
        );
    }

    #[test]
    fn object_shaped_errors_are_read() {
        assert_eq!(
            error_messages(r#"{"errors":[{"message":"a"},"b"]}"#).as_deref(),
            Some("a; b")
        );
        assert_eq!(error_messages("{}"), None);
    }
}
