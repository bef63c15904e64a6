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
    /// Shown to the MSP under Admin > Webhooks (the PSA may limit its length).
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

/// One way a webhook in the PSA differs from the wanted [`WebhookSpec`]; a bounded set, so it
/// can label a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drift {
    /// The webhook no longer exists.
    Deleted,
    Inactive,
    /// The PSA does not report it ready (no subscribed field).
    NotReady,
    /// Not subscribed to update events (a completion is an update).
    Events,
    /// The webhook URL is not ours.
    Url,
    /// The deactivation URL is not ours.
    DeactivationUrl,
    /// A wanted field subscription is missing or has the wrong role.
    Fields,
}

impl Drift {
    pub const ALL: [Drift; 7] = [
        Self::Deleted,
        Self::Inactive,
        Self::NotReady,
        Self::Events,
        Self::Url,
        Self::DeactivationUrl,
        Self::Fields,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deleted => "deleted",
            Self::Inactive => "inactive",
            Self::NotReady => "not_ready",
            Self::Events => "events",
            Self::Url => "url",
            Self::DeactivationUrl => "deactivation_url",
            Self::Fields => "fields",
        }
    }

    /// The name a stored reason was written with, if known.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|drift| drift.as_str() == name)
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl WebhookCheck {
    /// The webhook exists and will deliver what we need.
    pub fn is_healthy(&self) -> bool {
        self.drifts().is_empty()
    }

    /// Each way the webhook differs from the wanted one; `[Deleted]` alone when it is gone.
    pub fn drifts(&self) -> Vec<Drift> {
        if !self.exists {
            return vec![Drift::Deleted];
        }
        [
            (!self.is_active, Drift::Inactive),
            (!self.is_ready, Drift::NotReady),
            (!self.update_events, Drift::Events),
            (!self.url_matches, Drift::Url),
            (!self.deactivation_url_matches, Drift::DeactivationUrl),
            (!self.missing_fields.is_empty(), Drift::Fields),
        ]
        .into_iter()
        .filter_map(|(drifted, drift)| drifted.then_some(drift))
        .collect()
    }

    /// Each drift from the wanted webhook, in plain words.
    pub fn problems(&self) -> Vec<String> {
        self.drifts()
            .into_iter()
            .map(|drift| match drift {
                Drift::Deleted => "the webhook no longer exists in the PSA".to_owned(),
                Drift::Inactive => "the webhook is inactive".to_owned(),
                Drift::NotReady => "the webhook is not ready (no subscribed field)".to_owned(),
                Drift::Events => "the webhook is not subscribed to update events".to_owned(),
                Drift::Url => "the webhook URL differs from ours".to_owned(),
                Drift::DeactivationUrl => "the deactivation URL differs from ours".to_owned(),
                Drift::Fields => format!(
                    "field subscriptions missing or wrong: {}",
                    self.missing_fields.join(", ")
                ),
            })
            .collect()
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
        assert_eq!(check.drifts(), vec![Drift::Inactive, Drift::Fields]);
        assert!(!check.is_healthy());
        assert_eq!(WebhookCheck::default().drifts(), vec![Drift::Deleted]);
        for drift in Drift::ALL {
            assert_eq!(Drift::from_name(drift.as_str()), Some(drift));
        }
        assert!(!WebhookCheck::default().is_healthy());
    }
}
