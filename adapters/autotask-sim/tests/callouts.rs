//! Callout delivery over real HTTP: signatures, ordering, retries, error log, auto-deactivation.

mod common;

use autotask_sim::{dotnet_escaped_json, sign, DeliveryOutcome, SimConfig, WireBody};
use common::*;
use reqwest::Method;
use serde_json::json;

#[test]
fn escaping_known_answers() {
    let body = json!({"Resolution": "Replaced PSU & rebooted"});
    assert_eq!(
        dotnet_escaped_json(&body),
        r#"{"Resolution":"Replaced PSU \u0026 rebooted"}"#
    );
    assert_eq!(
        sign("kat-secret-key", br#"{"id":123,"title":"Server down"}"#),
        "sha1=wql/x7lvZIcIN10rO/5dWem76B0="
    );
}

#[tokio::test]
async fn completing_a_ticket_delivers_a_signed_callout() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let wid = ready_webhook(&e, &rx.url).await;
    let t = e.sim.create_ticket(e.db, "Server down");
    e.sim.complete_ticket(e.db, t, "Replaced PSU & rebooted");
    assert!(wait_for(|| !rx.hits.lock().is_empty()).await, "no callout");
    let hit = rx.hits.lock()[0].clone();
    let text = String::from_utf8(hit.body.clone()).expect("utf8");
    assert!(text.contains(r"Replaced PSU \u0026 rebooted"), "{text}");
    assert!(text.starts_with(r#"{"Action":"Update","Guid":""#), "{text}");
    let sig = hit.header("x-hook-signature").expect("signature");
    assert_eq!(sig, sign("9f8c1e0b6a4d4f7c8e2b51d3a9c07e66", &hit.body));
    assert!(hit
        .header("content-type")
        .is_some_and(|c| c.contains("application/json")));
    let v: serde_json::Value = serde_json::from_slice(&hit.body).expect("json");
    let guid = e.sim.webhooks(e.db)[0]["webhookGUID"].clone();
    assert_eq!(v["Guid"], guid);
    assert_eq!(v["Id"], json!(t.0));
    assert_eq!(v["Fields"]["Status"], json!(5));
    assert!(v["Fields"]["CompletedDate"]
        .as_str()
        .is_some_and(|d| d.ends_with('Z')));
    assert!(v["Fields"]["CreateDate"].is_string());
    assert_eq!(v["SequenceNumber"], json!(1));
    assert_eq!(v["PersonID"], json!(29_682_885));
    let keys: Vec<&str> = [
        "\"Action\"",
        "\"Guid\"",
        "\"EntityType\"",
        "\"Id\"",
        "\"Fields\"",
        "\"EventTime\"",
        "\"SequenceNumber\"",
        "\"PersonID\"",
    ]
    .to_vec();
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).expect("key")).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "key order: {text}"
    );

    // Reopen: CompletedDate cleared to null fires a second, ordered callout.
    e.sim.update_ticket(e.db, t, json!({"status": 8}));
    assert!(wait_for(|| rx.hits.lock().len() == 2).await);
    let second: serde_json::Value = serde_json::from_slice(&rx.hits.lock()[1].body).expect("json");
    assert_eq!(second["SequenceNumber"], json!(2));
    assert!(second["Fields"]["CompletedDate"].is_null());
    // A change to an unsubscribed field queues nothing...
    e.sim.update_ticket(e.db, t, json!({"title": "renamed"}));
    assert_eq!(sequence(&e), 2);
    // ...so the subscribed change after it is the very next callout.
    e.sim.complete_ticket(e.db, t, "done again");
    assert!(wait_for(|| rx.hits.lock().len() >= 3).await);
    let third: serde_json::Value = serde_json::from_slice(&rx.hits.lock()[2].body).expect("json");
    assert_eq!(third["SequenceNumber"], json!(3));
    assert_eq!(third["Fields"]["Resolution"], json!("done again"));
    assert!(e
        .sim
        .deliveries()
        .iter()
        .all(|d| matches!(d.outcome, DeliveryOutcome::Delivered(200))));
    let _ = wid;
}

#[tokio::test]
async fn plain_wire_body_still_signs_the_escaped_form() {
    let e = env(SimConfig {
        wire_body: WireBody::Plain,
        ..fast()
    })
    .await;
    let rx = receiver(204).await;
    ready_webhook(&e, &rx.url).await;
    let t = e.sim.create_ticket(e.db, "x");
    e.sim.complete_ticket(e.db, t, "A & B");
    assert!(wait_for(|| !rx.hits.lock().is_empty()).await);
    let hit = rx.hits.lock()[0].clone();
    let text = String::from_utf8(hit.body.clone()).expect("utf8");
    assert!(text.contains("A & B"));
    let sig = hit.header("x-hook-signature").expect("sig");
    assert_ne!(sig, sign("9f8c1e0b6a4d4f7c8e2b51d3a9c07e66", &hit.body));
    let v: serde_json::Value = serde_json::from_slice(&hit.body).expect("json");
    // serde_json sorts keys, so rebuild the escaped text from the wire text's order instead.
    let escaped = text.replace('&', r"\u0026");
    assert_eq!(
        sig,
        sign("9f8c1e0b6a4d4f7c8e2b51d3a9c07e66", escaped.as_bytes())
    );
    assert_eq!(v["Fields"]["Resolution"], json!("A & B"));
}

