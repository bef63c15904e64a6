//! How the adapter talks to ConnectWise PSA, with production defaults.

use std::time::Duration;

use crate::retry::RetryPolicy;

/// The API version every call pins in its `Accept` header (reference §1: the Developer Guide's
/// example; deprecated models stay supported for 12 months after a newer one). Unverified
/// against a live site, so it is a setting.
pub const DEFAULT_API_VERSION: &str = "2019.1";

/// The default of [`ConnectWiseSettings::cache_capacity`].
pub const DEFAULT_CACHE_CAPACITY: usize = 16_384;

#[derive(Clone)]
pub struct ConnectWiseSettings {
    /// The product's ConnectWise `clientId` (a GUID registered as *Public*), sent on every call.
    pub client_id: String,
    /// Accept `http://` sites and signing-key URLs: only for tests and the demo.
    pub allow_http_sites: bool,
    /// Per HTTP exchange with the REST API and discovery.
    pub request_timeout: Duration,
    /// The `version=` of the `Accept` header.
    pub api_version: String,
    pub retry: RetryPolicy,
    /// How long a discovered API root (per site and company) is trusted.
    pub discovery_ttl: Duration,
    /// How long a fetched signing key is kept, per key URL. Key URLs change and may be
    /// short-lived (reference §3), so this stays short.
    pub signing_key_ttl: Duration,
    /// Per signing-key fetch: ConnectWise gives a callback 5 s in all.
    pub signing_key_timeout: Duration,
    /// The most entries each cache keeps (API roots, signing keys).
    pub cache_capacity: usize,
}

impl std::fmt::Debug for ConnectWiseSettings {
    /// ConnectWise asks that a clientId be kept like a password, so it never prints.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectWiseSettings")
            .field("client_id", &"[redacted]")
            .field("allow_http_sites", &self.allow_http_sites)
            .field("request_timeout", &self.request_timeout)
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .field("discovery_ttl", &self.discovery_ttl)
            .field("signing_key_ttl", &self.signing_key_ttl)
            .field("signing_key_timeout", &self.signing_key_timeout)
            .field("cache_capacity", &self.cache_capacity)
            .finish()
    }
}

impl Default for ConnectWiseSettings {
    /// Production defaults; `client_id` is empty and must be set.
    fn default() -> Self {
        Self {
            client_id: String::new(),
            allow_http_sites: false,
            request_timeout: Duration::from_secs(30),
            api_version: DEFAULT_API_VERSION.to_owned(),
            retry: RetryPolicy::default(),
            discovery_ttl: Duration::from_secs(6 * 3600),
            signing_key_ttl: Duration::from_secs(300),
            signing_key_timeout: Duration::from_secs(3),
            cache_capacity: DEFAULT_CACHE_CAPACITY,
        }
    }
}
