//! The Autotask adapter: a process-wide factory holding what connections share (HTTP client,
//! zone and field caches, the thread limiter), and one [`AutotaskConnection`] per tenant.

use std::sync::Arc;
use std::time::Duration;

use psa_proto::{
    PsaAdapter, RegisteredWebhook, RemoveOutcome, RepairOutcome, WebhookCheck, WebhookId,
    WebhookSpec,
};
use url::Url;

use psa_proto::ApiObserver;

use crate::client::{AutotaskClient, Shared};
use crate::error::AutotaskError;
use crate::fields::FieldCatalog;
use crate::limiter::EndpointLimiter;
use crate::retry::RetryPolicy;
use crate::webhook;
use crate::zone::{Zone, ZoneDirectory};

pub use crate::client::Credentials;

/// The Autotask endpoint of zone discovery, for production.
pub const DEFAULT_ZONE_LOOKUP_URL: &str =
    "https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation";

/// The default of [`AutotaskSettings::cache_capacity`].
pub const DEFAULT_CACHE_CAPACITY: usize = 16_384;

/// How the adapter talks to Autotask.
#[derive(Debug, Clone)]
pub struct AutotaskSettings {
    pub zone_lookup_url: String,
    /// Per HTTP exchange.
    pub request_timeout: Duration,
    /// How long a discovered zone is trusted (GOAT uses 24 h, others 6 h).
    pub zone_cache_ttl: Duration,
    pub retry: RetryPolicy,
    /// Autotask's thread limit per endpoint (3 for integrations created after 2023.1).
    pub max_concurrent_per_endpoint: usize,
    /// The most entries each in-memory cache keeps: zones (per username), field-id picklists
    /// (per user and zone), and, as the size past which idle ones are dropped, thread-limit
    /// buckets (per database and endpoint).
    pub cache_capacity: usize,
}

impl Default for AutotaskSettings {
    fn default() -> Self {
        Self {
            zone_lookup_url: DEFAULT_ZONE_LOOKUP_URL.to_owned(),
            request_timeout: Duration::from_secs(30),
            zone_cache_ttl: Duration::from_secs(6 * 3600),
            retry: RetryPolicy::default(),
            max_concurrent_per_endpoint: 3,
            cache_capacity: DEFAULT_CACHE_CAPACITY,
        }
    }
}

/// Shared by every connection of the process; cheap to clone.
#[derive(Debug, Clone)]
pub struct Autotask {
    shared: Shared,
    zones: Arc<ZoneDirectory>,
    fields: Arc<FieldCatalog>,
}

impl Autotask {
    pub fn new(settings: AutotaskSettings) -> Result<Self, AutotaskError> {
        let lookup_url =
            Url::parse(&settings.zone_lookup_url).map_err(|e| AutotaskError::Unexpected {
                op: crate::Op::ZoneLookup,
                message: format!(
                    "the zone lookup URL {:?} is invalid: {e}",
                    settings.zone_lookup_url
                ),
            })?;
        let http = reqwest::Client::builder()
            .timeout(settings.request_timeout)
            .connect_timeout(settings.request_timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("psa-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| AutotaskError::Network {
                op: crate::Op::ZoneLookup,
                source,
            })?;
        let zones = ZoneDirectory::new(
            http.clone(),
            lookup_url,
            settings.zone_cache_ttl,
            settings.cache_capacity,
            settings.retry.clone(),
        );
        Ok(Self {
            shared: Shared {
                http,
                limiter: Arc::new(EndpointLimiter::new(
                    settings.max_concurrent_per_endpoint,
                    settings.cache_capacity,
                )),
                retry: settings.retry,
                observer: None,
            },
            zones: Arc::new(zones),
            fields: Arc::new(FieldCatalog::new(settings.cache_capacity)),
        })
    }

    /// Reports every Autotask exchange to `observer` (metrics).
    pub fn with_observer(mut self, observer: Arc<dyn ApiObserver>) -> Self {
        self.shared.observer = Some(observer);
        self
    }

    /// Discovers the user's zone and returns a connection bound to it.
    pub async fn connect(
        &self,
        credentials: Credentials,
    ) -> Result<AutotaskConnection, AutotaskError> {
        let zone = self.zones.zone_for(&credentials.username).await?;
        let database = zone
            .database
            .map(|ci| ci.to_string())
            .unwrap_or_else(|| format!("{}|{}", zone.api_base, credentials.username));
        let client = AutotaskClient::new(
            self.shared.clone(),
            zone.api_base.clone(),
            credentials,
            database,
        );
        Ok(AutotaskConnection {
            client,
            zone,
            fields: self.fields.clone(),
            zones: self.zones.clone(),
        })
    }
}

/// One tenant's Autotask connection.
#[derive(Debug, Clone)]
pub struct AutotaskConnection {
    client: AutotaskClient,
    zone: Zone,
    fields: Arc<FieldCatalog>,
    zones: Arc<ZoneDirectory>,
}

impl AutotaskConnection {
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// For calls the adapter does not wrap yet.
    pub fn client(&self) -> &AutotaskClient {
        &self.client
    }

    /// A "not found" Autotask would not confirm may come from a stale zone (the database moved):
    /// the next connection discovers the zone again instead of trusting the cache for hours.
    fn rediscover_on_doubt<T>(&self, result: Result<T, AutotaskError>) -> Result<T, AutotaskError> {
        if let Err(AutotaskError::GoneUnconfirmed { .. }) = &result {
            self.zones.forget(self.client.username());
        }
        result
    }
}

impl PsaAdapter for AutotaskConnection {
    type Error = AutotaskError;

    async fn register(&self, spec: &WebhookSpec) -> Result<RegisteredWebhook, AutotaskError> {
        webhook::register(&self.client, &self.fields, spec).await
    }

    async fn remove(
        &self,
        id: Option<WebhookId>,
        spec: &WebhookSpec,
    ) -> Result<RemoveOutcome, AutotaskError> {
        self.rediscover_on_doubt(webhook::remove(&self.client, id, spec).await)
    }

    async fn check(
        &self,
        id: WebhookId,
        spec: &WebhookSpec,
    ) -> Result<WebhookCheck, AutotaskError> {
        self.rediscover_on_doubt(webhook::check(&self.client, &self.fields, id, spec).await)
    }

    async fn repair(
        &self,
        id: WebhookId,
        _spec: &WebhookSpec,
        found: &WebhookCheck,
    ) -> Result<RepairOutcome, AutotaskError> {
        webhook::repair(&self.client, &self.fields, id, found).await
    }
}
