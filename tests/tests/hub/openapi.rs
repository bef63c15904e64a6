//! `GET /api/v1/openapi.json`: guarded like the rest of `/api/v1`, and in step with what the
//! admin listener really serves, both ways: every mounted route is documented, and over HTTP
//! every documented method is routed while every other method answers 405 with `Allow`.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::Hub;

const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "PATCH"];

#[actix_web::test]
async fn the_document_needs_the_admin_token() {
    let hub = Hub::start().await;
    let response = hub
        .http
        .get(format!("{}/api/v1/openapi.json", hub.admin))
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[actix_web::test]
async fn every_mounted_route_is_documented_and_nothing_else() {
    let hub = Hub::start().await;
    let document = fetch(&hub).await;
    assert!(document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.")));
    let mut documented = documented_routes(&document);
    let mut mounted: Vec<(String, String)> =
        psa_hub::api::mounted_routes(&psa_hub::providers::names(&hub.settings))
            .into_iter()
            .map(|(method, path)| (method.to_owned(), path))
            .collect();
    documented.sort();
    mounted.sort();
    assert_eq!(documented, mounted);
    for (method, path) in &documented {
        let operation = &document["paths"][path][method.to_lowercase()];
        let guarded = path.starts_with("/api/v1/");
        assert_eq!(
            operation["security"].is_array(),
            guarded,
            "{method} {path}: security"
        );
        assert_eq!(
            operation["responses"]["401"].is_object(),
            guarded,
            "{method} {path}: 401"
        );
    }
    let error = &document["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], serde_json::json!(["error"]));
    assert_eq!(error["additionalProperties"], false);
    let scheme = &document["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["scheme"], "bearer");
}

/// Over HTTP, without a token: a documented method is routed (401 under /api/v1, else 200),
/// any other answers 405 in the error shape, with `Allow` naming exactly the documented ones.
#[actix_web::test]
async fn the_listener_routes_exactly_the_documented_methods() {
    let hub = Hub::start().await;
    let document = fetch(&hub).await;
    let routes = documented_routes(&document);
    for path in document["paths"].as_object().expect("paths").keys() {
        let url = format!("{}{}", hub.admin, concrete(path));
        let allowed: Vec<&str> = METHODS
            .into_iter()
            .filter(|m| routes.contains(&((*m).to_owned(), path.clone())))
            .collect();
        for method in METHODS {
            let request = Method::from_bytes(method.as_bytes()).expect("method");
            let response = hub
                .http
                .request(request, &url)
                .send()
                .await
                .expect("answers");
            let status = response.status();
            if allowed.contains(&method) {
                let expected = if path.starts_with("/api/v1/") {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::OK
                };
                assert_eq!(status, expected, "{method} {path}");
                continue;
            }
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            let allow = response.headers()["allow"].to_str().expect("ascii");
            let mut allow: Vec<&str> = allow.split(", ").collect();
            allow.sort_unstable();
            let mut expected = allowed.clone();
            expected.sort_unstable();
            assert_eq!(allow, expected, "Allow of {path}");
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], "method_not_allowed");
        }
    }
}

async fn fetch(hub: &Hub) -> Value {
    let (status, document) = hub.call(Method::GET, "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    document
}

fn documented_routes(document: &Value) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

/// The path with each `{parameter}` replaced by a valid id.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "x-1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
