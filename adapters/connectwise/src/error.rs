//! Every way a call to ConnectWise PSA can fail, classified, each with the fix an MSP can act on.
//!
//! Classification leans on the HTTP status, the operation and ConnectWise's error *codes*
//! (`code`, `errors[].code`), never on the wording of its messages, which is not a contract.

use std::time::Duration;

use psa_proto::{AdapterError, ErrorClass, TicketId, WebhookId};
use reqwest::StatusCode;
use serde_json::Value;

use crate::op::Op;

/// The error code ConnectWise gives a callback that matches an existing one (reference §2).
pub const OBJECT_EXISTS: &str = "ObjectExists";

/// Said wherever a "not found" may really be refused keys (reference §1: cloud may answer 404).
const CLOUD_404: &str = "ConnectWise cloud may answer \"not found\" instead of \"unauthorized\" \
                         to API keys it rejects, so if this keeps happening check the keys too.";

#[derive(Debug, thiserror::Error)]
pub enum ConnectWiseError {
    #[error("ConnectWise PSA rejected the API keys: {message}")]
    CredentialsRejected { message: String },
    #[error("ConnectWise PSA at {site} does not know the company ID {company:?}")]
    UnknownCompany { site: String, company: String },
    #[error("the API member may not manage callbacks: {message}")]
    CannotManageCallbacks { message: String },
    #[error("the API member cannot read tickets: {message}")]
    NoTicketPermission { message: String },
    /// ConnectWise's `ObjectExists`: a matching callback entry already exists.
    #[error("a matching callback already exists in ConnectWise PSA: {message}")]
    ObjectExists { message: String },
    #[error("a matching callback that is not psa-hub's blocks ours: {message}")]
    DuplicateCallback { message: String },
    #[error("ConnectWise PSA is limiting the API use: {message}")]
    Throttled {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("ConnectWise PSA answered {status} to {op}: {message}")]
    Server {
        op: Op,
        status: u16,
        message: String,
    },
    #[error("could not reach ConnectWise PSA for {op}")]
    Network {
        op: Op,
        #[source]
        source: reqwest::Error,
    },
    #[error("{what} was not found in ConnectWise PSA")]
    NotFound { what: String },
    #[error("ConnectWise PSA refused {op} as invalid ({status}): {message}")]
    InvalidRequest {
        op: Op,
        status: u16,
        message: String,
    },
    #[error("the callback settings are invalid: {message}")]
    InvalidSpec { message: String },
    #[error("the ConnectWise settings are invalid: {message}")]
    InvalidSettings { message: String },
    #[error("the site is a loopback, private or link-local address, which is never a ConnectWise PSA site")]
    InternalSite,
    #[error("the stored credentials are not a ConnectWise PSA API member's")]
    UnreadableCredentials,
    #[error("the callback was created but ConnectWise PSA reports active={active}, our URL={url_matches}")]
    NotReady { active: bool, url_matches: bool },
    #[error("ConnectWise PSA's answer to {op} could not be understood: {message}")]
    Unexpected { op: Op, message: String },
    #[error("ConnectWise PSA answered that callback {id} was not found, but psa-hub could not confirm it is gone: {reason}")]
    GoneUnconfirmed {
        id: WebhookId,
        reason: String,
        /// The confirming call's failure, or the not-found answer a listing contradicted.
        #[source]
        source: Box<ConnectWiseError>,
    },
    /// The ticket was answered "not found" but a listing could not confirm it is gone.
    #[error("ConnectWise PSA answered that ticket {ticket} was not found, but psa-hub could not confirm it is gone: {reason}")]
    TicketUnconfirmed {
        ticket: TicketId,
        reason: String,
        #[source]
        source: Box<ConnectWiseError>,
    },
    #[error("the answer to {op} is not the JSON expected")]
    Decode {
        op: Op,
        #[source]
        source: serde_json::Error,
    },
}

/// The most characters of ConnectWise's error texts an error keeps, all texts together.
pub const MAX_MESSAGE_CHARS: usize = 500;

