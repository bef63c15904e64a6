//! `GET /api/v1/tenants`: every tenant with its connection's state, paged by tenant id.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use psa_proto::{TenantId, WebhookState};
use serde::Serialize;
use utoipa::ToSchema;

use super::auth::Admin;
use super::error::{ApiError, ErrorCode};
use super::events::{page_limit, Page};
use super::responses::{BadRequest, InternalError};
use super::schema;
use super::AdminState;
use crate::store::TenantSummary;

/// A tenant's Autotask connection, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionSummary {
    #[schema(value_type = schema::WebhookStateSchema)]
    webhook_state: WebhookState,
    webhook_id: Option<i64>,
    last_delivery_at: Option<DateTime<Utc>>,
}

/// A tenant: one with events or a connection.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    #[schema(value_type = schema::TenantId)]
    tenant_id: TenantId,
    /// Null when the tenant has events but no Autotask connection.
    autotask: Option<ConnectionSummary>,
}

/// One page of tenants, in tenant id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantPage {
    tenants: Vec<TenantView>,
    /// Pass as `after` for the next page; null on the last page.
    #[schema(value_type = Option<schema::TenantId>)]
    next_after: Option<TenantId>,
}

impl From<TenantSummary> for TenantView {
    fn from(t: TenantSummary) -> Self {
        Self {
            tenant_id: t.tenant_id,
            autotask: t.state.map(|webhook_state| ConnectionSummary {
                webhook_state,
                webhook_id: t.webhook_id.map(|id| id.0),
                last_delivery_at: t.last_delivery_at,
            }),
        }
    }
}

/// Tenants with their connection's webhook state, in tenant id order.
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
    let tenants = tenants.into_iter().map(TenantView::from).collect();
    Ok(HttpResponse::Ok().json(TenantPage {
        tenants,
        next_after,
    }))
}
