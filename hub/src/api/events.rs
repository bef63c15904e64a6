//! `/api/v1/tenants/{tenant_id}/events`: link an event to its ticket, read events.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use psa_proto::{EventId, PsaName, TenantId, TicketId};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Admin;
use super::connection::tenant_id;
use super::error::{ApiError, ErrorCode};
use super::object::Object;
use super::responses::{
    BadRequest, Conflict, InternalError, NotFound, PayloadTooLarge, UnsupportedMediaType,
};
use super::schema;
use super::AdminState;
use crate::store::{EventRecord, EventStatus, LinkOutcome, NewLink};

/// Links an event to the PSA ticket opened for it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    #[schema(value_type = schema::EventId, example = "evt-1001")]
    event_id: String,
    /// The ticket's id in its PSA.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807_i64, example = 351182)]
    #[serde(deserialize_with = "whole_number")]
    ticket_id: i64,
    /// The ticket's create date (RFC 3339), when known: a completion whose ticket was created
    /// more than a second apart does not close the event (ticket ids can be reused).
    #[serde(default)]
    #[schema(example = "2026-11-27T09:00:00Z")]
    ticket_created_at: Option<DateTime<Utc>>,
    /// The PSA the ticket is in (a connection's path segment). Required only
    /// when the tenant has connections to more than one PSA; otherwise it defaults to the one.
    #[serde(default)]
    psa: Option<String>,
}

/// JSON has one number type, and to JSON Schema `2.0` is the integer 2: a whole number spelt
/// as a float is taken, up to 2^53, beyond which a float no longer spells one integer.
fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(n) = number.as_i64() {
        return Ok(n);
    }
    match number.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() <= EXACT => Ok(x as i64),
        _ => Err(serde::de::Error::custom(
            "ticket_id must be a whole number between 1 and 9223372036854775807",
        )),
    }
}

/// An event, its ticket and whether the ticket's completion closed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    #[schema(value_type = schema::EventId)]
    event_id: EventId,
    #[schema(value_type = i64)]
    ticket_id: TicketId,
    ticket_created_at: Option<DateTime<Utc>>,
    /// The PSA the ticket is in; null when linked before the tenant had any connection (then a
    /// completion from any of its PSAs closes it).
    psa: Option<String>,
    status: EventStatus,
    /// The ticket's resolution, once closed.
    resolution: Option<String>,
    closed_at: Option<DateTime<Utc>>,
    linked_at: DateTime<Utc>,
}

/// One page of a tenant's events, in event id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    events: Vec<EventView>,
    /// Pass as `after` for the next page; null on the last page.
    #[schema(value_type = Option<schema::EventId>)]
    next_after: Option<EventId>,
}

impl From<EventRecord> for EventView {
    fn from(r: EventRecord) -> Self {
        Self {
            event_id: r.event_id,
            ticket_id: r.ticket_id,
            ticket_created_at: r.ticket_created_at,
            psa: r.psa,
            status: r.status,
            resolution: r.resolution,
            closed_at: r.closed_at,
            linked_at: r.linked_at,
        }
    }
}

/// Links an event to its ticket. A completion that arrived before the link closes the event at
/// once.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{tenant_id}/events",
    tag = "events",
    params(("tenant_id" = schema::TenantId, Path)),
    request_body = LinkRequest,
    responses(
        (status = 200, description = "The same link existed already", body = EventView),
        (status = 201, description = "The link was made", body = EventView),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 500, response = InternalError),
    )
)]
pub async fn link(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<String>,
    body: web::Json<Object<LinkRequest>>,
) -> Result<HttpResponse, ApiError> {
    let tenant = tenant_id(&path)?;
    let Object(request) = body.into_inner();
    let event = event_id(request.event_id)?;
    if request.ticket_id <= 0 {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidTicketId,
            "ticket_id must be the positive id of the ticket in its PSA",
        ));
    }
    let psa = link_psa(&state, &tenant, request.psa.as_deref()).await?;
    let link = NewLink {
        tenant,
        psa,
        event,
        ticket: TicketId(request.ticket_id),
        ticket_created_at: request.ticket_created_at,
    };
    Ok(match state.store.link_event(&link).await? {
        LinkOutcome::Created(record) => {
            if record.status == EventStatus::Closed {
                // Its completion arrived before the link: it closes now.
                let psa = record.psa.as_deref().and_then(|p| state.psas.named(p));
                if let Some(psa) = psa {
                    state.metrics.events_closed(psa.name(), 1);
                }
            }
            HttpResponse::Created().json(EventView::from(record))
        }
        LinkOutcome::Existing(record) => HttpResponse::Ok().json(EventView::from(record)),
        LinkOutcome::Conflict(_) => {
            return Err(ApiError::conflict(
                ErrorCode::EventAlreadyLinked,
                "the event is already linked to another ticket (or to this ticket with another \
                 ticket_created_at); an event links to one ticket, GET it to see which",
            ))
        }
    })
}

/// The PSA a link names, or the tenant's only one; `None` for a tenant with no connection yet.
async fn link_psa(
    state: &AdminState,
    tenant: &TenantId,
    named: Option<&str>,
) -> Result<Option<PsaName>, ApiError> {
    let served = || {
        state
            .psas
            .names()
            .iter()
            .map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = named {
        return match state.psas.named(name) {
            Some(psa) => Ok(Some(psa.name())),
            None => Err(ApiError::bad_request(
                ErrorCode::InvalidPsa,
                format!("psa must name a PSA this hub serves: one of {}", served()),
            )),
        };
    }
    let connected = state.store.tenant_psas(tenant).await?;
    match connected.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(*only)),
        several => Err(ApiError::conflict(
            ErrorCode::PsaRequired,
            format!(
                "the tenant has connections to {}; say which PSA the ticket is in with \"psa\"",
                several
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )),
    }
}

fn event_id(raw: String) -> Result<EventId, ApiError> {
    EventId::parse(raw)
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidEventId, format!("event_id: {e}")))
}

/// One event.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/events/{event_id}",
    tag = "events",
    params(
        ("tenant_id" = schema::TenantId, Path),
        ("event_id" = schema::EventId, Path),
    ),
    responses(
        (status = 200, description = "The event", body = EventView),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
pub async fn get(
    _admin: Admin,
    state: web::Data<AdminState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tenant, event) = path.into_inner();
    let tenant = tenant_id(&tenant)?;
    let event = event_id(event)?;
    let record = state.store.event(&tenant, &event).await?.ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::EventNotFound,
            format!("tenant {tenant} has no event {event}; link it with POST .../events first"),
        )
    })?;
    Ok(HttpResponse::Ok().json(EventView::from(record)))
}

/// Paging of a list in id order. Other query parameters are refused (400 `invalid_query`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// The last id of the previous page (its `next_after`).
    #[serde(default)]
    #[param(value_type = Option<schema::PageAfter>)]
    pub after: Option<String>,
    /// How many to answer at most (default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

pub fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        _ => Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            format!("limit must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// A tenant's events, in event id order (`?after=<last event_id>&limit=N`).
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{tenant_id}/events",
    tag = "events",
    params(("tenant_id" = schema::TenantId, Path), Page),
    responses(
        (status = 200, description = "One page of events (empty for an unknown tenant)", body = EventPage),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError),
    )
)]
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
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidQuery, format!("after: {e}")))?;
    let events = state.store.events(&tenant, after.as_ref(), limit).await?;
    let next_after = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.event_id.clone()))
        .flatten();
    let events = events.into_iter().map(EventView::from).collect();
    Ok(HttpResponse::Ok().json(EventPage { events, next_after }))
}
