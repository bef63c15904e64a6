//! The connection actor looking after its webhook: duplicate recovery, deactivation hints,
//! credential changes, and supervision after a crash.

use std::time::Duration;

use autotask_sim::{Fault, FaultKind, Op as SimOp};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{hook_token, sample, Hub, CODE, SECRET, TENANT, USERNAME};

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
    tokio::time::sleep(Duration::from_millis(100)).await;
    hub.sim.clear_requests();
    let (code, answer) = hub
        .post_public(&path, b"{}", None, "application/json")
        .await;
    assert_eq!(code, StatusCode::ACCEPTED, "{answer}");
    wait_for_get(&hub).await;
    let (_, after) = hub.status(TENANT).await;
    assert_eq!(
        after["webhook"]["state"], "active",
        "a healthy webhook stays as it is"
    );
    assert_eq!(after["webhook"]["id"], status["webhook"]["id"]);

    // Hints are unsigned: a burst of them within autotask.check_interval_seconds costs no
    // further Autotask calls.
    tokio::time::sleep(Duration::from_millis(100)).await;
    hub.sim.clear_requests();
    for _ in 0..20 {
        let (code, _) = hub
            .post_public(&path, b"{}", None, "application/json")
            .await;
        assert_eq!(code, StatusCode::ACCEPTED);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(hub.sim.requests().is_empty(), "{:?}", hub.sim.requests());
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
    let mut webhooks = hub.sim.webhooks(hub.db);
    for _ in 0..500 {
        if webhooks.len() == 1 && webhooks[0]["id"] != status["webhook"]["id"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        webhooks = hub.sim.webhooks(hub.db);
    }
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_ne!(webhooks[0]["id"], status["webhook"]["id"], "re-registered");
    assert_eq!(webhooks[0]["isActive"], true);
    let repaired = hub.state_becomes(TENANT, "active").await;
    assert_eq!(webhooks[0]["id"], repaired["webhook"]["id"]);
    assert_eq!(repaired["webhook"]["url"], status["webhook"]["url"]);
}

async fn wait_for_get(hub: &Hub) {
    for _ in 0..200 {
        if hub
            .sim
            .requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.contains("TicketWebhooks"))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the hub never looked at the webhook after the hint");
}

#[actix_web::test]
async fn new_credentials_for_another_api_user_move_the_webhook() {
    let hub = Hub::start().await;
    let (_, first) = hub.connect(TENANT).await;
    let second_user = "second-user@msp.example";
    hub.sim.add_api_user(
        hub.db,
        autotask_sim::ApiUser::new(second_user, SECRET, CODE),
    );
    let (code, status) = hub
        .put_connection(
            TENANT,
            json!({"username": second_user, "secret": SECRET, "integration_code": CODE}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    assert_eq!(status["username"], second_user);
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(
        webhooks.len(),
        1,
        "the old user's webhook was removed: {webhooks:?}"
    );
    assert_ne!(webhooks[0]["id"], first["webhook"]["id"]);

    // The same PUT again is idempotent: nothing is registered anew. (The simulator logs a
    // request just after answering it, so let the last one land before clearing.)
    tokio::time::sleep(Duration::from_millis(100)).await;
    hub.sim.clear_requests();
    let (code, again) = hub
        .put_connection(
            TENANT,
            json!({"username": second_user, "secret": SECRET, "integration_code": CODE}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(again["webhook"]["id"], status["webhook"]["id"]);
    assert!(
        hub.sim.requests().is_empty(),
        "no Autotask call for an unchanged connection: {:?}",
        hub.sim
            .requests()
            .iter()
            .map(|r| (r.method.clone(), r.path.clone()))
            .collect::<Vec<_>>()
    );
}

#[actix_web::test]
async fn a_crashed_connection_actor_is_restarted_with_backoff_and_recovers() {
    let hub = Hub::start().await;
    hub.sim.inject(Fault {
        op: SimOp::WebhookCreate,
        times: 1,
        kind: FaultKind::Latency(Duration::from_millis(1500)),
    });
    // A second connection to the hub's database, to break it under the actor's feet.
    let path = hub
        .settings
        .database
        .url
        .trim_start_matches("sqlite://")
        .to_owned();
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .expect("the hub's database opens");
    // While the create is held, the table the actor writes its result to disappears: its
    // write fails, it stops, its supervisor restarts it, and it keeps failing with backoff.
    let (put, _) = tokio::join!(hub.connect(TENANT), async {
        for _ in 0..500 {
            if hub
                .sim
                .requests()
                .iter()
                .any(|r| r.op == SimOp::WebhookQuery)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        sqlx::query("ALTER TABLE connections RENAME TO connections_away")
            .execute(&db)
            .await
            .expect("renames");
    });
    assert_eq!(put.0, StatusCode::INTERNAL_SERVER_ERROR, "{put:?}");
    assert_eq!(put.1["error"]["code"], "internal");
    let mut restarts = 0.0;
    for _ in 0..200 {
        restarts = sample(&hub.metrics().await, "psa_hub_actor_restarts_total");
        if restarts >= 2.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(restarts >= 2.0, "restarted and failed again: {restarts}");

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
    tokio::time::sleep(Duration::from_millis(300)).await;
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
    hub.sim.inject(Fault {
        op: SimOp::WebhookGet,
        times: 1,
        kind: FaultKind::Latency(Duration::from_millis(500)),
    });
    let path = format!("/hooks/autotask/{}/deactivated", hook_token(&first));
    hub.post_public(&path, b"{}", None, "application/json")
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (code, answer) = hub.retry(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    // The answer came before the retry ran; the retry must still replace the webhook.
    let mut webhooks = hub.sim.webhooks(hub.db);
    for _ in 0..500 {
        if webhooks.len() == 1 && webhooks[0]["id"] != first["webhook"]["id"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        webhooks = hub.sim.webhooks(hub.db);
    }
    assert_ne!(
        webhooks[0]["id"], first["webhook"]["id"],
        "the queued retry never ran"
    );
    let status = hub.state_becomes(TENANT, "active").await;
    assert_eq!(status["webhook"]["id"], webhooks[0]["id"]);
}
