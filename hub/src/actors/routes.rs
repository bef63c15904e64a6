//! The hot routing table: hook token → the connection and what verifies its callouts. The
//! ingest path reads it without touching any actor mailbox.

use std::sync::Arc;

use dashmap::DashMap;
use psa_proto::{HookToken, WebhookSecret};
use serde_json::{Map, Value};

use super::bucket::TokenBucket;
use crate::config::RateLimit;
use crate::store::{ConnectionKey, ConnectionRecord};

/// Where a callout on one hook token belongs.
#[derive(Debug, Clone)]
pub struct Route {
    pub key: ConnectionKey,
    /// Every secret that currently verifies (more than one during a rotation's grace window).
    pub secrets: Arc<[WebhookSecret]>,
    /// The connection's public part, which some PSAs' callouts are checked against.
    pub public: Arc<Map<String, Value>>,
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
                key: record.key.clone(),
                secrets: Arc::from(vec![record.webhook_secret.clone()]),
                public: Arc::new(record.public.clone()),
                limit: Arc::new(TokenBucket::new(self.limit)),
            },
        );
    }

    /// Gives the token's route the connection's new public part (another site or company after
    /// a PUT), keeping its secrets and its rate limit: callouts are checked against it.
    pub fn set_public(&self, token: &HookToken, public: &Map<String, Value>) {
        if let Some(mut route) = self.map.get_mut(token.as_str()) {
            route.public = Arc::new(public.clone());
        }
    }

    pub fn remove(&self, token: &HookToken) {
        self.map.remove(token.as_str());
    }
}
