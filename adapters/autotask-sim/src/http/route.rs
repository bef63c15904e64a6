//! Case-insensitive routing of `/ATServicesRest/V1.0/...` paths to operations.

use crate::log::Op;
use actix_web::http::Method;

/// Entities with query support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Webhooks,
    WebhookFields,
    Tickets,
    ErrorLogs,
}

impl Entity {
    /// Name as used in URLs.
    pub fn url_name(self) -> &'static str {
        match self {
            Entity::Webhooks => "TicketWebhooks",
            Entity::WebhookFields => "TicketWebhookFields",
            Entity::Tickets => "Tickets",
            Entity::ErrorLogs => "WebhookEventErrorLogs",
        }
    }
}

/// Query variants: a page, a count, or a follow-up page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryKind {
    Page,
    Count,
    Next,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Zone,
    Threshold,
    EntityInfo(Entity),
    EntityFields(Entity),
    WebhookCreate,
    WebhookGet(i64),
    WebhookUpdate,
    WebhookDelete(i64),
    FieldList(i64),
    FieldCreate(i64),
    FieldGet(i64, i64),
    FieldDelete(i64, i64),
    FieldRootGet(i64),
    TicketCreate,
    TicketGet(i64),
    TicketUpdate,
    Query(Entity, QueryKind),
    NotFound,
}

impl Route {
    pub fn op(&self) -> Op {
        match self {
            Route::Zone => Op::ZoneInformation,
            Route::Threshold => Op::ThresholdInformation,
            Route::EntityInfo(_) => Op::EntityInformation,
            Route::EntityFields(Entity::WebhookFields) => Op::FieldPicklist,
            Route::EntityFields(_) => Op::EntityInformation,
            Route::WebhookCreate => Op::WebhookCreate,
            Route::WebhookGet(_) => Op::WebhookGet,
            Route::WebhookUpdate => Op::WebhookUpdate,
            Route::WebhookDelete(_) => Op::WebhookDelete,
            Route::FieldList(_) | Route::FieldGet(..) | Route::FieldRootGet(_) => Op::FieldList,
            Route::FieldCreate(_) => Op::FieldCreate,
            Route::FieldDelete(..) => Op::FieldDelete,
            Route::TicketCreate => Op::TicketCreate,
            Route::TicketGet(_) => Op::TicketGet,
            Route::TicketUpdate => Op::TicketUpdate,
            Route::Query(Entity::Webhooks, _) => Op::WebhookQuery,
            Route::Query(Entity::WebhookFields, _) => Op::FieldList,
            Route::Query(Entity::Tickets, _) => Op::TicketQuery,
            Route::Query(Entity::ErrorLogs, _) => Op::ErrorLogQuery,
            Route::NotFound => Op::Other,
        }
    }
}

/// Splits a path into lower-cased segments after `/atservicesrest/v1.0/`; the endpoint is the first.
pub fn segments(path: &str) -> Option<Vec<String>> {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_ascii_lowercase())
        .collect();
    match segs.as_slice() {
        [root, version, rest @ ..] if root == "atservicesrest" && version == "v1.0" => {
            Some(rest.to_vec())
        }
        _ => None,
    }
}

pub fn parse(method: &Method, path: &str) -> Route {
    let Some(segs) = segments(path) else {
        return Route::NotFound;
    };
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let get = method == Method::GET;
    let post = method == Method::POST;
    let patch = method == Method::PATCH || method == Method::PUT;
    let del = method == Method::DELETE;
    let id = |x: &str| x.parse::<i64>().ok();
    let query = |e: Entity, rest: &[&str]| -> Route {
        match rest {
            [] if get || post => Route::Query(e, QueryKind::Page),
            ["count"] if get || post => Route::Query(e, QueryKind::Count),
            ["next"] if get || post => Route::Query(e, QueryKind::Next),
            _ => Route::NotFound,
        }
    };
    match s.as_slice() {
        ["zoneinformation"] if get => Route::Zone,
        ["thresholdinformation"] if get => Route::Threshold,
        ["ticketwebhooks"] if post => Route::WebhookCreate,
        ["ticketwebhooks"] if patch => Route::WebhookUpdate,
        ["ticketwebhooks", "query", rest @ ..] => query(Entity::Webhooks, rest),
        ["ticketwebhooks", "entityinformation"] if get => Route::EntityInfo(Entity::Webhooks),
        ["ticketwebhooks", "entityinformation", "fields"] if get => {
            Route::EntityFields(Entity::Webhooks)
        }
        ["ticketwebhooks", x] if get => id(x).map_or(Route::NotFound, Route::WebhookGet),
        ["ticketwebhooks", x] if del => id(x).map_or(Route::NotFound, Route::WebhookDelete),
        ["ticketwebhooks", p, "fields"] if get => id(p).map_or(Route::NotFound, Route::FieldList),
        ["ticketwebhooks", p, "fields"] if post => {
            id(p).map_or(Route::NotFound, Route::FieldCreate)
        }
        ["ticketwebhooks", p, "fields", x] => match (id(p), id(x)) {
            (Some(p), Some(x)) if get => Route::FieldGet(p, x),
            (Some(p), Some(x)) if del => Route::FieldDelete(p, x),
            _ => Route::NotFound,
        },
        ["ticketwebhookfields", "query", rest @ ..] => query(Entity::WebhookFields, rest),
        ["ticketwebhookfields", "entityinformation"] if get => {
            Route::EntityInfo(Entity::WebhookFields)
        }
        ["ticketwebhookfields", "entityinformation", "fields"] if get => {
            Route::EntityFields(Entity::WebhookFields)
        }
        ["ticketwebhookfields", x] if get => id(x).map_or(Route::NotFound, Route::FieldRootGet),
        ["tickets"] if post => Route::TicketCreate,
        ["tickets"] if patch => Route::TicketUpdate,
        ["tickets", "query", rest @ ..] => query(Entity::Tickets, rest),
        ["tickets", "entityinformation"] if get => Route::EntityInfo(Entity::Tickets),
        ["tickets", "entityinformation", "fields"] if get => Route::EntityFields(Entity::Tickets),
        ["tickets", x] if get => id(x).map_or(Route::NotFound, Route::TicketGet),
        ["webhookeventerrorlogs", "query", rest @ ..] => query(Entity::ErrorLogs, rest),
        _ => Route::NotFound,
    }
}