impl ConnectWiseError {
    /// Classifies a non-success answer. Only `message` and `errors[].message` texts are kept
    /// (the caller has already redacted the credentials out of `body`): any other part of a
    /// body (an HTML page, a stack trace) may echo the request, so none of it is kept.
    pub fn from_response(
        op: Op,
        status: StatusCode,
        body: &str,
        retry_after: Option<Duration>,
    ) -> Self {
        let code = status.as_u16();
        let message = error_messages(body).unwrap_or_else(|| {
            format!("ConnectWise PSA answered HTTP {code} without an error message")
        });
        match code {
            429 => Self::Throttled {
                message,
                retry_after,
            },
            401 => Self::CredentialsRejected { message },
            403 if op.is_ticket() => Self::NoTicketPermission { message },
            403 => Self::CannotManageCallbacks { message },
            404 => Self::NotFound {
                what: op.subject().to_owned(),
            },
            400..=499 if has_code(body, OBJECT_EXISTS) => Self::ObjectExists { message },
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
            // Redirects are never followed: credentials must not travel to another address.
            _ => Self::Unexpected { op, message },
        }
    }
}

/// Whether the body carries the error code `wanted` at its top level or in `errors[]`.
pub fn has_code(body: &str, wanted: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let top = value.get("code");
    let nested = value
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|error| error.get("code"));
    top.into_iter()
        .chain(nested)
        .filter_map(Value::as_str)
        .any(|code| code.trim().eq_ignore_ascii_case(wanted))
}

/// The texts of `{"message": "...", "errors": [{"message": "..."}]}`, joined and cut to
/// [`MAX_MESSAGE_CHARS`]; `None` when the body has none.
pub fn error_messages(body: &str) -> Option<String> {
    let value: Value = serde_json::from_str(body).ok()?;
    let top = value.get("message");
    let nested = value
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|error| error.get("message"));
    let texts: Vec<&str> = top
        .into_iter()
        .chain(nested)
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
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

