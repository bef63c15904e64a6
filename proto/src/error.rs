//! How adapter failures are classified, so the hub can store, show and act on them without
//! knowing the PSA.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The kinds of failure the hub distinguishes. Each maps to a stable `code` shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Username, secret or integration code rejected, or the account is locked.
    CredentialsRejected,
    /// The API user's security level may not create webhooks.
    CannotCreateWebhooks,
    /// The security level's maximum number of webhooks is reached.
    WebhookLimitReached,
    /// The API user cannot read and update tickets, so a webhook would never fire.
    NoTicketPermission,
    /// A webhook with our URL already exists and could not be cleared.
    DuplicateWebhook,
    /// The PSA's request or thread threshold refused the call.
    Throttled,
    /// Network failure, timeout or PSA server error; trying again later may succeed.
    Transient,
    NotFound,
    /// The PSA rejected the request as invalid.
    InvalidRequest,
    /// The webhook was created but the PSA does not report it active and ready.
    NotReady,
    /// An answer we could not understand.
    Unexpected,
}

impl ErrorClass {
    pub const ALL: [ErrorClass; 11] = [
        Self::CredentialsRejected,
        Self::CannotCreateWebhooks,
        Self::WebhookLimitReached,
        Self::NoTicketPermission,
        Self::DuplicateWebhook,
        Self::Throttled,
        Self::Transient,
        Self::NotFound,
        Self::InvalidRequest,
        Self::NotReady,
        Self::Unexpected,
    ];

    /// The class a stored `code` names, if any.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::CredentialsRejected => "credentials_rejected",
            Self::CannotCreateWebhooks => "cannot_create_webhooks",
            Self::WebhookLimitReached => "webhook_limit_reached",
            Self::NoTicketPermission => "no_ticket_permission",
            Self::DuplicateWebhook => "duplicate_webhook",
            Self::Throttled => "throttled",
            Self::Transient => "transient",
            Self::NotFound => "not_found",
            Self::InvalidRequest => "invalid_request",
            Self::NotReady => "not_ready",
            Self::Unexpected => "unexpected",
        }
    }

    /// Whether the same call may succeed later without anyone changing anything.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttled | Self::Transient)
    }
}

/// What the hub needs from any adapter error.
pub trait AdapterError: std::error::Error + Send + Sync + 'static {
    fn class(&self) -> ErrorClass;
    /// What the MSP or operator should do, in plain words.
    fn fix(&self) -> String;
    /// How long the PSA asked us to wait, when it said.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_serialized_names() {
        for class in [
            ErrorClass::CredentialsRejected,
            ErrorClass::WebhookLimitReached,
            ErrorClass::NotReady,
        ] {
            let json = serde_json::to_string(&class).expect("serializes");
            assert_eq!(json, format!("\"{}\"", class.code()));
        }
        assert!(ErrorClass::Throttled.is_retryable());
        for class in ErrorClass::ALL {
            assert_eq!(ErrorClass::from_code(class.code()), Some(class));
        }
        assert_eq!(ErrorClass::from_code("webhook_deactivated"), None);
        assert!(!ErrorClass::CannotCreateWebhooks.is_retryable());
    }
}
