//! `GET /api/v1/tenants`: every tenant with its connections' states, paged by tenant id.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use psa_proto::{PsaName, TenantId, WebhookState};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::{ApiError, ErrorCode};
use super::events::{page_limit, Page};
use super::responses::{BadRequest, InternalError};
use super::schema;
use super::AdminState;
use crate::store::TenantSummary;

/// One of a tenant's connections, in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectionSummary {
    /// Which PSA (the path segment of its routes).
    #[schema(value_type = String)]
    psa: &'static str,
    #[schema(value_type = schema::WebhookStateSchema)]
    webhook_state: WebhookState,
    webhook_id: Option<i64>,
    last_delivery_at: Option<DateTime<Utc>>,
}

/// A tenant: one with events or a connection. Beside `connections`, each PSA the hub serves is
/// a key of its own (its name), the same summary or null, as the API had it before it
/// served more than one PSA.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    #[schema(value_type = schema::TenantId)]
    tenant_id: TenantId,
    /// Every connection of the tenant, in PSA name order.
    connections: Vec<ConnectionSummary>,
    #[serde(flatten)]
    #[schema(ignore)]
    by_psa: BTreeMap<&'static str, Option<ConnectionSummary>>,
}

/// One page of tenants, in tenant id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantPage {
    tenants: Vec<TenantView>,
    /// Pass as `after` for the next page; null on the last page.
    #[schema(value_type = Option<schema::TenantId>)]
    next_after: Option<TenantId>,
}

impl TenantView {
    fn of(tenant: TenantSummary, psas: &[PsaName]) -> Self {
        let connections: Vec<ConnectionSummary> = tenant
            .connections
            .into_iter()
            .map(|c| ConnectionSummary {
                psa: c.psa.as_str(),
                webhook_state: c.state,
                webhook_id: c.webhook_id.map(|id| id.0),
                last_delivery_at: c.last_delivery_at,
            })
            .collect();
        let by_psa = psas
            .iter()
            .map(|name| {
                let summary = connections.iter().find(|c| c.psa == name.as_str()).cloned();
                (name.as_str(), summary)
            })
            .collect();
        Self {
            tenant_id: tenant.tenant_id,
            connections,
            by_psa,
        }
    }
}

/// Tenants with their connections' webhook states, in tenant id order.
#[utoipa::path(
    get,
    path = "/api/v1/tenants",
    tag = "tenants",
    params(Page),
    responses(
        (status = 200, description = "One page of tenants", body = TenantPage),
        (status = 400, response = BadRequest),
        (status = 500, response = InternalError),
    )
)]
pub async fn list(
    _admin: Admin,
    state: web::Data<AdminState>,
    query: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit)?;
    let after = query
        .after
        .as_deref()
        .map(TenantId::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidQuery, format!("after: {e}")))?;
    let tenants = state.store.tenants(after.as_ref(), limit).await?;
    let next_after = (tenants.len() == limit as usize)
        .then(|| tenants.last().map(|t| t.tenant_id.clone()))
        .flatten();
    let psas = state.psas.names();
    let tenants = tenants
        .into_iter()
        .map(|t| TenantView::of(t, &psas))
        .collect();
    Ok(HttpResponse::Ok().json(TenantPage {
        tenants,
        next_after,
    }))
}
