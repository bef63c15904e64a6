//! psa-autotask as a hub provider: the one place the hub's generic boundary meets Autotask's
//! connection settings, client, callouts and webhooks.

use psa_proto::{
    BoxFuture, Callout, CalloutFormat, CalloutKeys, CalloutRefused, Connection, ConnectionInput,
    ConnectionRejected, Credentials, PsaAdapter, PsaError, PsaName, RegisteredWebhook,
    RemoveOutcome, RepairOutcome, TicketChange, TicketClosure, TicketId, Verified, WebhookCheck,
    WebhookId, WebhookSecret, WebhookSpec,
};
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use crate::callout::{is_deactivation_notice, AutotaskCallouts};
use crate::connect_input::{self, StoredCredentials};
use crate::connection::{Autotask, AutotaskConnection};
use crate::error::AutotaskError;
use crate::signature::SIGNATURE_HEADER;

/// The name of Autotask among the hub's providers (route segment, `psa` column and label).
pub const NAME: PsaName = PsaName::new("autotask");

/// Autotask, as the hub drives it.
#[derive(Debug, Clone)]
pub struct AutotaskProvider {
    autotask: Autotask,
}

impl AutotaskProvider {
    pub fn new(autotask: Autotask) -> Self {
        Self { autotask }
    }
}

fn boundary(error: AutotaskError) -> PsaError {
    let mut carried = PsaError::from_adapter(&error);
    carried.unconfirmed_gone = matches!(error, AutotaskError::GoneUnconfirmed { .. });
    carried
}

impl psa_proto::Provider for AutotaskProvider {
    fn name(&self) -> PsaName {
        NAME
    }

    fn display_name(&self) -> &'static str {
        "Autotask"
    }

    fn connection_schema(&self) -> Value {
        connect_input::schema()
    }

    fn parse_connection(
        &self,
        body: &Map<String, Value>,
    ) -> Result<ConnectionInput, ConnectionRejected> {
        connect_input::parse(body)
    }

    fn connect<'a>(
        &'a self,
        credentials: &'a Credentials,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, PsaError>> {
        Box::pin(async move {
            let stored = StoredCredentials::from_document(credentials).ok_or_else(|| {
                boundary(AutotaskError::InvalidSpec {
                    message: "the stored credentials are not an Autotask API user's".into(),
                })
            })?;
            let connection = self
                .autotask
                .connect(stored.into_client_credentials())
                .await
                .map_err(boundary)?;
            Ok(Box::new(connection) as Box<dyn Connection>)
        })
    }

    fn signature_header(&self) -> &'static str {
        SIGNATURE_HEADER
    }

    fn verify<'a>(
        &'a self,
        keys: CalloutKeys<'a>,
        callout: Callout<'a>,
    ) -> BoxFuture<'a, Result<TicketChange, CalloutRefused>> {
        Box::pin(async move {
            let secrets: Vec<&WebhookSecret> = keys.secrets.iter().collect();
            let verified =
                Verified::check(&AutotaskCallouts, &secrets, callout.signature, callout.body)?;
            Ok(AutotaskCallouts.parse(&verified)?)
        })
    }

    fn is_deactivation_notice(&self, body: &[u8]) -> bool {
        is_deactivation_notice(body)
    }

    /// The webhook's Guid, the ticket id and the SequenceNumber when the callout has them
    /// (retries carry the same; the ticket id is in the key because SequenceNumber's scope is
    /// undocumented), otherwise a digest of the body's canonical form.
    fn dedupe_key(&self, change: &TicketChange, body: &[u8]) -> String {
        match (&change.webhook_guid, change.sequence_number) {
            (Some(guid), Some(seq)) => format!("{guid}:{}:{seq}", change.ticket_id),
            _ => {
                let digest = Sha1::digest(AutotaskCallouts.dedupe_form(body));
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                format!("sha1:{hex}")
            }
        }
    }

    fn manual_cleanup(&self, name: &str, id: Option<WebhookId>, url: &str) -> String {
        let id = id.map(|id| format!(" (id {id})")).unwrap_or_default();
        format!(
            "Sign in to Autotask as an administrator, open Admin > Webhooks (Admin > Extensions \
             & Integrations > Webhooks in current Autotask) and delete the webhook named \
             \"{name}\"{id} whose URL is {url}, if it is there."
        )
    }
}

impl Connection for AutotaskConnection {
    fn location(&self) -> String {
        self.zone().api_base.to_string()
    }

    fn register<'a>(
        &'a self,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<RegisteredWebhook, PsaError>> {
        Box::pin(async move { PsaAdapter::register(self, spec).await.map_err(boundary) })
    }

    fn remove<'a>(
        &'a self,
        id: Option<WebhookId>,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<RemoveOutcome, PsaError>> {
        Box::pin(async move { PsaAdapter::remove(self, id, spec).await.map_err(boundary) })
    }

    fn check<'a>(
        &'a self,
        id: WebhookId,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<WebhookCheck, PsaError>> {
        Box::pin(async move { PsaAdapter::check(self, id, spec).await.map_err(boundary) })
    }

    fn repair<'a>(
        &'a self,
        id: WebhookId,
        spec: &'a WebhookSpec,
        found: &'a WebhookCheck,
    ) -> BoxFuture<'a, Result<RepairOutcome, PsaError>> {
        Box::pin(async move {
            PsaAdapter::repair(self, id, spec, found)
                .await
                .map_err(boundary)
        })
    }

    fn ticket_closure<'a>(
        &'a self,
        ticket: TicketId,
    ) -> BoxFuture<'a, Result<TicketClosure, PsaError>> {
        Box::pin(async move {
            crate::closure::ticket_closure(self.client(), ticket)
                .await
                .map_err(boundary)
        })
    }
}
