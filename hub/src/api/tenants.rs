//! `GET /api/v1/tenants`: every tenant with its connection's state, paged by tenant id.

use actix_web::{web, HttpResponse};
use psa_proto::TenantId;
use serde_json::json;

use super::auth::Admin;
use super::error::ApiError;
use super::events::{page_limit, Page};
use super::AdminState;

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
        .map_err(|e| ApiError::bad_request("invalid_query", format!("after: {e}")))?;
    let tenants = state.store.tenants(after.as_ref(), limit).await?;
    let next_after = (tenants.len() == limit as usize)
        .then(|| tenants.last().map(|t| t.tenant_id.clone()))
        .flatten();
    let tenants: Vec<_> = tenants
        .into_iter()
        .map(|t| {
            json!({
                "tenant_id": t.tenant_id,
                "autotask": t.state.map(|state| json!({
                    "webhook_state": state,
                    "webhook_id": t.webhook_id.map(|id| id.0),
                    "last_delivery_at": t.last_delivery_at,
                })),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"tenants": tenants, "next_after": next_after})))
}
