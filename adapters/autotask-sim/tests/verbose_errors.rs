//! `echo_request_in_errors`: ASP.NET's unhandled-exception body that echoes the request.

mod common;

use autotask_sim::{Fault, FaultKind, Op, SimConfig};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn verbose() -> SimConfig {
    SimConfig {
        echo_request_in_errors: true,
        ..SimConfig::default()
    }
}

/// The ExceptionMessage of a verbose body, after checking the rest of its shape.
fn exception_message(body: &Value) -> String {
    assert!(body.get("errors").is_none(), "no errors key: {body}");
    assert_eq!(body["Message"], json!("An error has occurred."));
    assert_eq!(body["ExceptionType"], json!("System.Exception"));
    body["ExceptionMessage"].as_str().expect("text").to_string()
}

/// Where `needle` ends in `text`, in characters.
fn ends_at(text: &str, needle: &str) -> usize {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} in {text}"));
    text[..start].chars().count() + needle.chars().count()
}

/// Every echoed header value ends within the first 200 characters.
fn assert_echoes_headers_early(message: &str, secret: &str) {
    for value in [
        format!("ApiIntegrationCode={CODE}"),
        format!("UserName={USER}"),
        format!("Secret={secret}"),
    ] {
        assert!(ends_at(message, &value) <= 200, "{value} late in {message}");
    }
}

#[tokio::test]
async fn a_failed_authentication_echoes_the_request() {
    let e = env(verbose()).await;
    let resp = e
        .req_as(USER, "wrong-secret", Method::POST, "TicketWebhooks/query")
        .header("Content-Type", "application/json")
        .body(r#"{"filter":[{"op":"exist","field":"id"}]}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 401);
    let message = exception_message(&resp.json().await.expect("json"));
    assert_echoes_headers_early(&message, "wrong-secret");
    assert!(message.contains("User authentication failed"), "{message}");
    assert!(message.contains("POST /ATServicesRest/V1.0/TicketWebhooks/query"));
    assert!(message.ends_with(r#"Body={"filter":[{"op":"exist","field":"id"}]}"#));
}

#[tokio::test]
async fn the_simulators_own_5xx_echo_the_request() {
    let e = env(verbose()).await;
    let (s, body) = e.call(Method::DELETE, "TicketWebhooks/4242", None).await;
    assert_eq!(s, 500);
    let message = exception_message(&body);
    assert_echoes_headers_early(&message, SECRET);
    assert!(message.contains("No matching records found"), "{message}");
    let patch = json!({"id": 4242, "isActive": false});
    let (s, body) = e.call(Method::PATCH, "TicketWebhooks", Some(patch)).await;
    assert_eq!(s, 500);
    let message = exception_message(&body);
    assert!(
        message.ends_with(r#"Body={"id":4242,"isActive":false}"#),
        "{message}"
    );
    let statuses: Vec<_> = e.sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(500)]);
}

#[tokio::test]
async fn a_long_error_text_does_not_push_the_headers_back() {
    let e = env(SimConfig {
        requests_per_hour: 1,
        threshold_status: 503,
        ..verbose()
    })
    .await;
    assert_eq!(
        e.call(Method::GET, "ThresholdInformation", None).await.0,
        200
    );
    let (s, body) = e.call(Method::GET, "ThresholdInformation", None).await;
    assert_eq!(s, 503);
    let message = exception_message(&body);
    assert!(message.contains("Request Threshold Exceeded"), "{message}");
    assert_echoes_headers_early(&message, SECRET);
}

#[tokio::test]
async fn injected_answers_and_client_errors_keep_their_shape() {
    let e = env(verbose()).await;
    let injected = json!({"errors": ["boom"]});
    e.sim.inject(Fault {
        op: Op::WebhookQuery,
        times: 1,
        kind: FaultKind::Status {
            status: 500,
            body: injected.clone(),
        },
    });
    let query = json!({"filter":[{"op":"exist","field":"id"}]});
    let (s, body) = e
        .call(Method::POST, "TicketWebhooks/query", Some(query))
        .await;
    assert_eq!((s, body), (500, injected));
    let (s, body) = e.call(Method::GET, "NoSuchEntity/1", None).await;
    assert_eq!(s, 404);
    assert!(body["errors"][0].is_string(), "{body}");
    let (s, body) = e
        .call(Method::POST, "TicketWebhooks", Some(json!({"name": "n"})))
        .await;
    assert_eq!(s, 400);
    assert!(body["errors"][0].is_string(), "{body}");
}

#[tokio::test]
async fn errors_keep_autotasks_shape_by_default() {
    let e = env(SimConfig::default()).await;
    let (s, body) = e.call(Method::DELETE, "TicketWebhooks/4242", None).await;
    assert_eq!(
        (s, body),
        (500, json!({"errors": ["No matching records found"]}))
    );
    let resp = e
        .req_as(USER, "wrong-secret", Method::GET, "ThresholdInformation")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 401);
    let body: Value = resp.json().await.expect("json");
    assert!(!body.to_string().contains("wrong-secret"), "{body}");
    assert!(body["errors"][0].is_string(), "{body}");
}
