//! What every connection actor is built with, and the PSA-facing steps they share: connecting
//! and the webhook a connection wants.

use std::sync::Arc;

use psa_proto::{Connection, Credentials, HookToken, PsaError, WebhookSecret, WebhookSpec};

use super::messages::ActorError;
use super::routes::Routes;
use super::stop::StopSignal;
use crate::metrics::HubMetrics;
use crate::psa::{Psa, Psas};
use crate::store::{ConnectionKey, ConnectionRecord, Store};

/// What every connection actor is built with.
#[derive(Debug, Clone)]
pub struct Deps {
    pub store: Store,
    pub psas: Psas,
    pub routes: Routes,
    pub metrics: Arc<HubMetrics>,
    pub stop: StopSignal,
}

impl Deps {
    /// The PSA of a connection. Actors exist only for PSAs the hub serves, so a miss is a bug
    /// of the caller; it stops the work rather than panic.
    pub fn psa(&self, key: &ConnectionKey) -> Result<&Psa, ActorError> {
        self.psas
            .get(key.psa)
            .ok_or_else(|| ActorError::UnknownPsa(key.psa.as_str().to_owned()))
    }

    /// A client of the connection's PSA with `credentials`, discovery included.
    pub async fn connect(
        &self,
        key: &ConnectionKey,
        credentials: &Credentials,
    ) -> Result<Result<Box<dyn Connection>, PsaError>, ActorError> {
        let psa = self.psa(key)?;
        Ok(psa.provider.connect(credentials).await)
    }

    /// The webhook `record` wants in its PSA.
    pub fn spec(&self, record: &ConnectionRecord) -> Result<WebhookSpec, ActorError> {
        let psa = self.psa(&record.key)?;
        Ok(self.psas.spec(
            psa,
            &record.hook_token,
            &record.webhook_secret,
            record.notification_email.as_deref(),
        ))
    }

    /// Enough of the webhook at `token`'s URL to delete it (its secret is not needed).
    pub fn removal_spec(
        &self,
        key: &ConnectionKey,
        token: &HookToken,
    ) -> Result<WebhookSpec, ActorError> {
        let psa = self.psa(key)?;
        Ok(self.psas.spec(psa, token, &WebhookSecret::new(""), None))
    }

    /// What an administrator must do by hand when `record`'s webhook could not be deleted.
    pub fn manual_cleanup(&self, record: &ConnectionRecord) -> Result<String, ActorError> {
        let psa = self.psa(&record.key)?;
        Ok(self
            .psas
            .manual_cleanup(psa, record.webhook_id, &record.hook_token))
    }
}
