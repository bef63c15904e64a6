//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the admin listener, generated from
//! the handlers' annotations and the request and answer types themselves, with each `{psa}`
//! path written out per PSA and its PUT body the PSA provider's own schema.

use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::auth::Admin;
use super::error::ErrorBody;
use super::responses::{
    BadRequest, Conflict, InternalError, MethodNotAllowed, NotFound, PayloadTooLarge, Unauthorized,
    Unavailable, UnsupportedMediaType,
};
use super::routes::PSA_SEGMENT;
use super::schema::PageAfter;
use super::{connection, events, health, tenants, AdminState};
use crate::psa::Psas;

const BEARER: &str = "bearer";

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "psa-hub admin API",
        description = "The internal admin listener of psa-hub: tenants' PSA connections and their \
            webhooks, event-to-ticket links, and operations endpoints. Each PSA has its own \
            connection paths (`/api/v1/tenants/{tenant_id}/<psa>`), all alike but for the PUT \
            body. Everything under `/api/v1` \
            needs `Authorization: Bearer <admin token>`. Every error answers \
            `{\"error\": {\"code\", \"message\"}}`; messages never repeat a submitted value. \
            A method a path does not document answers 405 (`method_not_allowed`) with `Allow`; \
            an unknown path answers 404 (`not_found`). Bodies are JSON \
            (`Content-Type: application/json`), at most 64 KiB; unknown fields are refused."
    ),
    paths(
        health::healthz,
        health::readyz,
        health::metrics,
        serve,
        tenants::list,
        connection::put,
        connection::get,
        connection::delete,
        connection::retry,
        events::link,
        events::list,
        events::get,
    ),
    components(
        schemas(ErrorBody, PageAfter),
        responses(
            BadRequest,
            Unauthorized,
            NotFound,
            MethodNotAllowed,
            Conflict,
            PayloadTooLarge,
            UnsupportedMediaType,
            InternalError,
            Unavailable,
        )
    ),
    modifiers(&AdminAuth),
    tags(
        (name = "connection", description = "A tenant's connection to a PSA and its webhook"),
        (name = "events", description = "Security-alert events linked to PSA tickets"),
        (name = "tenants", description = "Every tenant"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
    )
)]
pub struct AdminApi;

/// Declares the bearer scheme, and on every `/api/v1` operation the requirement and the 401
/// answer: the `Admin` extractor guards each of them, so no annotation can forget it.
#[derive(Debug)]
struct AdminAuth;

impl Modify for AdminAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("One of the hub's `admin.tokens`"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/") {
                continue;
            }
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                require_token(operation);
            }
        }
    }
}

fn require_token(operation: &mut Operation) {
    operation.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
    operation.responses.responses.insert(
        "401".to_owned(),
        RefOr::Ref(Ref::from_response_name("Unauthorized")),
    );
}

/// The document as JSON, for the PSAs `psas` holds.
pub fn document(psas: &Psas) -> String {
    let mut document =
        serde_json::to_value(AdminApi::openapi()).expect("the OpenAPI document serializes");
    if let Some(paths) = document["paths"].as_object_mut() {
        let generic: Vec<String> = paths
            .keys()
            .filter(|path| path.contains(PSA_SEGMENT))
            .cloned()
            .collect();
        for path in generic {
            let item = paths.remove(&path).unwrap_or(Value::Null);
            for psa in psas.iter() {
                let concrete = path.replace(PSA_SEGMENT, psa.name().as_str());
                paths.insert(concrete, for_psa(&item, psa));
            }
        }
    }
    let link_psa = &mut document["components"]["schemas"]["LinkRequest"]["properties"]["psa"];
    if link_psa.is_object() {
        let mut names: Vec<Value> = psas.names().iter().map(|n| json!(n.as_str())).collect();
        names.push(Value::Null);
        link_psa["enum"] = Value::Array(names);
    }
    serde_json::to_string_pretty(&document).expect("the OpenAPI document serializes")
}

/// A `{psa}` path item made concrete for one PSA: its name in each summary and operation id,
/// and the provider's schema (plus `setup_webhook`) as the PUT body.
fn for_psa(item: &Value, psa: &crate::psa::Psa) -> Value {
    let mut item = item.clone();
    let name = psa.name().as_str();
    let display = psa.provider.display_name();
    let Some(operations) = item.as_object_mut() else {
        return item;
    };
    for (method, operation) in operations.iter_mut() {
        // utoipa names an operation after its handler (`put`, `retry`, …).
        let handler = operation["operationId"]
            .as_str()
            .unwrap_or(method)
            .to_owned();
        operation["operationId"] = json!(format!("{handler}_{name}_connection"));
        if let Some(summary) = operation["summary"].as_str() {
            operation["summary"] = json!(format!("{display}: {summary}"));
        }
        if method == "put" {
            operation["requestBody"]["content"]["application/json"]["schema"] = put_body(psa);
        }
    }
    item
}

fn put_body(psa: &crate::psa::Psa) -> Value {
    let mut schema = psa.provider.connection_schema();
    if let Some(properties) = schema["properties"].as_object_mut() {
        properties.insert(
            "setup_webhook".into(),
            json!({
                "type": ["boolean", "null"],
                "description": "`false` stores the connection without setting up its webhook, \
                                as a connection that predates the webhook feature looks (it \
                                shows the blue banner). Default `true`."
            }),
        );
    }
    schema
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
pub async fn serve(_admin: Admin, state: web::Data<AdminState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.openapi.to_string())
}
