//! One tenant's ConnectWise PSA connection: its client bound to the discovered API root, and
//! the [`psa_proto::Connection`] the hub drives.

use std::sync::Arc;

use psa_proto::{
    BoxFuture, Connection, PsaError, RegisteredWebhook, RemoveOutcome, RepairOutcome,
    TicketClosure, TicketId, WebhookCheck, WebhookId, WebhookSpec,
};

use crate::client::ConnectWiseClient;
use crate::discovery::Discovery;
use crate::error::ConnectWiseError;
use crate::site::Site;
use crate::{closure, webhook};

#[derive(Debug, Clone)]
pub struct ConnectWiseConnection {
    client: ConnectWiseClient,
    site: Site,
    company_id: String,
    discovery: Arc<Discovery>,
}

/// Carries an error over the boundary, keeping whether a "gone" was unconfirmed.
pub(crate) fn boundary(error: ConnectWiseError) -> PsaError {
    let mut carried = PsaError::from_adapter(&error);
    carried.unconfirmed_gone = matches!(error, ConnectWiseError::GoneUnconfirmed { .. });
    carried
}

impl ConnectWiseConnection {
    pub(crate) fn new(
        client: ConnectWiseClient,
        site: Site,
        company_id: String,
        discovery: Arc<Discovery>,
    ) -> Self {
        Self {
            client,
            site,
            company_id,
            discovery,
        }
    }

    pub fn client(&self) -> &ConnectWiseClient {
        &self.client
    }

    /// A "not found" ConnectWise would not confirm may come from a stale API root (the
    /// company moved to another codebase): the next connection discovers it again.
    fn rediscover_on_doubt<T>(&self, result: Result<T, ConnectWiseError>) -> Result<T, PsaError> {
        if let Err(
            ConnectWiseError::GoneUnconfirmed { .. } | ConnectWiseError::TicketUnconfirmed { .. },
        ) = &result
        {
            self.discovery.forget(&self.site, &self.company_id);
        }
        result.map_err(boundary)
    }
}

impl Connection for ConnectWiseConnection {
    fn location(&self) -> String {
        self.client.base().to_string()
    }

    fn register<'a>(
        &'a self,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<RegisteredWebhook, PsaError>> {
        Box::pin(async move {
            webhook::register(&self.client, spec)
                .await
                .map_err(boundary)
        })
    }

    fn remove<'a>(
        &'a self,
        id: Option<WebhookId>,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<RemoveOutcome, PsaError>> {
        Box::pin(
            async move { self.rediscover_on_doubt(webhook::remove(&self.client, id, spec).await) },
        )
    }

    fn check<'a>(
        &'a self,
        id: WebhookId,
        spec: &'a WebhookSpec,
    ) -> BoxFuture<'a, Result<WebhookCheck, PsaError>> {
        Box::pin(
            async move { self.rediscover_on_doubt(webhook::check(&self.client, id, spec).await) },
        )
    }

    fn repair<'a>(
        &'a self,
        id: WebhookId,
        spec: &'a WebhookSpec,
        found: &'a WebhookCheck,
    ) -> BoxFuture<'a, Result<RepairOutcome, PsaError>> {
        Box::pin(async move {
            self.rediscover_on_doubt(webhook::repair(&self.client, id, spec, found).await)
        })
    }

    fn ticket_closure<'a>(
        &'a self,
        ticket: TicketId,
    ) -> BoxFuture<'a, Result<TicketClosure, PsaError>> {
        Box::pin(async move {
            self.rediscover_on_doubt(closure::ticket_closure(&self.client, ticket).await)
        })
    }
}
