//! The seed story end to end, and a hub restart bringing everything back.

use std::time::Duration;

use autotask_sim::{Fault, FaultKind, Gate, Op as SimOp};
use reqwest::StatusCode;

use crate::helpers::{fast_config, hook_token, sample, Hub, TENANT};
use crate::wait::until_true;

#[actix_web::test]
async fn a_completed_ticket_closes_its_linked_event_with_the_resolution() {
    let hub = Hub::start().await;
    let (code, status) = hub.connect(TENANT).await;
    assert_eq!(code, StatusCode::CREATED, "{status}");
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    assert!(status["webhook"]["banner"].is_null());
    assert!(status["webhook"]["last_error"].is_null());
    assert_eq!(status["webhook"]["name"], "SaaS Alerts Ticket Monitor");
    assert!(status["zone"]
        .as_str()
        .is_some_and(|z| z.starts_with(&hub.sim.base_url())));

    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1);
    assert_eq!(webhooks[0]["id"], status["webhook"]["id"]);
    assert_eq!(webhooks[0]["webhookUrl"], status["webhook"]["url"]);
    assert_eq!(webhooks[0]["name"], "SaaS Alerts Ticket Monitor");
    assert!(webhooks[0]["webhookUrl"]
        .as_str()
        .is_some_and(|url| url.starts_with(&hub.public)));

    let ticket = hub.sim.create_ticket(hub.db, "Impossible travel for jdoe");
    let (code, event) = hub.link(TENANT, "evt-1", ticket.0).await;
    assert_eq!(code, StatusCode::CREATED, "{event}");
    assert_eq!(event["status"], "open");
    assert!(event["resolution"].is_null());

    hub.sim
        .complete_ticket(hub.db, ticket, "Password reset, sessions revoked");
    let event = hub.closed_event(TENANT, "evt-1").await;
    assert_eq!(event["resolution"], "Password reset, sessions revoked");
    assert_eq!(event["ticket_id"], ticket.0);
    assert!(event["closed_at"].is_string());

    let (_, status) = hub.status(TENANT).await;
    assert!(status["last_delivery_at"].is_string(), "{status}");
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(&metrics, "psa_hub_events_closed_total"),
        1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"closed\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&metrics, "psa_hub_connections{state=\"active\"}"),
        1.0
    );
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_webhook_registrations_total{outcome=\"success\"}"
        ),
        1.0
    );
    assert!(
        sample(
            &metrics,
            "psa_hub_psa_requests_total{operation=\"webhook_create\",psa=\"autotask\",status_class=\"2xx\"}"
        ) >= 1.0,
        "{metrics}"
    );
    assert!(metrics.contains("psa_hub_build_info{version=\""));
    assert!(!hook_token(&status).is_empty());
}

#[actix_web::test]
async fn a_restarted_hub_brings_back_connections_states_and_events() {
    let mut hub = Hub::start().await;
    let (_, active) = hub.connect(TENANT).await;
    assert_eq!(active["webhook"]["state"], "active");
    let (_, incomplete) = hub
        .put_connection(
            "tenant-b",
            serde_json::json!({"username": "api@b.example", "secret": "s", "integration_code": "c",
                               "setup_webhook": false}),
        )
        .await;
    assert_eq!(incomplete["webhook"]["state"], "setup_incomplete");
    let first = hub.sim.create_ticket(hub.db, "closed before the restart");
    let second = hub.sim.create_ticket(hub.db, "closed after the restart");
    hub.link(TENANT, "evt-before", first.0).await;
    hub.link(TENANT, "evt-after", second.0).await;
    hub.sim.complete_ticket(hub.db, first, "done before");
    hub.closed_event(TENANT, "evt-before").await;

    hub.restart().await;

    let (code, status) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "active");
    assert_eq!(status["webhook"]["id"], active["webhook"]["id"]);
    assert_eq!(status["webhook"]["url"], active["webhook"]["url"]);
    let (_, other) = hub.status("tenant-b").await;
    assert_eq!(other["webhook"]["state"], "setup_incomplete");
    assert_eq!(other["webhook"]["banner"]["kind"], "new_feature_available");
    let (_, before) = hub.event(TENANT, "evt-before").await;
    assert_eq!(before["status"], "closed");
    assert_eq!(before["resolution"], "done before");

    // The routing table is back: a callout after the restart still closes its event.
    hub.sim.complete_ticket(hub.db, second, "done after");
    let after = hub.closed_event(TENANT, "evt-after").await;
    assert_eq!(after["resolution"], "done after");
    assert_eq!(
        hub.sim.webhooks(hub.db).len(),
        1,
        "the restart registered nothing new"
    );
}

#[actix_web::test]
async fn a_setup_interrupted_by_a_restart_resumes_when_the_hub_comes_back() {
    let mut hub = Hub::start_tuned(
        fast_config(),
        |_| {},
        |settings| {
            settings.admin.setup_wait = Duration::from_millis(100);
        },
    )
    .await;
    let gate = Gate::new();
    hub.sim.inject(Fault {
        op: SimOp::WebhookCreate,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let (code, status) = hub.connect(TENANT).await;
    assert_eq!(code, StatusCode::CREATED);
    assert_eq!(
        status["webhook"]["state"], "registering",
        "PUT answers before setup ends"
    );

    hub.restart().await;
    let status = hub.state_becomes(TENANT, "active").await;
    gate.open();
    // The interrupted create still completes in Autotask (its client hung up, Autotask did
    // not); once every create was answered, exactly one webhook is left: the hub's.
    until_true("every webhook create answered", || async {
        hub.sim
            .requests()
            .iter()
            .filter(|r| r.op == SimOp::WebhookCreate)
            .all(|r| r.status.is_some())
    })
    .await;
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], status["webhook"]["id"]);
}
