//! How a connection is shown: its webhook state, the banner the product displays, the last
//! error with its fix. Built from the stored record only.

use chrono::{DateTime, Utc};
use psa_proto::{TenantId, WebhookState};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::schema;
use crate::psa::{Psa, Psas};
use crate::store::{Cleanup, ConnectionRecord, LastError, LastRepair};

/// The label of the action the banners offer.
pub const RETRY_ACTION: &str = "Retry Webhook Setup";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BannerKind {
    /// Blue: the connection predates the webhook, or its setup never completed.
    NewFeatureAvailable,
    /// Red: the last setup attempt failed, or the PSA disabled the webhook (the message and
    /// `webhook.state` tell which; DESIGN.md's contract has these two kinds only).
    WebhookSetupFailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BannerColor {
    Blue,
    Red,
}

/// What the product shows above the connection, with the action it offers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Banner {
    pub kind: BannerKind,
    pub color: BannerColor,
    pub message: String,
    /// The label of the button: always `Retry Webhook Setup`.
    #[schema(value_type = String)]
    pub action: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookStatus {
    #[schema(value_type = schema::WebhookStateSchema)]
    pub state: WebhookState,
    pub banner: Option<Banner>,
    pub last_error: Option<LastError>,
    /// The webhook's id in the PSA.
    pub id: Option<i64>,
    pub guid: Option<String>,
    pub name: String,
    /// The webhook URL registered in the PSA (it ends in the connection's hook token).
    pub url: String,
    /// When setups began failing in a row (null unless `failed`).
    pub failing_since: Option<DateTime<Utc>>,
    /// When the webhook was last compared with what it should be in the PSA.
    pub last_check_at: Option<DateTime<Utc>>,
    /// The last repair of a drifted webhook: when, and what had drifted.
    pub last_repair: Option<LastRepair>,
}

/// Where the clean-up of a replaced webhook stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CleanupState {
    /// psa-hub keeps trying to delete it.
    Pending,
    /// Only an administrator can delete it (`manual_cleanup` says how).
    Manual,
}

/// A webhook of replaced credentials that psa-hub deletes with those credentials.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplacedWebhook {
    pub id: i64,
    /// Whose webhook it is in the PSA (the API user, or the site and company).
    pub owner: String,
    pub state: CleanupState,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// What to delete by hand, when `manual`.
    pub manual_cleanup: Option<String>,
}

/// A tenant's connection to one PSA as the product shows it, with the PSA's public connection
/// fields beside these (e.g. the API user's `username`, or the `site` and `company_id`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectionStatus {
    #[schema(value_type = schema::TenantId)]
    pub tenant_id: TenantId,
    /// Which PSA: the path segment of the connection's routes.
    #[schema(value_type = String)]
    pub psa: &'static str,
    #[serde(flatten)]
    #[schema(ignore)]
    pub public: Map<String, Value>,
    pub notification_email: Option<String>,
    pub webhook: WebhookStatus,
    pub zone: Option<String>,
    pub last_delivery_at: Option<DateTime<Utc>>,
    pub manual_cleanup: Option<String>,
    pub replaced_webhooks: Vec<ReplacedWebhook>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ConnectionStatus {
    pub fn of(record: &ConnectionRecord, psas: &Psas, psa: &Psa, cleanups: &[Cleanup]) -> Self {
        let spec = psas.spec(
            psa,
            &record.hook_token,
            &record.webhook_secret,
            record.notification_email.as_deref(),
        );
        Self {
            tenant_id: record.key.tenant.clone(),
            psa: record.key.psa.as_str(),
            public: record.public.clone(),
            notification_email: record.notification_email.clone(),
            webhook: WebhookStatus {
                state: record.state,
                banner: banner(record, psa.provider.display_name()),
                last_error: record.last_error.clone(),
                id: record.webhook_id.map(|id| id.0),
                guid: record.webhook_guid.as_ref().map(|g| g.as_str().to_owned()),
                name: spec.name,
                url: spec.webhook_url,
                failing_since: record.failing_since,
                last_check_at: record.last_check_at,
                last_repair: record.last_repair.clone(),
            },
            zone: record.zone.clone(),
            last_delivery_at: record.last_delivery_at,
            manual_cleanup: (record.state == WebhookState::Orphaned)
                .then(|| psas.manual_cleanup(psa, record.webhook_id, &record.hook_token)),
            replaced_webhooks: cleanups
                .iter()
                .map(|c| ReplacedWebhook {
                    id: c.webhook_id.0,
                    owner: c.owner.clone(),
                    state: if c.gave_up {
                        CleanupState::Manual
                    } else {
                        CleanupState::Pending
                    },
                    attempts: c.attempts,
                    last_error: c.last_error.clone(),
                    manual_cleanup: c
                        .gave_up
                        .then(|| psas.manual_cleanup(psa, Some(c.webhook_id), &c.hook_token)),
                })
                .collect(),
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// `display_name` is how people call the PSA.
pub fn banner(record: &ConnectionRecord, display_name: &str) -> Option<Banner> {
    let error_text = |e: &LastError| format!("{} Fix: {}", e.message, e.fix);
    match record.state {
        WebhookState::SetupIncomplete | WebhookState::NotConfigured => Some(Banner {
            kind: BannerKind::NewFeatureAvailable,
            color: BannerColor::Blue,
            message: format!(
                "New feature available: alerts can now close on their own when their \
                 {display_name} ticket is completed. Select Retry Webhook Setup to turn it on."
            ),
            action: RETRY_ACTION,
        }),
        WebhookState::Failed | WebhookState::Deactivated => {
            let headline = if record.state == WebhookState::Failed {
                "Webhook setup failed.".to_owned()
            } else {
                format!("{display_name} deactivated the webhook.")
            };
            let detail = record
                .last_error
                .as_ref()
                .map(error_text)
                .unwrap_or_default();
            Some(Banner {
                kind: BannerKind::WebhookSetupFailed,
                color: BannerColor::Red,
                message: format!("{headline} {detail}"),
                action: RETRY_ACTION,
            })
        }
        WebhookState::Active
        | WebhookState::Registering
        | WebhookState::Removing
        | WebhookState::Orphaned => None,
    }
}
