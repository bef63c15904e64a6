//! The hot routing table: hook token → the tenant and secrets that verify its callouts. The
//! ingest path reads it without touching any actor mailbox.

use std::sync::Arc;

use dashmap::DashMap;
use psa_proto::{HookToken, TenantId, WebhookSecret};

use crate::store::ConnectionRecord;

/// Where a callout on one hook token belongs.
#[derive(Debug, Clone)]
pub struct Route {
    pub tenant: TenantId,
    /// Every secret that currently verifies (more than one during a rotation's grace window).
    pub secrets: Arc<[WebhookSecret]>,
}

/// Shared by the registry, the connection actors and the public listener.
#[derive(Debug, Clone, Default)]
pub struct Routes(Arc<DashMap<String, Route>>);

impl Routes {
    pub fn get(&self, token: &str) -> Option<Route> {
        self.0.get(token).map(|entry| entry.value().clone())
    }

    pub fn insert(&self, record: &ConnectionRecord) {
        self.0.insert(
            record.hook_token.as_str().to_owned(),
            Route {
                tenant: record.tenant_id.clone(),
                secrets: Arc::from(vec![record.webhook_secret.clone()]),
            },
        );
    }

    pub fn remove(&self, token: &HookToken) {
        self.0.remove(token.as_str());
    }
}
