//! Delivery semantics: retries only on 404/409/419/429 (two, after 2 s and 4 s, scaled), no
//! retry on anything else, disabling after failing for long enough, and the URL forms.

mod common;

use common::*;
use connectwise_sim::{CallbackId, CallbackUrlForm, Delivery, DeliveryOutcome, SimConfig};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

fn of_message(e: &Env, message_id: &str) -> Vec<Delivery> {
    e.sim
        .deliveries()
        .into_iter()
        .filter(|d| d.message_id == message_id)
        .collect()
}

/// Lets the receiver accept, then makes a marker change and waits until its message is
/// delivered: messages of one callback go out in order, so every retry of earlier messages
/// has happened by then.
async fn drain(e: &Env, rx: &Receiver) -> String {
    rx.answer(200);
    let t = e.sim.create_ticket(&e.company, "marker");
    let seen = wait_for(|| {
        e.sim
            .deliveries()
            .iter()
            .any(|d| d.succeeded() && d.body.windows(6).any(|w| w == b"marker"))
    })
    .await;
    assert!(seen, "marker delivered");
    format!("{}", t.0)
}

#[tokio::test]
async fn a_404_is_retried_twice_with_the_same_message() {
    let e = env(fast()).await;
    let rx = receiver(404).await;
    e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    e.sim.create_ticket(&e.company, "first");
    assert!(
        wait_for(|| e.sim.deliveries().len() == 3).await,
        "three attempts"
    );
    drain(&e, &rx).await;
    let first = e.sim.deliveries()[0].clone();
    let attempts = of_message(&e, &first.message_id);
    assert_eq!(
        attempts.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(attempts
        .iter()
        .all(|d| d.outcome == DeliveryOutcome::Rejected(404)));
    assert!(attempts
        .iter()
        .all(|d| d.body == first.body && d.signature == first.signature));
    assert_eq!(
        rx.count(),
        4,
        "three tries of the first message, one of the marker"
    );
}

#[tokio::test]
async fn conflicts_and_throttling_are_retried_and_a_late_success_ends_it() {
    for status in [409, 419, 429] {
        let e = env(fast()).await;
        let rx = receiver(status).await;
        e.owner_callback(&format!("{}?recordId=", rx.url)).await;
        e.sim.create_ticket(&e.company, "first");
        assert!(
            wait_for(|| e.sim.deliveries().len() == 3).await,
            "{status}: three attempts"
        );
        drain(&e, &rx).await;
        let first = e.sim.deliveries()[0].message_id.clone();
        assert_eq!(of_message(&e, &first).len(), 3, "{status}");
    }
    let e = env(fast()).await;
    let rx = receiver(200).await;
    rx.answer_next(&[429]);
    let id = e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    e.sim.create_ticket(&e.company, "first");
    drain(&e, &rx).await;
    let first = e.sim.deliveries()[0].message_id.clone();
    let outcomes: Vec<DeliveryOutcome> = of_message(&e, &first)
        .into_iter()
        .map(|d| d.outcome)
        .collect();
    assert_eq!(
        outcomes,
        [
            DeliveryOutcome::Rejected(429),
            DeliveryOutcome::Delivered(200)
        ]
    );
    assert!(
        !e.sim
            .callback(&e.company, CallbackId(id))
            .expect("cb")
            .failing
    );
}

#[tokio::test]
async fn a_500_and_a_dead_receiver_are_not_retried() {
    let e = env(fast()).await;
    let rx = receiver(500).await;
    let id = e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    e.sim.create_ticket(&e.company, "first");
    assert!(wait_for(|| !e.sim.deliveries().is_empty()).await);
    drain(&e, &rx).await;
    let first = e.sim.deliveries()[0].clone();
    assert_eq!(first.outcome, DeliveryOutcome::Rejected(500));
    assert_eq!(
        of_message(&e, &first.message_id).len(),
        1,
        "no retry of a 500"
    );
    let cb = e.sim.callback(&e.company, CallbackId(id)).expect("cb");
    assert!(!cb.inactive, "one failure disables nothing");

    let dead = env(fast()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    dead.owner_callback(&format!("http://127.0.0.1:{port}/gone?id="))
        .await;
    dead.sim.create_ticket(&dead.company, "x");
    assert!(wait_for(|| !dead.sim.deliveries().is_empty()).await);
    let d = dead.sim.deliveries()[0].clone();
    assert!(
        matches!(d.outcome, DeliveryOutcome::Unreachable(_)),
        "{:?}",
        d.outcome
    );
    dead.sim
        .set_callback_url_silently(&dead.company, d.callback, &format!("{}?id=", rx.url));
    let before = rx.count();
    drain(&dead, &rx).await;
    assert_eq!(of_message(&dead, &d.message_id).len(), 1);
    assert_eq!(rx.count(), before + 1);
}

#[tokio::test]
async fn a_timeout_is_not_retried() {
    // 50 s scaled: 50 ms, against a listener that takes the connection and never answers.
    let e = env(SimConfig {
        callback_timeout: Duration::from_secs(50),
        ..fast()
    })
    .await;
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let id = e
        .owner_callback(&format!("http://127.0.0.1:{port}/slow?id="))
        .await;
    e.sim.create_ticket(&e.company, "first");
    assert!(wait_for(|| !e.sim.deliveries().is_empty()).await);
    let first = e.sim.deliveries()[0].clone();
    assert_eq!(first.outcome, DeliveryOutcome::TimedOut);
    let rx = receiver(200).await;
    e.sim
        .set_callback_url_silently(&e.company, CallbackId(id), &format!("{}?id=", rx.url));
    drain(&e, &rx).await;
    assert_eq!(of_message(&e, &first.message_id).len(), 1);
    drop(silent);
}

#[tokio::test]
async fn failing_for_long_enough_sets_inactive() {
    let e = env(SimConfig {
        disable_after: Duration::ZERO,
        ..fast()
    })
    .await;
    let rx = receiver(500).await;
    let id = e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    e.sim.create_ticket(&e.company, "x");
    let cid = CallbackId(id);
    assert!(wait_for(|| e.sim.callback(&e.company, cid).is_some_and(|c| c.inactive)).await);
    let (_, got) = e
        .call(Method::GET, &format!("system/callbacks/{id}"), None)
        .await;
    assert_eq!(got["inactiveFlag"], json!(true));
    let queued = e.queued(id);
    e.sim.create_ticket(&e.company, "while inactive");
    assert_eq!(e.queued(id), queued, "an inactive entry hears nothing");
    let ops = json!([{"op": "replace", "path": "inactiveFlag", "value": false}]);
    assert_eq!(
        e.call(Method::PATCH, &format!("system/callbacks/{id}"), Some(ops))
            .await
            .0,
        200
    );
    drain(&e, &rx).await;
}

#[tokio::test]
async fn disabling_can_leave_inactive_flag_false() {
    let e = env(SimConfig {
        disable_after: Duration::ZERO,
        disable_sets_inactive_flag: false,
        ..fast()
    })
    .await;
    let rx = receiver(500).await;
    let id = e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    let cid = CallbackId(id);
    e.sim.create_ticket(&e.company, "x");
    assert!(wait_for(|| e.sim.callback(&e.company, cid).is_some_and(|c| c.disabled)).await);
    let (_, got) = e
        .call(Method::GET, &format!("system/callbacks/{id}"), None)
        .await;
    assert_eq!(got["inactiveFlag"], json!(false), "it looks active");
    let queued = e.queued(id);
    e.sim.create_ticket(&e.company, "silent");
    assert_eq!(e.queued(id), queued, "but hears nothing");
    // Saving the entry again brings it back.
    let (s, _) = e
        .call(
            Method::PUT,
            &format!("system/callbacks/{id}"),
            Some(callback_body(&format!("{}?recordId=", rx.url))),
        )
        .await;
    assert_eq!(s, 200);
    assert!(!e.sim.callback(&e.company, cid).expect("cb").disabled);
    drain(&e, &rx).await;
}

#[tokio::test]
async fn the_url_form_is_a_setting() {
    let cases = [
        (
            CallbackUrlForm::AppendIdAndAction,
            "?recordId=",
            "recordId={id}&action=added",
        ),
        (
            CallbackUrlForm::QueryParameters,
            "",
            "recordId={id}&action=added",
        ),
        (
            CallbackUrlForm::QueryParameters,
            "?tenant=7",
            "tenant=7&recordId={id}&action=added",
        ),
        (CallbackUrlForm::Unchanged, "?tenant=7", "tenant=7"),
    ];
    for (form, suffix, want) in cases {
        let e = env(SimConfig {
            url_form: form,
            ..fast()
        })
        .await;
        let rx = receiver(200).await;
        e.owner_callback(&format!("{}{suffix}", rx.url)).await;
        let t = e.sim.create_ticket(&e.company, "x");
        assert!(wait_for(|| rx.count() == 1).await);
        assert_eq!(
            rx.hits.lock()[0].query,
            want.replace("{id}", &t.0.to_string()),
            "{form:?}"
        );
    }
}

#[tokio::test]
async fn messages_of_one_callback_wait_for_the_earlier_ones() {
    let e = env(SimConfig {
        // Long enough that the second message would overtake a retrying first one if it could.
        retry_delays: vec![Duration::from_secs(100), Duration::from_secs(100)],
        ..fast()
    })
    .await;
    let rx = receiver(404).await;
    e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    let first = e.sim.create_ticket(&e.company, "first");
    let second = e.sim.create_ticket(&e.company, "second");
    assert!(wait_for(|| rx.count() == 4).await);
    let ids: Vec<i64> = rx
        .hits
        .lock()
        .iter()
        .map(|h| h.json()["ID"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [first.0, first.0, first.0, second.0]);
}
