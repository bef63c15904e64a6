//! The connection actor looking after its webhook: duplicate recovery, deactivation hints,
//! credential changes, and supervision after a crash.

use std::time::Duration;

use autotask_sim::{Fault, FaultKind, Gate, Op as SimOp};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{hook_token, sample, Hub, CODE, SECRET, TENANT, USERNAME};
use crate::wait::until_true;

#[actix_web::test]
async fn a_create_whose_answer_was_lost_leaves_exactly_one_webhook() {
    let hub = Hub::start().await;
    hub.sim.inject(Fault {
        op: SimOp::WebhookCreate,
        times: 1,
        kind: FaultKind::CreateThenFail {
            status: 500,
            body: json!({"errors": ["Timeout expired."]}),
        },
    });
    let (_, status) = hub.connect(TENANT).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "the duplicate was cleared: {webhooks:?}");
    assert_eq!(webhooks[0]["id"], status["webhook"]["id"]);
}

#[actix_web::test]
async fn retrying_an_active_setup_replaces_the_webhook_instead_of_duplicating_it() {
    let hub = Hub::start().await;
    let (_, first) = hub.connect(TENANT).await;
    let (code, second) = hub.retry(TENANT).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(second["webhook"]["state"], "active", "{second}");
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], second["webhook"]["id"]);
    assert_eq!(
        first["webhook"]["url"], second["webhook"]["url"],
        "same URL, same token"
    );

    // The replacement still works end to end.
    let ticket = hub.sim.create_ticket(hub.db, "after the retry");
    hub.link(TENANT, "evt-1", ticket.0).await;
    hub.sim.complete_ticket(hub.db, ticket, "ok");
    assert_eq!(hub.closed_event(TENANT, "evt-1").await["resolution"], "ok");
}

#[actix_web::test]
async fn a_deactivation_hint_only_makes_the_hub_look_and_hints_are_spaced() {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let path = format!("/hooks/autotask/{}/deactivated", hook_token(&status));
    let before = hub.sim.requests().len();
    let (code, answer) = hub
        .post_public(&path, b"{}", None, "application/json")
        .await;
    assert_eq!(code, StatusCode::ACCEPTED, "{answer}");
    hub.metric_reaches(&checks("hint", "healthy"), 1.0).await;
    // A check (the periodic one does the same) costs two Autotask calls: the webhook and its
    // fields; the zone and the field ids are cached.
    let calls: Vec<SimOp> = hub.sim.requests()[before..].iter().map(|r| r.op).collect();
    assert_eq!(calls, [SimOp::WebhookGet, SimOp::FieldList]);
    let (_, after) = hub.status(TENANT).await;
    assert_eq!(
        after["webhook"]["state"], "active",
        "a healthy webhook stays as it is"
    );
    assert_eq!(after["webhook"]["id"], status["webhook"]["id"]);

    // Hints are unsigned: a burst of them within autotask.check_interval_seconds costs no
    // further Autotask calls. Each one is accounted for (skipped, or dropped while the actor
    // was busy), so the count below is taken once all of them were handled.
    let requests = hub.sim.requests().len();
    for _ in 0..20 {
        let (code, _) = hub
            .post_public(&path, b"{}", None, "application/json")
            .await;
        assert_eq!(code, StatusCode::ACCEPTED);
    }
    until_true("all 20 hints handled", || async {
        let metrics = hub.metrics().await;
        sample(&metrics, &checks("hint", "skipped")) + sample(&metrics, &checks("hint", "dropped"))
            == 20.0
    })
    .await;
    assert_eq!(
        hub.sim.requests().len(),
        requests,
        "{:?}",
        &hub.sim.requests()[requests..]
    );
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"deactivation_hint\"}"
        ),
        21.0
    );

    let (code, _) = hub
        .post_public(
            "/hooks/autotask/unknown/deactivated",
            b"{}",
            None,
            "application/json",
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

/// The series of `psa_hub_webhook_checks_total` for one trigger and outcome (Prometheus text
/// lists labels by name).
pub fn checks(trigger: &str, outcome: &str) -> String {
    format!("psa_hub_webhook_checks_total{{outcome=\"{outcome}\",trigger=\"{trigger}\"}}")
}

#[actix_web::test]
async fn a_webhook_autotask_disabled_is_repaired_after_the_hint() {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let token = hook_token(&status);
    // Disabled in Autotask, as after repeated delivery failures.
    let zone = status["zone"].as_str().expect("zone");
    let patched = hub
        .http
        .patch(format!("{zone}TicketWebhooks"))
        .header("ApiIntegrationCode", CODE)
        .header("UserName", USERNAME)
        .header("Secret", SECRET)
        .json(&json!({"id": status["webhook"]["id"], "isActive": false}))
        .send()
        .await
        .expect("simulator answers");
    assert!(patched.status().is_success(), "{:?}", patched.text().await);
    // Autotask's unsigned Deactivated notice, sent to the webhook URL itself.
    let body = json!({"Action": "Deactivated", "Guid": status["webhook"]["guid"],
                      "Id": status["webhook"]["id"], "EntityType": "TicketWebhook"});
    let (code, _) = hub
        .post_public(
            &format!("/hooks/autotask/{token}"),
            body.to_string().as_bytes(),
            None,
            "application/json",
        )
        .await;
    assert_eq!(
        code,
        StatusCode::ACCEPTED,
        "an unsigned Deactivated notice is a hint"
    );
    // Repaired in place: the same webhook, active again, and the status says what was fixed.
    let repaired = hub
        .status_until(TENANT, |s| !s["webhook"]["last_repair"].is_null())
        .await;
    assert_eq!(repaired["webhook"]["state"], "active", "{repaired}");
    assert_eq!(
        repaired["webhook"]["last_repair"]["drifts"],
        json!(["inactive"])
    );
    assert_eq!(repaired["webhook"]["id"], status["webhook"]["id"]);
    assert_eq!(repaired["webhook"]["url"], status["webhook"]["url"]);
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], status["webhook"]["id"]);
    assert_eq!(webhooks[0]["isActive"], true);
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_webhook_repairs_total{reason=\"inactive\"}"
        ),
        1.0
    );
}

