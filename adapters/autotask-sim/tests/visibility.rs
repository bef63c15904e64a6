//! `other_users_webhooks_visible`: webhooks owned by another API user, seen or hidden.

mod common;

use autotask_sim::{ApiUser, SimConfig};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const OTHER: (&str, &str) = ("other@msp.example", "other-secret");

/// An env whose second API user owns one ready webhook; returns (env, webhook id, field id).
async fn with_foreign_webhook(visible: bool) -> (Env, i64, i64) {
    let e = env(SimConfig {
        other_users_webhooks_visible: visible,
        ..SimConfig::default()
    })
    .await;
    e.sim
        .add_api_user(e.db, ApiUser::new(OTHER.0, OTHER.1, CODE));
    let body = webhook_body("https://hooks.example/foreign");
    let (s, c) = e
        .call_as(OTHER, Method::POST, "TicketWebhooks", Some(body))
        .await;
    assert_eq!(s, 200, "{c}");
    let wid = c["itemId"].as_i64().expect("id");
    let field = json!({"webhookID": wid, "fieldID": 56, "isSubscribedField": true});
    let path = format!("TicketWebhooks/{wid}/Fields");
    let (s, f) = e.call_as(OTHER, Method::POST, &path, Some(field)).await;
    assert_eq!(s, 200, "{f}");
    (e, wid, f["itemId"].as_i64().expect("field id"))
}

fn everything() -> Option<Value> {
    Some(json!({"filter":[{"op":"exist","field":"id"}]}))
}

async fn count(e: &Env, path: &str) -> usize {
    let (s, q) = e.call(Method::POST, path, everything()).await;
    assert_eq!(s, 200, "{q}");
    q["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn foreign_webhooks_are_visible_by_default() {
    let (e, wid, fid) = with_foreign_webhook(true).await;
    assert_eq!(count(&e, "TicketWebhooks/query").await, 1);
    let (_, got) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(got["item"]["id"], json!(wid));
    let (_, f) = e
        .call(Method::GET, &format!("TicketWebhookFields/{fid}"), None)
        .await;
    assert_eq!(f["item"]["id"], json!(fid));
}

#[tokio::test]
async fn hidden_foreign_webhooks_read_as_missing() {
    let (e, wid, fid) = with_foreign_webhook(false).await;
    assert_eq!(count(&e, "TicketWebhooks/query").await, 0);
    let (_, n) = e
        .call(Method::POST, "TicketWebhooks/query/count", everything())
        .await;
    assert_eq!(n["queryCount"], json!(0));
    let (s, got) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!((s, got), (200, json!({"item": null})));
    let (s, _) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}/Fields"), None)
        .await;
    assert_eq!(s, 404);
    let (_, f) = e
        .call(
            Method::GET,
            &format!("TicketWebhooks/{wid}/Fields/{fid}"),
            None,
        )
        .await;
    assert!(f["item"].is_null());
    let (_, f) = e
        .call(Method::GET, &format!("TicketWebhookFields/{fid}"), None)
        .await;
    assert!(f["item"].is_null());
    assert_eq!(count(&e, "TicketWebhookFields/query").await, 0);
    // Its owner still sees it.
    let (_, own) = e
        .call_as(OTHER, Method::POST, "TicketWebhooks/query", everything())
        .await;
    assert_eq!(own["items"][0]["id"], json!(wid));
}

#[tokio::test]
async fn hidden_foreign_webhooks_cannot_be_changed_or_deleted() {
    let (e, wid, fid) = with_foreign_webhook(false).await;
    let patch = json!({"id": wid, "isActive": false, "webhookUrl": "https://mine"});
    let (s, body) = e.call(Method::PATCH, "TicketWebhooks", Some(patch)).await;
    assert_eq!(
        (s, &body["errors"][0]),
        (500, &json!("No matching records found"))
    );
    let (s, body) = e
        .call(Method::DELETE, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(
        (s, &body["errors"][0]),
        (500, &json!("No matching records found"))
    );
    let field = json!({"webhookID": wid, "fieldID": 27, "isSubscribedField": true});
    let (s, _) = e
        .call(
            Method::POST,
            &format!("TicketWebhooks/{wid}/Fields"),
            Some(field),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = e
        .call(
            Method::DELETE,
            &format!("TicketWebhooks/{wid}/Fields/{fid}"),
            None,
        )
        .await;
    assert_eq!(s, 500);
    let stored = e.sim.webhooks(e.db);
    assert_eq!(stored.len(), 1, "still there");
    assert_eq!(stored[0]["isActive"], json!(true));
    assert_eq!(
        stored[0]["webhookUrl"],
        json!("https://hooks.example/foreign")
    );
    assert_eq!(stored[0]["fields"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn hidden_foreign_webhooks_still_count_as_duplicates() {
    let (e, _, _) = with_foreign_webhook(false).await;
    let (s, body) = e.create_webhook("https://hooks.example/foreign").await;
    assert_eq!(s, 400);
    assert_eq!(
        body["errors"][0],
        json!(SimConfig::default().duplicate_error)
    );
    let (s, c) = e.create_webhook("https://hooks.example/mine").await;
    assert_eq!(s, 200, "{c}");
    let (_, q) = e
        .call(Method::POST, "TicketWebhooks/query", everything())
        .await;
    assert_eq!(q["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(q["items"][0]["id"], c["itemId"], "only its own");
}
