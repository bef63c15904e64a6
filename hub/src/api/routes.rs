//! The admin listener's routes as one table: mounting, the `Allow` header of 405 answers and
//! the test that the OpenAPI document covers every route all read it. A path with a `{psa}`
//! segment is mounted once per PSA the hub serves, with the PSA literal in the path.

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{web, HttpResponse, Route};

use psa_proto::PsaName;

use super::connection::RoutePsa;
use super::error::{ApiError, ErrorCode};
use super::{connection, events, health, openapi, tenants};

/// One mounted route. Paths use `{name}` segments, as actix-web and OpenAPI both spell them.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    handler: fn() -> Route,
}

const fn endpoint(method: &'static str, path: &'static str, handler: fn() -> Route) -> Endpoint {
    Endpoint {
        method,
        path,
        handler,
    }
}

/// Expanded per PSA: one concrete path per PSA name.
pub const PSA_SEGMENT: &str = "{psa}";
const CONNECTION: &str = "/api/v1/tenants/{tenant_id}/{psa}";
const EVENTS: &str = "/api/v1/tenants/{tenant_id}/events";

/// Every route of the admin listener.
pub const ENDPOINTS: &[Endpoint] = &[
    endpoint("GET", "/healthz", || web::route().to(health::healthz)),
    endpoint("GET", "/readyz", || web::route().to(health::readyz)),
    endpoint("GET", "/metrics", || web::route().to(health::metrics)),
    endpoint("GET", "/api/v1/openapi.json", || {
        web::route().to(openapi::serve)
    }),
    endpoint("GET", "/api/v1/tenants", || web::route().to(tenants::list)),
    endpoint("PUT", CONNECTION, || web::route().to(connection::put)),
    endpoint("GET", CONNECTION, || web::route().to(connection::get)),
    endpoint("DELETE", CONNECTION, || web::route().to(connection::delete)),
    endpoint(
        "POST",
        "/api/v1/tenants/{tenant_id}/{psa}/webhook/retry",
        || web::route().to(connection::retry),
    ),
    endpoint("POST", EVENTS, || web::route().to(events::link)),
    endpoint("GET", EVENTS, || web::route().to(events::list)),
    endpoint(
        "GET",
        "/api/v1/tenants/{tenant_id}/events/{event_id}",
        || web::route().to(events::get),
    ),
];

/// Each route's path with `{psa}` replaced by every PSA's name (other paths as they are),
/// with the PSA each concrete path serves.
fn expanded(psas: &[PsaName]) -> Vec<(&'static Endpoint, String, Option<PsaName>)> {
    let mut routes = Vec::new();
    for endpoint in ENDPOINTS {
        if endpoint.path.contains(PSA_SEGMENT) {
            for psa in psas {
                let path = endpoint.path.replace(PSA_SEGMENT, psa.as_str());
                routes.push((endpoint, path, Some(*psa)));
            }
        } else {
            routes.push((endpoint, endpoint.path.to_owned(), None));
        }
    }
    routes
}

/// `(method, path)` of every mounted route, for tests that compare them with the OpenAPI
/// document.
pub fn mounted(psas: &[PsaName]) -> Vec<(&'static str, String)> {
    expanded(psas)
        .into_iter()
        .map(|(endpoint, path, _)| (endpoint.method, path))
        .collect()
}

/// Mounts one resource per path; the methods it does not take answer 405 with `Allow`.
pub fn mount(cfg: &mut web::ServiceConfig, psas: &[PsaName]) {
    let mut by_path: BTreeMap<String, (Option<PsaName>, Vec<&Endpoint>)> = BTreeMap::new();
    for (endpoint, path, psa) in expanded(psas) {
        by_path
            .entry(path)
            .or_insert((psa, Vec::new()))
            .1
            .push(endpoint);
    }
    for (path, (psa, endpoints)) in by_path {
        let allow = endpoints
            .iter()
            .map(|e| e.method)
            .collect::<Vec<_>>()
            .join(", ");
        let mut resource =
            web::resource(path).default_service(web::to(move || method_not_allowed(allow.clone())));
        if let Some(psa) = psa {
            resource = resource.app_data(web::Data::new(RoutePsa(psa)));
        }
        for endpoint in endpoints {
            let method = Method::from_bytes(endpoint.method.as_bytes()).expect("a known method");
            resource = resource.route((endpoint.handler)().method(method));
        }
        cfg.service(resource);
    }
}

async fn method_not_allowed(allow: String) -> HttpResponse {
    let error = ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this path does not take that method; the Allow header lists those it does",
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allow) {
        response
            .headers_mut()
            .insert(actix_web::http::header::ALLOW, value);
    }
    response
}