#[actix_web::test]
async fn a_crashed_connection_actor_is_restarted_with_backoff_and_recovers() {
    let hub = Hub::start().await;
    let gate = Gate::new();
    hub.sim.inject(Fault {
        op: SimOp::WebhookCreate,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    // A second connection to the hub's database, to break it under the actor's feet.
    let db = hub.database().await;
    // While the create is held, the table the actor writes its result to disappears: its
    // write fails, it stops, its supervisor restarts it, and it keeps failing with backoff.
    let (put, _) = tokio::join!(hub.connect(TENANT), async {
        until_true("the setup's create is held", || async {
            hub.sim.held(SimOp::WebhookCreate) == 1
        })
        .await;
        sqlx::query("ALTER TABLE connections RENAME TO connections_away")
            .execute(&db)
            .await
            .expect("renames");
        gate.open();
    });
    assert_eq!(put.0, StatusCode::INTERNAL_SERVER_ERROR, "{put:?}");
    assert_eq!(put.1["error"]["code"], "internal");
    // Restarted, and failed again: the database is still broken.
    hub.metric_reaches("psa_hub_actor_restarts_total", 2.0)
        .await;

    // The database comes back; the restarted actor resumes the interrupted setup by itself.
    sqlx::query("ALTER TABLE connections_away RENAME TO connections")
        .execute(&db)
        .await
        .expect("renames back");
    let status = hub.state_becomes(TENANT, "active").await;
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], status["webhook"]["id"]);
    let settled = sample(&hub.metrics().await, "psa_hub_actor_restarts_total");
    // The actor works again: a Retry goes through it and succeeds, with no restart since.
    let (_, retried) = hub.retry(TENANT).await;
    assert_eq!(retried["webhook"]["state"], "active", "{retried}");
    assert_eq!(
        sample(&hub.metrics().await, "psa_hub_actor_restarts_total"),
        settled,
        "no more restarts once it works"
    );
}

#[actix_web::test]
async fn a_retry_queued_behind_busy_work_still_runs_after_the_answer() {
    let hub = Hub::start_tuned(
        crate::helpers::fast_config(),
        |_| {},
        |settings| settings.admin.setup_wait = Duration::from_millis(100),
    )
    .await;
    let (_, first) = hub.connect(TENANT).await;
    // Wait for the first setup to finish, then keep the actor busy with a slow check.
    let first = if first["webhook"]["state"] == "active" {
        first
    } else {
        hub.state_becomes(TENANT, "active").await
    };
    let gate = Gate::new();
    hub.sim.inject(Fault {
        op: SimOp::WebhookGet,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let path = format!("/hooks/autotask/{}/deactivated", hook_token(&first));
    hub.post_public(&path, b"{}", None, "application/json")
        .await;
    until_true("the hint's check is under way", || async {
        hub.sim.held(SimOp::WebhookGet) == 1
    })
    .await;
    let (code, answer) = hub.retry(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["webhook"]["id"], first["webhook"]["id"],
        "the answer came while the retry waited behind the check"
    );
    gate.open();
    // The retry must still run, and replace the webhook.
    until_true("the queued retry replaced the webhook", || async {
        let webhooks = hub.sim.webhooks(hub.db);
        webhooks.len() == 1 && webhooks[0]["id"] != first["webhook"]["id"]
    })
    .await;
    let webhooks = hub.sim.webhooks(hub.db);
    let status = hub.state_becomes(TENANT, "active").await;
    assert_eq!(status["webhook"]["id"], webhooks[0]["id"]);
}
