//! Silent drift: webhook changes made as in Autotask's UI whose deactivation call never arrives.

mod common;

use autotask_sim::{Simulator, WebhookId};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn get_webhook(e: &Env, wid: i64) -> Value {
    let (s, got) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(s, 200, "{got}");
    got["item"].clone()
}

fn deactivations(sim: &Simulator) -> Vec<String> {
    sim.deliveries()
        .into_iter()
        .filter(|d| d.deactivation)
        .map(|d| d.url)
        .collect()
}

/// Deletes a webhook over REST and waits for its deactivation call to `marker`: a positive
/// marker, sent after any deactivation call the earlier silent change could have caused.
async fn delete_and_wait_for_notice(e: &Env, wid: i64, marker: &str) {
    let (s, _) = e
        .call(Method::DELETE, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(s, 200);
    let seen = wait_for(|| deactivations(&e.sim).iter().any(|u| u == marker)).await;
    assert!(seen, "no deactivation call to {marker}");
}

/// Completes a fresh ticket and returns the callout body the receiver got for it.
async fn completion_callout(e: &Env, rx: &Receiver, before: usize) -> Value {
    let t = e.sim.create_ticket(e.db, "marker");
    e.sim.complete_ticket(e.db, t, "done");
    assert!(
        wait_for(|| rx.hits.lock().len() > before).await,
        "no callout"
    );
    let body = rx.hits.lock()[before].body.clone();
    serde_json::from_slice(&body).expect("json")
}

#[tokio::test]
async fn a_silently_deactivated_webhook_stops_firing_and_no_notice_comes() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let wid = ready_webhook(&e, &rx.url).await;
    e.sim
        .set_webhook_active_silently(e.db, WebhookId(wid), false);
    assert_eq!(get_webhook(&e, wid).await["isActive"], json!(false));
    let t = e.sim.create_ticket(e.db, "while inactive");
    e.sim.complete_ticket(e.db, t, "done");
    assert_eq!(e.sim.ticket(e.db, t).expect("ticket")["status"], json!(5));
    assert_eq!(sequence(&e), 0, "the change queued no callout");

    e.sim
        .set_webhook_active_silently(e.db, WebhookId(wid), true);
    assert_eq!(get_webhook(&e, wid).await["isActive"], json!(true));
    let first = completion_callout(&e, &rx, 0).await;
    assert_eq!(first["SequenceNumber"], json!(1), "nothing came before it");

    // The marker notice goes to its own URL, so it cannot be mistaken for a silent one.
    let marker = format!("{}/marker", rx.url);
    let patch = json!({"id": wid, "deactivationUrl": marker});
    let (s, _) = e.call(Method::PATCH, "TicketWebhooks", Some(patch)).await;
    assert_eq!(s, 200);
    delete_and_wait_for_notice(&e, wid, &marker).await;
    assert_eq!(
        deactivations(&e.sim),
        vec![marker],
        "only the REST delete's notice"
    );
}

#[tokio::test]
async fn a_silently_deleted_webhook_is_gone_and_no_notice_comes() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let wid = ready_webhook(&e, &rx.url).await;
    e.sim.delete_webhook_silently(e.db, WebhookId(wid));
    assert!(e.sim.webhooks(e.db).is_empty());
    assert!(get_webhook(&e, wid).await.is_null());
    let (s, _) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}/Fields"), None)
        .await;
    assert_eq!(s, 404);

    let other = format!("{}/other", rx.url);
    let (s, c) = e.create_webhook(&other).await;
    assert_eq!(s, 200, "the silent delete freed the webhook limit: {c}");
    let marker = format!("{other}/deactivated");
    delete_and_wait_for_notice(&e, c["itemId"].as_i64().expect("id"), &marker).await;
    assert_eq!(
        deactivations(&e.sim),
        vec![marker],
        "only the REST delete's notice"
    );
}

#[tokio::test]
async fn removing_fields_silently_makes_the_webhook_not_ready() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let wid = ready_webhook(&e, &rx.url).await;
    e.sim.remove_webhook_fields_silently(e.db, WebhookId(wid));
    let got = get_webhook(&e, wid).await;
    assert_eq!(
        (&got["isActive"], &got["isReady"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(e.sim.webhooks(e.db)[0]["fields"], json!([]));
    let t = e.sim.create_ticket(e.db, "while not ready");
    e.sim.complete_ticket(e.db, t, "done");
    assert_eq!(
        sequence(&e),
        0,
        "a webhook that is not ready queues nothing"
    );

    assert_eq!(e.add_field(wid, 56, true, false).await.0, 200);
    assert_eq!(get_webhook(&e, wid).await["isReady"], json!(true));
    let first = completion_callout(&e, &rx, 0).await;
    assert_eq!(first["SequenceNumber"], json!(1));
}

#[tokio::test]
async fn a_silent_url_change_sends_callouts_elsewhere() {
    let e = env(fast()).await;
    let old = receiver(200).await;
    let new = receiver(200).await;
    let wid = ready_webhook(&e, &old.url).await;
    e.sim
        .set_webhook_url_silently(e.db, WebhookId(wid), &new.url);
    assert_eq!(get_webhook(&e, wid).await["webhookUrl"], json!(new.url));
    let t = e.sim.create_ticket(e.db, "moved");
    e.sim.complete_ticket(e.db, t, "done");
    assert_eq!(sequence(&e), 1, "queued at once, before any delivery");
    assert!(wait_for(|| !new.hits.lock().is_empty()).await, "no callout");
    assert!(
        old.hits.lock().is_empty(),
        "the only event went to the new URL"
    );
    assert!(e.sim.deliveries().iter().all(|d| d.url == new.url));
}

#[tokio::test]
#[should_panic(expected = "no webhook 4242")]
async fn silent_drift_of_an_unknown_webhook_is_a_test_bug() {
    let e = env(fast()).await;
    e.sim
        .set_webhook_url_silently(e.db, WebhookId(4242), "https://x");
}
