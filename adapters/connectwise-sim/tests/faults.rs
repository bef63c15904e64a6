//! Injected faults and the request log: status answers, work-then-fail, holds the test
//! releases, latency, and requests logged on arrival with their status filled in on answer.

mod common;

use common::*;
use connectwise_sim::{Fault, FaultKind, Gate, Op, SimConfig};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_status_fault_answers_n_times_without_doing_anything() {
    let e = env(SimConfig::default()).await;
    e.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 2,
        kind: FaultKind::Status {
            status: 503,
            body: json!({"code": "ConnectWiseApi", "message": "down"}),
        },
    });
    let body = callback_body("https://hooks.example/cw?id=");
    for _ in 0..2 {
        let (s, b) = e
            .call(Method::POST, "system/callbacks", Some(body.clone()))
            .await;
        assert_eq!((s, b["message"].clone()), (503, json!("down")));
    }
    assert!(e.sim.callbacks(&e.company).is_empty());
    // Other operations are untouched; the third create works.
    assert_eq!(e.call(Method::GET, "system/callbacks", None).await.0, 200);
    assert_eq!(
        e.call(Method::POST, "system/callbacks", Some(body)).await.0,
        201
    );
}

#[tokio::test]
async fn create_then_fail_really_creates() {
    let e = env(SimConfig::default()).await;
    e.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 1,
        kind: FaultKind::CreateThenFail {
            status: 500,
            body: json!({"code": "ConnectWiseApi", "message": "boom"}),
        },
    });
    let (s, _) = e
        .call(
            Method::POST,
            "system/callbacks",
            Some(callback_body("https://hooks.example/cw?id=")),
        )
        .await;
    assert_eq!(s, 500);
    assert_eq!(e.sim.callbacks(&e.company).len(), 1);
    let log = e.sim.requests();
    let last = log.last().expect("logged");
    assert_eq!((last.op, last.status), (Op::CallbackCreate, Some(500)));
    assert_eq!(last.header("clientid"), Some(CLIENT_ID));
    assert_eq!(
        last.body.as_ref().and_then(|b| b.get("type")),
        Some(&json!("ticket"))
    );
}

#[tokio::test]
async fn a_request_is_logged_on_arrival_and_its_status_on_answer() {
    let e = env(SimConfig::default()).await;
    let gate = Gate::new();
    e.sim.inject(Fault {
        op: Op::TicketList,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let slow = tokio::spawn(
        e.req(Method::GET, "service/tickets?conditions=id in (1,2)")
            .send(),
    );
    assert!(wait_for(|| e.sim.held(Op::TicketList) == 1).await);
    let log = e.sim.requests();
    assert_eq!(log.len(), 1, "logged before the answer");
    assert_eq!((log[0].op, log[0].status), (Op::TicketList, None));
    assert_eq!(log[0].query, "conditions=id%20in%20(1,2)");
    gate.open();
    let resp = slow.await.expect("join").expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    // Filled in before the response was sent, so it is there as soon as the client has it.
    assert_eq!(e.sim.requests()[0].status, Some(200));
    assert_eq!(e.sim.held(Op::TicketList), 0);
}

#[tokio::test]
async fn a_held_create_completes_after_the_client_hangs_up() {
    let e = env(SimConfig::default()).await;
    let gate = Gate::new();
    e.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let (sim, company) = (e.sim.clone(), e.company.clone());
    let client =
        tokio::spawn(async move { e.owner_callback("https://hooks.example/held?id=").await });
    assert!(wait_for(|| sim.held(Op::CallbackCreate) == 1).await);
    client.abort();
    assert!(client.await.is_err_and(|e| e.is_cancelled()), "hung up");
    gate.open();
    assert!(
        wait_for(|| sim.requests().first().is_some_and(|r| r.status.is_some())).await,
        "the create still got its answer"
    );
    assert_eq!(sim.requests()[0].status, Some(201));
    assert_eq!(sim.callbacks(&company).len(), 1);
}

#[tokio::test]
async fn latency_delays_then_behaves_normally() {
    let e = env(SimConfig::default()).await;
    e.sim.inject(Fault {
        op: Op::SystemInfo,
        times: 1,
        kind: FaultKind::Latency(Duration::from_millis(50)),
    });
    let started = std::time::Instant::now();
    assert_eq!(e.call(Method::GET, "system/info", None).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn unauthenticated_routes_take_faults_too() {
    let e = env(fast()).await;
    let rx = receiver(200).await;
    e.owner_callback(&format!("{}?id=", rx.url)).await;
    e.sim.create_ticket(&e.company, "x");
    assert!(wait_for(|| rx.count() == 1).await);
    let key_url = rx.hits.lock()[0].json()["Metadata"]["key_url"]
        .as_str()
        .expect("url")
        .to_string();
    e.sim.inject(Fault {
        op: Op::CallbackKey,
        times: 1,
        kind: FaultKind::Status {
            status: 502,
            body: json!(null),
        },
    });
    e.sim.inject(Fault {
        op: Op::CompanyInfo,
        times: 1,
        kind: FaultKind::Status {
            status: 500,
            body: json!(null),
        },
    });
    assert_eq!(send(e.http.get(&key_url), None).await.0, 502);
    assert_eq!(send(e.http.get(&key_url), None).await.0, 200);
    let info = format!("{}/login/companyinfo/cobalt", e.sim.site_url());
    assert_eq!(send(e.http.get(&info), None).await.0, 500);
    assert_eq!(send(e.http.get(&info), None).await.0, 200);
    let ops: Vec<Op> = e
        .sim
        .requests()
        .iter()
        .map(|r| r.op)
        .filter(|o| matches!(o, Op::CallbackKey | Op::CompanyInfo))
        .collect();
    assert_eq!(
        ops,
        [
            Op::CallbackKey,
            Op::CallbackKey,
            Op::CompanyInfo,
            Op::CompanyInfo
        ]
    );
}

#[tokio::test]
async fn faults_come_after_authentication() {
    let e = env(SimConfig::default()).await;
    e.sim.inject(Fault {
        op: Op::CallbackList,
        times: 1,
        kind: FaultKind::Status {
            status: 500,
            body: json!(null),
        },
    });
    assert_eq!(
        e.call_as((PUBLIC, "wrong"), Method::GET, "system/callbacks", None)
            .await
            .0,
        401
    );
    assert_eq!(
        e.call(Method::GET, "system/callbacks", None).await.0,
        500,
        "still pending"
    );
    e.sim.clear_requests();
    assert!(e.sim.requests().is_empty());
}
