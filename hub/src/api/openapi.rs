//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the admin listener, generated from
//! the handlers' annotations and the request and answer types themselves.

use std::sync::OnceLock;

use actix_web::HttpResponse;
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
use super::schema::PageAfter;
use super::{connection, events, health, tenants};

const BEARER: &str = "bearer";

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "psa-hub admin API",
        description = "The internal admin listener of psa-hub: Autotask connections and their \
            webhooks, event-to-ticket links, and operations endpoints. Everything under `/api/v1` \
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
        (name = "connection", description = "A tenant's Autotask connection and its webhook"),
        (name = "events", description = "Security-alert events linked to Autotask tickets"),
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

/// The document as JSON, built once.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        AdminApi::openapi()
            .to_pretty_json()
            .expect("the OpenAPI document serializes")
    })
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
pub async fn serve(_admin: Admin) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_exactly_the_mounted_routes() {
        let document: serde_json::Value =
            serde_json::from_str(document()).expect("the document is JSON");
        let mut documented = Vec::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("a path item").keys() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
        let mut mounted: Vec<_> = super::super::mounted_routes()
            .into_iter()
            .map(|(method, path)| (method.to_owned(), path.to_owned()))
            .collect();
        documented.sort();
        mounted.sort();
        assert_eq!(documented, mounted);
        if std::env::var_os("PSA_HUB_PRINT_OPENAPI").is_some() {
            println!("{}", super::document());
        }
    }
}