#[tokio::test]
async fn no_ticket_access_means_no_callouts() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    ready_webhook(&e, &rx.url).await;
    e.sim.update_api_user(USER, |u| u.ticket_access = false);
    let t = e.sim.create_ticket(e.db, "x");
    e.sim.complete_ticket(e.db, t, "done");
    let stored = e.sim.ticket(e.db, t).expect("ticket");
    assert_eq!(stored["status"], json!(5), "the ticket did change");
    assert_eq!(sequence(&e), 0, "but no callout was queued");
    // With access back, the next change is the webhook's first callout.
    e.sim.update_api_user(USER, |u| u.ticket_access = true);
    e.sim.update_ticket(e.db, t, json!({"status": 8}));
    assert!(wait_for(|| !rx.hits.lock().is_empty()).await, "no callout");
    let first: serde_json::Value = serde_json::from_slice(&rx.hits.lock()[0].body).expect("json");
    assert_eq!(first["SequenceNumber"], json!(1));
    assert!(
        first["Fields"]["CompletedDate"].is_null(),
        "the reopen, not the completion"
    );
}

#[tokio::test]
async fn failing_receiver_retries_logs_and_deactivates() {
    let e = env(SimConfig {
        disable_after_failures: 7,
        ..fast()
    })
    .await;
    let rx = receiver(500).await;
    let wid = ready_webhook(&e, &rx.url).await;
    let t1 = e.sim.create_ticket(e.db, "first");
    e.sim.complete_ticket(e.db, t1, "one");
    assert!(
        wait_for(|| e.sim.error_log(e.db).len() == 1).await,
        "first event not logged"
    );
    let attempts: Vec<_> = e
        .sim
        .deliveries()
        .into_iter()
        .filter(|d| !d.deactivation)
        .collect();
    assert_eq!(attempts.len(), 5);
    assert!(attempts
        .iter()
        .all(|d| d.sequence == Some(1) && matches!(d.outcome, DeliveryOutcome::Failed(_))));
    let entry = &e.sim.error_log(e.db)[0];
    assert_eq!(entry["sequenceNumber"], json!(1));
    assert_eq!(entry["ticketWebhookID"], json!(wid));
    assert!(entry["payload"]
        .as_str()
        .is_some_and(|p| p.contains("\"Action\":\"Update\"")));
    assert_eq!(e.sim.webhooks(e.db)[0]["isActive"], json!(true));

    let t2 = e.sim.create_ticket(e.db, "second");
    e.sim.complete_ticket(e.db, t2, "two");
    assert!(
        wait_for(|| e.sim.deliveries().iter().any(|d| d.deactivation)).await,
        "no deactivation call"
    );
    assert_eq!(e.sim.webhooks(e.db)[0]["isActive"], json!(false));
    let events = e
        .sim
        .deliveries()
        .iter()
        .filter(|d| !d.deactivation)
        .count();
    assert_eq!(events, 7, "25-failure rule counts attempts across events");
    assert!(
        wait_for(|| rx
            .hits
            .lock()
            .iter()
            .any(|h| h.path.ends_with("/deactivated")))
        .await
    );
    let deact = rx
        .hits
        .lock()
        .iter()
        .find(|h| h.path.ends_with("/deactivated"))
        .cloned()
        .expect("hit");
    assert!(deact.header("x-hook-signature").is_none());
    let body: serde_json::Value = serde_json::from_slice(&deact.body).expect("json");
    assert_eq!(body["Action"], json!("Deactivated"));
    assert_eq!(e.sim.error_log(e.db).len(), 2);
    let (_, q) = e
        .call(
            Method::POST,
            "WebhookEventErrorLogs/query",
            Some(json!({"filter":[{"op":"eq","field":"ticketWebhookID","value":wid}]})),
        )
        .await;
    assert_eq!(q["items"].as_array().map(Vec::len), Some(2));

    // Re-enabling through PATCH works and the webhook fires again.
    let (s, _) = e
        .call(
            Method::PATCH,
            "TicketWebhooks",
            Some(json!({"id": wid, "isActive": true})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(e.sim.webhooks(e.db)[0]["isActive"], json!(true));
}
