//! `/api/v1/tenants/{tenant_id}/events`: link an event to its ticket, read events.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use psa_proto::{EventId, TicketId};
use serde::{Deserialize, Serialize};

use super::auth::Admin;
use super::connection::tenant_id;
use super::error::ApiError;
use super::AdminState;
use crate::store::{EventRecord, EventStatus, LinkOutcome};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    event_id: String,
    ticket_id: i64,
    #[serde(default)]
    ticket_created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    event_id: EventId,
    ticket_id: TicketId,
    ticket_created_at: Option<DateTime<Utc>>,
    status: EventStatus,
    resolution: Option<String>,
    closed_at: Option<DateTime<Utc>>,
    linked_at: DateTime<Utc>,
}

impl From<EventRecord> for EventView {
    fn from(r: EventRecord) -> Self {
        Self {
            event_id: r.event_id,
            ticket_id: r.ticket_id,
            ticket_created_at: r.ticket_created_at,
            status: r.status,
            resolution: r.resolution,
            closed_at: r.closed_at,
            linked_at: r.linked_at,
        }
    }
}

pub async fn link(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
    body: web::Json<LinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    let request = body.into_inner();
    let event = EventId::parse(request.event_id)
        .map_err(|e| ApiError::bad_request("invalid_event_id", format!("event_id: {e}")))?;
    if request.ticket_id <= 0 {
        return Err(ApiError::bad_request(
            "invalid_ticket_id",
            "ticket_id must be the positive Autotask ticket id",
        ));
    }
    let outcome = state
        .store
        .link_event(
            &tenant,
            &event,
            TicketId(request.ticket_id),
            request.ticket_created_at,
        )
        .await?;
    Ok(match outcome {
        LinkOutcome::Created(record) => {
            if record.status == EventStatus::Closed {
                // Its completion arrived before the link: it closes now.
                state.metrics.events_closed.inc();
            }
            HttpResponse::Created().json(EventView::from(record))
        }
        LinkOutcome::Existing(record) => HttpResponse::Ok().json(EventView::from(record)),
        LinkOutcome::Conflict(_) => {
            return Err(ApiError::conflict(
                "event_already_linked",
                "the event is already linked to another ticket (or to this ticket with another \
                 ticket_created_at); an event links to one ticket, GET it to see which",
            ))
        }
    })
}

pub async fn get(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, event) = path.into_inner();
    let tenant = tenant_id(&tenant)?;
    let event = EventId::parse(event)
        .map_err(|e| ApiError::bad_request("invalid_event_id", format!("event_id: {e}")))?;
    let record = state.store.event(&tenant, &event).await?.ok_or_else(|| {
        ApiError::not_found(
            "event_not_found",
            format!("tenant {tenant} has no event {event}; link it with POST .../events first"),
        )
    })?;
    Ok(HttpResponse::Ok().json(EventView::from(record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// A tenant's events, in event id order (`?after=<last event_id>&limit=N`).
pub async fn list(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
    query: web::Query<Page>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    let limit = page_limit(query.limit)?;
    let after = query
        .after
        .as_deref()
        .map(EventId::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request("invalid_query", format!("after: {e}")))?;
    let events = state.store.events(&tenant, after.as_ref(), limit).await?;
    let next_after = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.event_id.clone()))
        .flatten();
    let events: Vec<EventView> = events.into_iter().map(EventView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({"events": events, "next_after": next_after})))
}
