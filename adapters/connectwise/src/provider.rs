//! ConnectWise PSA as a hub provider: the one place the hub's generic boundary meets the
//! connection input, discovery, the REST client, callbacks and callback verification.

use std::sync::Arc;

use psa_proto::{
    ApiObserver, BoxFuture, Callout, CalloutKeys, CalloutParseError, CalloutRefused, Connection,
    ConnectionInput, ConnectionRejected, Credentials, PsaError, PsaName, TicketChange, VerifyError,
    WebhookId,
};
use serde_json::{Map, Value};

use crate::client::ConnectWiseClient;
use crate::connection::{boundary, ConnectWiseConnection};
use crate::discovery::Discovery;
use crate::error::ConnectWiseError;
use crate::fixes::delete_by_hand;
use crate::key_url::{self, Tenant};
use crate::settings::ConnectWiseSettings;
use crate::signature::{self, SIGNATURE_HEADER};
use crate::signing_key::KeyFetcher;
use crate::transport::Transport;
use crate::{callout, connect_input};

pub use crate::NAME;

/// ConnectWise PSA, as the hub drives it. Cheap to share: one per process.
#[derive(Debug)]
pub struct ConnectWiseProvider {
    allow_http: bool,
    transport: Transport,
    discovery: Arc<Discovery>,
    keys: KeyFetcher,
}

impl ConnectWiseProvider {
    /// The name of ConnectWise PSA among the hub's providers.
    pub const NAME: PsaName = NAME;

    /// Reports every ConnectWise exchange (API calls, discovery, signing-key fetches) to
    /// `observer` when given.
    pub fn new(
        settings: ConnectWiseSettings,
        observer: Option<Arc<dyn ApiObserver>>,
    ) -> Result<Self, ConnectWiseError> {
        let transport = Transport::new(&settings, observer)?;
        let discovery = Discovery::new(
            transport.clone(),
            settings.discovery_ttl,
            settings.cache_capacity,
        );
        let keys = KeyFetcher::new(
            &transport,
            settings.signing_key_timeout,
            settings.signing_key_ttl,
            settings.cache_capacity,
        )
        .map_err(|source| ConnectWiseError::Network {
            op: crate::Op::SigningKey,
            source,
        })?;
        Ok(Self {
            allow_http: settings.allow_http_sites,
            transport,
            discovery: Arc::new(discovery),
            keys,
        })
    }

    /// A connection with `credentials` (a credentials document), API root discovered.
    pub async fn connect_to(
        &self,
        credentials: &Credentials,
    ) -> Result<ConnectWiseConnection, ConnectWiseError> {
        let (site, keys) = connect_input::from_document(credentials, self.allow_http)
            .ok_or(ConnectWiseError::UnreadableCredentials)?;
        // Nothing is sent there: not the product's clientId, not the tenant's keys.
        if !self.allow_http && site.is_internal() {
            return Err(ConnectWiseError::InternalSite);
        }
        let root = self.discovery.api_root(&site, &keys.company_id).await?;
        let company_id = keys.company_id.clone();
        let client = ConnectWiseClient::new(self.transport.clone(), root, keys);
        Ok(ConnectWiseConnection::new(
            client,
            site,
            company_id,
            self.discovery.clone(),
        ))
    }

    /// Checks the signature with the key the tenant's own ConnectWise serves, then parses.
    async fn verify_callout(
        &self,
        keys: CalloutKeys<'_>,
        callout: Callout<'_>,
    ) -> Result<TicketChange, CalloutRefused> {
        // A malformed signature is refused before anything is fetched.
        let claimed = signature::claimed(callout.signature)?;
        let body: Value = serde_json::from_slice(callout.body)
            .map_err(|e| CalloutParseError::NotJson(e.to_string()))?;
        let tenant =
            Tenant::from_public(keys.public, self.allow_http).ok_or(VerifyError::UntrustedKey)?;
        let url = callout::key_url(&body).ok_or(VerifyError::UntrustedKey)?;
        let url = key_url::trusted(url, &tenant, self.allow_http)?;
        let key = self
            .keys
            .key(&url)
            .await
            .map_err(|e| CalloutRefused::KeyUnavailable(e.to_string()))?;
        signature::verify(&key, &claimed, callout.body)?;
        Ok(callout::parse(&body)?)
    }
}

impl psa_proto::Provider for ConnectWiseProvider {
    fn name(&self) -> PsaName {
        NAME
    }

    fn display_name(&self) -> &'static str {
        "ConnectWise PSA"
    }

    fn connection_schema(&self) -> Value {
        connect_input::schema(self.allow_http)
    }

    fn parse_connection(
        &self,
        body: &Map<String, Value>,
    ) -> Result<ConnectionInput, ConnectionRejected> {
        connect_input::parse(body, self.allow_http)
    }

    fn connect<'a>(
        &'a self,
        credentials: &'a Credentials,
    ) -> BoxFuture<'a, Result<Box<dyn Connection>, PsaError>> {
        Box::pin(async move {
            let connection = self.connect_to(credentials).await.map_err(boundary)?;
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
        Box::pin(self.verify_callout(keys, callout))
    }

    /// The callback's `MessageId` (retries carry the same), else a digest of the body.
    fn dedupe_key(&self, _change: &TicketChange, body: &[u8]) -> String {
        callout::dedupe_key(body)
    }

    fn manual_cleanup(&self, name: &str, id: Option<WebhookId>, url: &str) -> String {
        format!(
            "psa-hub could not delete its ConnectWise PSA ticket callback \"{name}\". {}",
            delete_by_hand(id.map(|id| id.to_string()), url)
        )
    }
}

#[cfg(test)]
mod tests;
