//! Silent drift: callback entries changed behind the client's back, which ConnectWise never
//! reports; each change shows over REST and in what gets delivered.

mod common;

use common::*;
use connectwise_sim::{CallbackId, DeliveryOutcome, SimConfig};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_silently_inactivated_entry_shows_it_and_hears_nothing() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    let id = e.owner_callback(&format!("{}?recordId=", rx.url)).await;
    e.sim
        .set_callback_inactive_silently(&e.company, CallbackId(id), true);
    let (_, got) = e
        .call(Method::GET, &format!("system/callbacks/{id}"), None)
        .await;
    assert_eq!(got["inactiveFlag"], json!(true));
    e.sim.create_ticket(&e.company, "while inactive");
    assert_eq!(e.queued(id), 0, "the change queued nothing");
    e.sim
        .set_callback_inactive_silently(&e.company, CallbackId(id), false);
    let t = e.sim.create_ticket(&e.company, "after");
    assert!(wait_for(|| rx.count() == 1).await);
    assert_eq!(
        rx.hits.lock()[0].json()["ID"],
        json!(t.0),
        "the first message is the later change"
    );
}

#[tokio::test]
async fn a_silently_deleted_entry_is_gone_and_its_retries_dropped() {
    let e = env(fast()).await;
    // A receiver the test answers by hand, so the entry goes while the first attempt waits.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let id = e
        .owner_callback(&format!("http://127.0.0.1:{port}/cw?recordId="))
        .await;
    e.sim.create_ticket(&e.company, "x");
    let (mut conn, _) = listener.accept().await.expect("the first attempt connects");
    let mut buf = [0u8; 4096];
    let n = conn.read(&mut buf).await.expect("read");
    assert!(buf[..n].starts_with(b"POST /cw?recordId="));
    e.sim.delete_callback_silently(&e.company, CallbackId(id));
    assert_eq!(
        e.call(Method::GET, &format!("system/callbacks/{id}"), None)
            .await
            .0,
        404
    );
    let answer = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    conn.write_all(answer).await.expect("answer");
    // A 404 is retried, but not for an entry that is gone.
    assert!(
        wait_for(|| e.sim.dropped_messages() == 1).await,
        "the retry was dropped"
    );
    let attempts: Vec<_> = e.sim.deliveries().into_iter().map(|d| d.outcome).collect();
    assert_eq!(attempts, [DeliveryOutcome::Rejected(404)]);
}

#[tokio::test]
async fn a_silently_moved_url_takes_the_messages() {
    let e = env(fast()).await;
    let (a, b) = (receiver(200).await, receiver(200).await);
    let id = e.owner_callback(&format!("{}?recordId=", a.url)).await;
    e.sim
        .set_callback_url_silently(&e.company, CallbackId(id), &format!("{}?moved=", b.url));
    let (_, got) = e
        .call(Method::GET, &format!("system/callbacks/{id}"), None)
        .await;
    assert_eq!(got["url"], json!(format!("{}?moved=", b.url)));
    let t = e.sim.create_ticket(&e.company, "x");
    assert!(wait_for(|| b.count() == 1).await);
    assert_eq!(b.hits.lock()[0].query, format!("moved={}", t.0));
    assert_eq!(a.count(), 0);
}

#[tokio::test]
async fn a_silent_disabling_follows_the_setting() {
    let e = env(SimConfig {
        disable_sets_inactive_flag: false,
        ..fast()
    })
    .await;
    let id = e.owner_callback("https://hooks.example/cw?recordId=").await;
    e.sim.disable_callback_silently(&e.company, CallbackId(id));
    let snap = e.sim.callback(&e.company, CallbackId(id)).expect("cb");
    assert!(snap.disabled && !snap.inactive);
    e.sim.create_ticket(&e.company, "x");
    assert_eq!(e.queued(id), 0);
}
