//! The hot routing table: hook token → the tenant and secrets that verify its callouts. The
//! ingest path reads it without touching any actor mailbox.

use std::sync::Arc;

use dashmap::DashMap;
use psa_proto::{HookToken, TenantId, WebhookSecret};

use super::bucket::TokenBucket;
use crate::config::RateLimit;
use crate::store::ConnectionRecord;

/// Where a callout on one hook token belongs.
#[derive(Debug, Clone)]
pub struct Route {
    pub tenant: TenantId,
    /// Every secret that currently verifies (more than one during a rotation's grace window).
    pub secrets: Arc<[WebhookSecret]>,
    /// The token's rate limit; it lives and goes with the route.
    pub limit: Arc<TokenBucket>,
}

/// Shared by the registry, the connection actors and the public listener.
#[derive(Debug, Clone)]
pub struct Routes {
    map: Arc<DashMap<String, Route>>,
    limit: RateLimit,
}

impl Routes {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            map: Arc::default(),
            limit,
        }
    }

    pub fn get(&self, token: &str) -> Option<Route> {
        self.map.get(token).map(|entry| entry.value().clone())
    }

    pub fn insert(&self, record: &ConnectionRecord) {
        self.map.insert(
            record.hook_token.as_str().to_owned(),
            Route {
                tenant: record.tenant_id.clone(),
                secrets: Arc::from(vec![record.webhook_secret.clone()]),
                limit: Arc::new(TokenBucket::new(self.limit)),
            },
        );
    }

    pub fn remove(&self, token: &HookToken) {
        self.map.remove(token.as_str());
    }
}
