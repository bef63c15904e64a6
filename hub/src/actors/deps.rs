//! What every connection actor is built with, and how a connection's webhook looks in its PSA.

use std::sync::Arc;
use std::time::Duration;

use psa_autotask::{Autotask, AutotaskConnection, AutotaskError};
use psa_proto::WebhookSpec;

use super::routes::Routes;
use super::stop::StopSignal;
use crate::metrics::HubMetrics;
use crate::store::{ConnectionRecord, Credentials, Store};

/// What every connection actor is built with.
#[derive(Debug, Clone)]
pub struct Deps {
    pub store: Store,
    pub autotask: Autotask,
    pub routes: Routes,
    pub metrics: Arc<HubMetrics>,
    pub webhook: WebhookTemplate,
    /// The least time between two checks triggered by deactivation hints.
    pub check_interval: Duration,
    /// The period of the desired-state check of every connection's webhook.
    pub drift_check: Duration,
    pub stop: StopSignal,
}

impl Deps {
    /// A client of the PSA with `credentials`, zone discovered.
    pub async fn connect(
        &self,
        credentials: &Credentials,
    ) -> Result<AutotaskConnection, AutotaskError> {
        self.autotask.connect(credentials.clone()).await
    }
}

/// How the webhook of any connection looks, apart from its token and secret.
#[derive(Debug, Clone)]
pub struct WebhookTemplate {
    pub name: String,
    /// The public listener's base URL as Autotask reaches it, without a trailing slash.
    pub public_base: String,
}

impl WebhookTemplate {
    pub fn spec(&self, record: &ConnectionRecord) -> WebhookSpec {
        let url = format!("{}/hooks/autotask/{}", self.public_base, record.hook_token);
        WebhookSpec {
            name: self.name.clone(),
            deactivation_url: format!("{url}/deactivated"),
            webhook_url: url,
            secret: record.webhook_secret.clone(),
            notification_email: record.notification_email.clone(),
        }
    }

    /// Enough of the webhook at `hook_token`'s URL to delete it (its secret is not needed).
    pub fn removal_spec(&self, hook_token: &psa_proto::HookToken) -> WebhookSpec {
        let url = format!("{}/hooks/autotask/{hook_token}", self.public_base);
        WebhookSpec {
            name: self.name.clone(),
            deactivation_url: format!("{url}/deactivated"),
            webhook_url: url,
            secret: psa_proto::WebhookSecret::new(""),
            notification_email: None,
        }
    }

    /// What an operator must do by hand when a webhook could not be deleted.
    pub fn manual_cleanup(&self, record: &ConnectionRecord) -> String {
        self.manual_cleanup_of(record.webhook_id, &record.hook_token)
    }

    /// What an operator must do by hand to delete the webhook `id` at `hook_token`'s URL.
    pub fn manual_cleanup_of(
        &self,
        webhook_id: Option<psa_proto::WebhookId>,
        hook_token: &psa_proto::HookToken,
    ) -> String {
        let id = webhook_id
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        format!(
            "Sign in to Autotask as an administrator, open Admin > Webhooks (Admin > Extensions & \
             Integrations > Webhooks in current Autotask) and delete the webhook named \"{}\"{id} \
             whose URL ends in /hooks/autotask/{hook_token}, if it is there.",
            self.name
        )
    }
}
