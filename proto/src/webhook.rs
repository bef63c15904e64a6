//! The webhook a connection wants in its PSA, the lifecycle state it is in, and what a check found.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{WebhookGuid, WebhookId};

/// Where a connection's webhook is in its lifecycle (see DESIGN.md, "Webhook lifecycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookState {
    NotConfigured,
    Registering,
    Active,
    /// A connection exists but webhook setup never completed (predates the feature, or was interrupted).
    SetupIncomplete,
    /// The last registration attempt failed; the classified error is kept.
    Failed,
    /// The PSA disabled the webhook (e.g. after repeated delivery failures).
    Deactivated,
    Removing,
    /// The connection was removed but its webhook could not be deleted.
    Orphaned,
}

impl WebhookState {
    pub const ALL: [WebhookState; 8] = [
        Self::NotConfigured,
        Self::Registering,
        Self::Active,
        Self::SetupIncomplete,
        Self::Failed,
        Self::Deactivated,
        Self::Removing,
        Self::Orphaned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotConfigured => "not_configured",
            Self::Registering => "registering",
            Self::Active => "active",
            Self::SetupIncomplete => "setup_incomplete",
            Self::Failed => "failed",
            Self::Deactivated => "deactivated",
            Self::Removing => "removing",
            Self::Orphaned => "orphaned",
        }
    }
}

impl fmt::Display for WebhookState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored state string that is not a known state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown webhook state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for WebhookState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, UnknownState> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// The shared secret a PSA signs callouts with. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; call only where it is sent to the PSA or used as a key.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// The webhook a connection wants to exist in its PSA.
#[derive(Debug, Clone)]
pub struct WebhookSpec {
    /// Shown to the MSP under Admin > Webhooks (Autotask: at most 50 characters).
    pub name: String,
    pub webhook_url: String,
    pub deactivation_url: String,
    pub secret: WebhookSecret,
    /// Receives the PSA's delivery-failure and threshold emails.
    pub notification_email: Option<String>,
}

/// A webhook the PSA confirmed as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredWebhook {
    pub id: WebhookId,
    pub guid: Option<WebhookGuid>,
    pub is_active: bool,
    pub is_ready: bool,
}

/// What a check of an existing webhook found, compared with the wanted [`WebhookSpec`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebhookCheck {
    pub exists: bool,
    pub is_active: bool,
    pub is_ready: bool,
    /// Subscribed to update events (a completion is an update).
    pub update_events: bool,
    pub url_matches: bool,
    pub deactivation_url_matches: bool,
    /// Wanted field subscriptions that are missing or differ (field names).
    pub missing_fields: Vec<String>,
    pub guid: Option<WebhookGuid>,
}

impl WebhookCheck {
    /// The webhook exists and will deliver what we need.
    pub fn is_healthy(&self) -> bool {
        self.problems().is_empty()
    }

    /// Each drift from the wanted webhook, in plain words.
    pub fn problems(&self) -> Vec<String> {
        if !self.exists {
            return vec!["the webhook no longer exists in the PSA".to_owned()];
        }
        let mut problems = Vec::new();
        if !self.is_active {
            problems.push("the webhook is inactive".to_owned());
        }
        if !self.is_ready {
            problems.push("the webhook is not ready (no subscribed field)".to_owned());
        }
        if !self.update_events {
            problems.push("the webhook is not subscribed to update events".to_owned());
        }
        if !self.url_matches {
            problems.push("the webhook URL differs from ours".to_owned());
        }
        if !self.deactivation_url_matches {
            problems.push("the deactivation URL differs from ours".to_owned());
        }
        if !self.missing_fields.is_empty() {
            problems.push(format!(
                "field subscriptions missing or wrong: {}",
                self.missing_fields.join(", ")
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in WebhookState::ALL {
            assert_eq!(state.as_str().parse::<WebhookState>(), Ok(state));
            let json = serde_json::to_string(&state).expect("serializes");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert!("enabled".parse::<WebhookState>().is_err());
    }

    #[test]
    fn secrets_never_print() {
        let secret = WebhookSecret::new("hunter2-very-secret");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn a_check_lists_every_drift() {
        let check = WebhookCheck {
            exists: true,
            is_active: false,
            is_ready: true,
            update_events: true,
            url_matches: true,
            deactivation_url_matches: true,
            missing_fields: vec!["CompletedDate".into()],
            guid: None,
        };
        assert_eq!(check.problems().len(), 2);
        assert!(!check.is_healthy());
        assert!(!WebhookCheck::default().is_healthy());
    }
}
