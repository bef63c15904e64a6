//! Callback messages over real HTTP: the body, the record id on the URL, the key URL and a
//! signature checked with the documented algorithm, written here independently.

mod common;

use base64::Engine;
use common::*;
use connectwise_sim::{
    CallbackId, DeliveryOutcome, EntityCasing, EntityForm, SigningKeys, SimConfig, TicketId,
};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// base64(HMAC-SHA256(key = SHA-256(signing key), message = raw body)), from the guide's sample.
fn expected_signature(signing_key: &str, body: &[u8]) -> String {
    let hmac_key = Sha256::digest(signing_key.as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(&hmac_key).expect("any key length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Fetches a key_url the way a receiver does: no auth headers at all.
async fn fetch_key(e: &Env, key_url: &str) -> (u16, Value) {
    send(e.http.get(key_url), None).await
}

/// An owner callback, a ticket created then closed by the technician: the `added` and
/// `updated` messages as received.
async fn added_and_updated(e: &Env) -> (i64, TicketId, Hit, Hit) {
    let rx = receiver(200).await;
    let id = e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    let t = e.sim.create_ticket(&e.company, "Impossible travel");
    e.sim.close_ticket(&e.company, t, "Confirmed with the user");
    assert!(wait_for(|| rx.count() == 2).await, "two messages");
    let hits = rx.hits.lock().clone();
    (id, t, hits[0].clone(), hits[1].clone())
}

fn entity(message: &Value) -> Value {
    let text = message["Entity"].as_str().expect("Entity is a string");
    serde_json::from_str(text).expect("Entity holds JSON")
}

/// The members appear in the order of the recorded samples.
fn assert_member_order(body: &[u8]) {
    let text = String::from_utf8(body.to_vec()).expect("utf8");
    let order = [
        "MessageId",
        "FromUrl",
        "CompanyId",
        "MemberId",
        "Action",
        "Type",
        "ID",
        "ProductInstanceId",
        "PartnerId",
        "Entity",
        "Metadata",
        "CallbackObjectRecId",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "member order: {text}");
}

#[tokio::test]
async fn a_ticket_change_posts_the_documented_body_to_the_url_with_the_id() {
    let e = env(fast()).await;
    let (id, t, added, updated) = added_and_updated(&e).await;
    assert_eq!(added.path, "/hooks/cw");
    assert_eq!(
        added.query,
        format!("recordId={}", t.0),
        "the id appended to the URL text"
    );
    assert!(added
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    assert_member_order(&added.body);
    let m = added.json();
    assert!(uuid::Uuid::parse_str(m["MessageId"].as_str().expect("id")).is_ok());
    assert_eq!(
        m["FromUrl"],
        json!(e.sim.site_url().trim_start_matches("http://"))
    );
    assert_eq!(
        (m["CompanyId"].clone(), m["MemberId"].clone()),
        (json!("Cobalt"), json!("TechSim"))
    );
    assert_eq!(
        (m["Action"].clone(), m["Type"].clone(), m["ID"].clone()),
        (json!("added"), json!("ticket"), json!(t.0))
    );
    assert_eq!(m["CallbackObjectRecId"], json!(id));
    assert!(m["ProductInstanceId"].is_string() && m["PartnerId"].is_string());
    let added_entity = entity(&m);
    assert_eq!(
        (added_entity["id"].clone(), added_entity["summary"].clone()),
        (json!(t.0), json!("Impossible travel"))
    );
    let u = updated.json();
    assert_eq!(u["Action"], json!("updated"));
    assert_ne!(u["MessageId"], m["MessageId"]);
    let closed = entity(&u);
    assert_eq!(
        (
            closed["closedFlag"].clone(),
            closed["status"]["name"].clone()
        ),
        (json!(true), json!(">Closed"))
    );
}

#[tokio::test]
async fn the_signature_verifies_with_the_key_from_key_url() {
    let e = env(fast()).await;
    let (id, _, added, updated) = added_and_updated(&e).await;
    let m = added.json();
    let key_url = m["Metadata"]["key_url"].as_str().expect("key_url");
    let prefix = format!(
        "{}/v4_6_release//system/callbackkey/index.rails?companyName=Cobalt&id=",
        e.sim.site_url()
    );
    assert!(key_url.starts_with(&prefix), "{key_url}");
    let (s, key) = fetch_key(&e, key_url).await;
    assert_eq!(s, 200);
    let signing_key = key["signing_key"].as_str().expect("signing_key");
    let signature = added.header("x-content-signature").expect("signature");
    assert_eq!(signature, expected_signature(signing_key, &added.body));
    // Keyed with the key's digest, not the key itself.
    let mut raw = Hmac::<Sha256>::new_from_slice(signing_key.as_bytes()).expect("key");
    raw.update(&added.body);
    let raw = base64::engine::general_purpose::STANDARD.encode(raw.finalize().into_bytes());
    assert_ne!(signature, raw);
    let u = updated.json();
    assert_eq!(
        u["Metadata"]["key_url"], m["Metadata"]["key_url"],
        "one key per callback"
    );
    assert_eq!(
        updated.header("x-content-signature").expect("sig"),
        expected_signature(signing_key, &updated.body)
    );
    let d = e.sim.deliveries();
    assert_eq!(d.len(), 2);
    assert!(d
        .iter()
        .all(|d| d.outcome == DeliveryOutcome::Delivered(200) && d.attempt == 1));
    assert_eq!(
        (d[0].body.clone(), d[0].signature.as_str()),
        (added.body.clone(), signature)
    );
    assert_eq!(d[0].callback, CallbackId(id));
    let snapshot = e
        .sim
        .callback(&e.company, CallbackId(id))
        .expect("callback");
    assert_eq!(snapshot.signing_key.as_deref(), Some(signing_key));
}

#[tokio::test]
async fn a_deleted_ticket_sends_a_null_entity() {
    let e = env(fast()).await;
    let rx = receiver(204).await;
    e.owner_callback(&format!("{}?id=", rx.url)).await;
    let t = e.sim.create_ticket(&e.company, "x");
    e.sim.delete_ticket(&e.company, t);
    assert!(wait_for(|| rx.count() == 2).await);
    let deleted = rx.hits.lock()[1].json();
    assert_eq!(
        (deleted["Action"].clone(), deleted["Entity"].clone()),
        (json!("deleted"), json!(null))
    );
    assert_eq!(deleted["ID"], json!(t.0));
}

#[tokio::test]
async fn rest_changes_carry_the_member_and_levels_pick_tickets() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let mut board = callback_body(&format!("{}?board=", rx.url));
    board["level"] = json!("board");
    board["objectId"] = json!(2);
    let (s, c) = e.call(Method::POST, "system/callbacks", Some(board)).await;
    assert_eq!(s, 201, "{c}");
    let board_id = c["id"].as_i64().expect("id");
    let mut status = callback_body(&format!("{}?status=", rx.url));
    status["level"] = json!("Status");
    status["objectId"] = json!(5);
    let (_, c) = e.call(Method::POST, "system/callbacks", Some(status)).await;
    let status_id = c["id"].as_i64().expect("id");
    // A Help Desk ticket reaches neither until it enters status 5 (>Closed on board 1).
    let t = e.sim.create_ticket(&e.company, "help desk");
    assert_eq!((e.queued(board_id), e.queued(status_id)), (0, 0));
    let ops = json!([{"op": "replace", "path": "status/id", "value": 5}]);
    assert_eq!(
        e.call(
            Method::PATCH,
            &format!("service/tickets/{}", t.0),
            Some(ops)
        )
        .await
        .0,
        200
    );
    assert_eq!((e.queued(board_id), e.queued(status_id)), (0, 1));
    let (s, _) = e
        .call(
            Method::POST,
            "service/tickets",
            Some(json!({"summary": "alert", "board": {"id": 2}})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!((e.queued(board_id), e.queued(status_id)), (1, 1));
    assert!(wait_for(|| rx.count() == 2).await);
    let hits = rx.hits.lock().clone();
    let status_hit = hits
        .iter()
        .find(|h| h.query.starts_with("status="))
        .expect("status hit");
    assert_eq!(
        status_hit.json()["MemberId"],
        json!(MEMBER),
        "the REST member made the change"
    );
    assert_eq!(status_hit.query, format!("status={}", t.0));
}

#[tokio::test]
async fn self_suppression_hides_the_creators_own_changes() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let mut body = callback_body(&format!("{}?recordId=", rx.url));
    body["isSelfSuppressedFlag"] = json!(true);
    let (_, c) = e.call(Method::POST, "system/callbacks", Some(body)).await;
    let id = c["id"].as_i64().expect("id");
    let t = e.sim.create_ticket(&e.company, "x");
    assert_eq!(e.queued(id), 1, "the technician's change is heard");
    let ops = json!([{"op": "replace", "path": "summary", "value": "ours"}]);
    assert_eq!(
        e.call(
            Method::PATCH,
            &format!("service/tickets/{}", t.0),
            Some(ops)
        )
        .await
        .0,
        200
    );
    assert_eq!(e.queued(id), 1, "our own change queued nothing");
    e.sim.close_ticket(&e.company, t, "done");
    assert!(wait_for(|| rx.count() == 2).await);
    let members: Vec<Value> = rx
        .hits
        .lock()
        .iter()
        .map(|h| h.json()["MemberId"].clone())
        .collect();
    assert_eq!(members, [json!("TechSim"), json!("TechSim")]);
}

#[tokio::test]
async fn self_suppression_can_be_ignored() {
    let e = env(SimConfig {
        honour_self_suppression: false,
        ..fast()
    })
    .await;
    let mut body = callback_body("https://hooks.example/cw?recordId=");
    body["isSelfSuppressedFlag"] = json!(true);
    let (_, c) = e.call(Method::POST, "system/callbacks", Some(body)).await;
    let id = c["id"].as_i64().expect("id");
    let (s, _) = e
        .call(
            Method::POST,
            "service/tickets",
            Some(json!({"summary": "ours"})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(e.queued(id), 1);
}

#[tokio::test]
async fn keys_can_rotate_with_every_message_and_expire() {
    let e = env(SimConfig {
        signing_keys: SigningKeys::PerMessage,
        key_url_ttl: Some(Duration::from_secs(3600)),
        ..fast()
    })
    .await;
    let rx = receiver(200).await;
    e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    let t = e.sim.create_ticket(&e.company, "x");
    e.sim.update_ticket(&e.company, t, json!({"summary": "y"}));
    assert!(wait_for(|| rx.count() == 2).await);
    let hits = rx.hits.lock().clone();
    let urls: Vec<String> = hits
        .iter()
        .map(|h| {
            h.json()["Metadata"]["key_url"]
                .as_str()
                .expect("url")
                .to_string()
        })
        .collect();
    assert_ne!(urls[0], urls[1]);
    for (h, url) in hits.iter().zip(&urls) {
        let (s, key) = fetch_key(&e, url).await;
        assert_eq!(s, 200);
        let k = key["signing_key"].as_str().expect("key");
        assert_eq!(
            h.header("x-content-signature"),
            Some(expected_signature(k, &h.body).as_str())
        );
    }
    // Another company's name does not open the key; a made-up id is unknown.
    let (s, _) = fetch_key(
        &e,
        &urls[0].replace("companyName=Cobalt", "companyName=Other"),
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn an_expired_key_url_answers_404() {
    let e = env(SimConfig {
        key_url_ttl: Some(Duration::ZERO),
        ..fast()
    })
    .await;
    let rx = receiver(200).await;
    e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    e.sim.create_ticket(&e.company, "x");
    assert!(wait_for(|| rx.count() == 1).await);
    let url = rx.hits.lock()[0].json()["Metadata"]["key_url"]
        .as_str()
        .expect("url")
        .to_string();
    assert_eq!(fetch_key(&e, &url).await.0, 404, "expired");
}

#[tokio::test]
async fn the_entity_can_be_summarized_in_pascal_case_and_keys_shared_per_company() {
    let e = env(SimConfig {
        entity: EntityForm::Summary,
        entity_casing: EntityCasing::Pascal,
        signing_keys: SigningKeys::PerCompany,
        key_url_base: Some("https://na.myconnectwise.net".into()),
        from_url: Some("na.myconnectwise.net".into()),
        ..fast()
    })
    .await;
    let rx = receiver(200).await;
    e.owner_callback(&format!("{}?a=", rx.url)).await;
    e.owner_callback(&format!("{}?b=", rx.url)).await;
    e.sim.create_ticket(&e.company, "x");
    assert!(wait_for(|| rx.count() == 2).await);
    let hits = rx.hits.lock().clone();
    let m = hits[0].json();
    let entity: Value = serde_json::from_str(m["Entity"].as_str().expect("string")).expect("json");
    let mut keys: Vec<&str> = entity
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "Board",
            "ClosedFlag",
            "Company",
            "Id",
            "Status",
            "Summary",
            "_info"
        ]
    );
    assert_eq!(m["FromUrl"], json!("na.myconnectwise.net"));
    let url = m["Metadata"]["key_url"].as_str().expect("url");
    assert!(
        url.starts_with("https://na.myconnectwise.net/v4_6_release//system/callbackkey/"),
        "{url}"
    );
    assert_eq!(
        hits[1].json()["Metadata"]["key_url"],
        m["Metadata"]["key_url"],
        "one key for the company"
    );
    // The key is still served by the simulator itself.
    let guid = url.rsplit("id=").next().expect("guid");
    let key = e.sim.signing_key(&e.company, guid).expect("key");
    assert_eq!(
        hits[0].header("x-content-signature"),
        Some(expected_signature(&key, &hits[0].body).as_str())
    );
}