impl AdapterError for ConnectWiseError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::CredentialsRejected { .. } | Self::UnknownCompany { .. } => {
                ErrorClass::CredentialsRejected
            }
            Self::CannotManageCallbacks { .. } => ErrorClass::CannotCreateWebhooks,
            Self::NoTicketPermission { .. } => ErrorClass::NoTicketPermission,
            Self::ObjectExists { .. } | Self::DuplicateCallback { .. } => {
                ErrorClass::DuplicateWebhook
            }
            Self::Throttled { .. } => ErrorClass::Throttled,
            Self::Server { .. } | Self::Network { .. } => ErrorClass::Transient,
            Self::NotFound { .. } => ErrorClass::NotFound,
            Self::InvalidRequest { .. }
            | Self::InvalidSpec { .. }
            | Self::InvalidSettings { .. }
            | Self::UnreadableCredentials
            | Self::InternalSite => ErrorClass::InvalidRequest,
            Self::NotReady { .. } => ErrorClass::NotReady,
            Self::Unexpected { .. } | Self::Decode { .. } => ErrorClass::Unexpected,
            // The failure that kept it unconfirmed decides; a "not found" there is not the
            // callback missing but an address or keys that do not work.
            Self::GoneUnconfirmed { source, .. } => match source.class() {
                ErrorClass::NotFound => ErrorClass::Unexpected,
                class => class,
            },
            // Read again later: the ticket's closure must not be dropped on a doubtful 404.
            Self::TicketUnconfirmed { source, .. } => match source.class() {
                ErrorClass::NotFound => ErrorClass::Transient,
                class => class,
            },
        }
    }

    fn fix(&self) -> String {
        crate::fixes::fix(self)
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Said in fixes about a callback that must be deleted by hand.
pub(crate) fn cloud_404_note() -> &'static str {
    CLOUD_404
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(op: Op, status: u16, body: &str) -> ErrorClass {
        let status = StatusCode::from_u16(status).expect("valid status");
        ConnectWiseError::from_response(op, status, body, None).class()
    }

    const EXISTS: &str = r#"{"code":"InvalidObject","message":"callbackEntry object is invalid","errors":[{"code":"ObjectExists","message":"A matching callback entry already exists","resource":"callbackEntry","field":"objectId"}]}"#;

    #[test]
    fn statuses_and_codes_classify() {
        use ErrorClass as C;
        for (op, status, body, class) in [
            (Op::CallbackGet, 401, "", C::CredentialsRejected),
            (Op::CallbackCreate, 403, "{}", C::CannotCreateWebhooks),
            (Op::CallbackList, 403, "{}", C::CannotCreateWebhooks),
            (Op::TicketGet, 403, "{}", C::NoTicketPermission),
            (Op::TicketNotes, 403, "{}", C::NoTicketPermission),
            (Op::TicketList, 403, "{}", C::NoTicketPermission),
            (Op::CallbackCreate, 400, EXISTS, C::DuplicateWebhook),
            (
                Op::CallbackCreate,
                400,
                r#"{"code":"ObjectExists"}"#,
                C::DuplicateWebhook,
            ),
            (
                Op::CallbackCreate,
                400,
                r#"{"code":"InvalidObject","errors":[{"code":"InvalidField","message":"Invalid URL"}]}"#,
                C::InvalidRequest,
            ),
            (
                Op::CallbackGet,
                429,
                r#"{"error":"ConnectWiseAPI","message":"Too many requests."}"#,
                C::Throttled,
            ),
            (Op::CallbackDelete, 404, "", C::NotFound),
            (Op::CallbackDelete, 500, "", C::Transient),
            (Op::CallbackDelete, 503, "<html>down</html>", C::Transient),
            (Op::CallbackGet, 302, "", C::Unexpected),
        ] {
            assert_eq!(classify(op, status, body), class, "{op} {status} {body}");
        }
    }

    #[test]
    fn duplicates_are_known_by_their_code_not_their_wording() {
        let worded = r#"{"code":"InvalidObject","message":"A matching callback entry already exists","errors":[{"code":"InvalidField","message":"A matching callback entry already exists"}]}"#;
        assert_eq!(
            classify(Op::CallbackCreate, 400, worded),
            ErrorClass::InvalidRequest
        );
        let lower = EXISTS.replace("ObjectExists", "objectexists");
        assert_eq!(
            classify(Op::CallbackCreate, 400, &lower),
            ErrorClass::DuplicateWebhook
        );
    }

    #[test]
    fn throttling_keeps_the_wait_asked_for() {
        let error = ConnectWiseError::from_response(
            Op::CallbackList,
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"message":"Too many requests. Please try again in 30 seconds."}"#,
            Some(Duration::from_secs(30)),
        );
        assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
        assert!(error.to_string().contains("try again in 30 seconds"));
    }

    #[test]
    fn only_message_texts_are_kept_and_bounded() {
        assert_eq!(
            error_messages(EXISTS).as_deref(),
            Some("callbackEntry object is invalid; A matching callback entry already exists")
        );
        assert_eq!(error_messages(r#"{"errors":null,"message":" "}"#), None);
        let echo = r#"{"code":"X","detail":"key=S3cret-K3y","stack":"at S3cret-K3y"}"#;
        let error = ConnectWiseError::from_response(
            Op::CallbackCreate,
            StatusCode::BAD_REQUEST,
            echo,
            None,
        );
        let printed = format!("{error} | {} | {error:?}", error.fix());
        assert!(!printed.contains("S3cret"), "{printed}");
        assert!(printed.contains("without an error message"), "{printed}");
        let long = serde_json::json!({"message": "é".repeat(800)}).to_string();
        let message = error_messages(&long).expect("text");
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS);
        assert!(message.ends_with('…'));
    }

    #[test]
    fn every_error_has_a_fix_and_the_uncertain_ones_say_so() {
        let message = String::new();
        let callbacks = ConnectWiseError::CannotManageCallbacks {
            message: message.clone(),
        }
        .fix();
        assert!(callbacks.contains("unverified") && callbacks.contains("System › Table Setup"));
        let tickets = ConnectWiseError::NoTicketPermission {
            message: message.clone(),
        }
        .fix();
        assert!(tickets.contains("Service Desk › Service Tickets"));
        let keys = ConnectWiseError::CredentialsRejected { message }.fix();
        assert!(keys.contains("API Members") && keys.contains("\"not found\""));
        let gone = ConnectWiseError::GoneUnconfirmed {
            id: WebhookId(7),
            reason: "r".into(),
            source: Box::new(ConnectWiseError::NotFound { what: "x".into() }),
        };
        assert_eq!(gone.class(), ErrorClass::Unexpected);
        assert!(gone.fix().contains("DELETE /system/callbacks/7"));
        let throttled = ConnectWiseError::GoneUnconfirmed {
            id: WebhookId(7),
            reason: "r".into(),
            source: Box::new(ConnectWiseError::Throttled {
                message: "m".into(),
                retry_after: None,
            }),
        };
        assert_eq!(throttled.class(), ErrorClass::Throttled);
    }
}
