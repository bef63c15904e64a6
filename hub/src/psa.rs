//! The PSAs this hub serves: each a provider (the adapter behind `psa_proto::Provider`) with
//! the hub's settings for its webhooks. Built once at the wiring point; everything else reaches
//! a PSA through here, by name, without naming any.

use std::sync::Arc;
use std::time::Duration;

use psa_proto::{HookToken, Provider, PsaName, WebhookId, WebhookSecret, WebhookSpec};

/// One PSA: its provider and how its webhooks look and are looked after.
#[derive(Debug, Clone)]
pub struct Psa {
    pub provider: Arc<dyn Provider>,
    /// The name of the webhook psa-hub creates in this PSA.
    pub webhook_name: String,
    /// The least time between two checks triggered by (unsigned) deactivation hints.
    pub check_interval: Duration,
    /// The period of the desired-state check of every connection's webhook; zero turns it off.
    pub drift_check: Duration,
}

impl Psa {
    pub fn name(&self) -> PsaName {
        self.provider.name()
    }
}

/// Every PSA of the hub, in a fixed order (the wiring point's).
#[derive(Debug, Clone)]
pub struct Psas {
    list: Arc<[Psa]>,
    /// The public listener's base URL as the PSAs reach it, without a trailing slash.
    public_base: Arc<str>,
}

impl Psas {
    pub fn new(list: Vec<Psa>, public_base: &str) -> Self {
        Self {
            list: list.into(),
            public_base: public_base.trim_end_matches('/').into(),
        }
    }

    pub fn get(&self, name: PsaName) -> Option<&Psa> {
        self.list.iter().find(|psa| psa.name() == name)
    }

    /// The PSA a route segment or stored column names, if the hub serves it.
    pub fn named(&self, name: &str) -> Option<&Psa> {
        self.list.iter().find(|psa| psa.name().as_str() == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Psa> {
        self.list.iter()
    }

    pub fn names(&self) -> Vec<PsaName> {
        self.list.iter().map(Psa::name).collect()
    }

    /// `https://hooks.example.com/hooks/{psa}/{token}`: where a connection's callouts arrive.
    pub fn webhook_url(&self, psa: PsaName, token: &HookToken) -> String {
        format!("{}/hooks/{psa}/{token}", self.public_base)
    }

    /// The webhook a connection wants in its PSA.
    pub fn spec(
        &self,
        psa: &Psa,
        token: &HookToken,
        secret: &WebhookSecret,
        notification_email: Option<&str>,
    ) -> WebhookSpec {
        let url = self.webhook_url(psa.name(), token);
        WebhookSpec {
            name: psa.webhook_name.clone(),
            deactivation_url: format!("{url}/deactivated"),
            webhook_url: url,
            secret: secret.clone(),
            notification_email: notification_email.map(str::to_owned),
        }
    }

    /// What an administrator must do to delete the webhook `id` at `token`'s URL by hand.
    pub fn manual_cleanup(&self, psa: &Psa, id: Option<WebhookId>, token: &HookToken) -> String {
        let url = self.webhook_url(psa.name(), token);
        psa.provider.manual_cleanup(&psa.webhook_name, id, &url)
    }
}
