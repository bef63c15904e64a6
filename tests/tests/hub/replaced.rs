//! New credentials for another API user: the old user's webhook is deleted with the old
//! credentials, durably (a pending clean-up survives a restart), also when the new user cannot
//! see the old user's webhooks (whether Autotask shows them is not documented).

use autotask_sim::{ApiUser, Fault, FaultKind, Op as SimOp, SimConfig};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{fast_config, sample, Hub, CODE, SECRET, TENANT, USERNAME};
use crate::lifecycle::checks;
use crate::wait::until_true;

const SECOND_USER: &str = "second-user@msp.example";

/// Every way a check after a hint can end (`psa_hub_webhook_checks_total`'s outcomes).
const HINT_OUTCOMES: [&str; 8] = [
    "healthy",
    "repaired",
    "recreate",
    "setup",
    "error",
    "not_applicable",
    "skipped",
    "dropped",
];

/// A hub whose simulated Autotask hides other API users' webhooks, with a second API user.
async fn hidden_webhooks() -> Hub {
    let config = SimConfig {
        other_users_webhooks_visible: false,
        ..fast_config()
    };
    let hub = Hub::start_with(config, |_| {}).await;
    hub.sim
        .add_api_user(hub.db, ApiUser::new(SECOND_USER, SECRET, CODE));
    hub
}

fn second_user() -> serde_json::Value {
    json!({"username": SECOND_USER, "secret": SECRET, "integration_code": CODE})
}

fn owners(hub: &Hub) -> Vec<i64> {
    hub.sim
        .webhooks(hub.db)
        .iter()
        .map(|w| w["ownerResourceID"].as_i64().expect("owner"))
        .collect()
}

#[actix_web::test]
async fn new_credentials_for_another_api_user_move_the_webhook() {
    let hub = hidden_webhooks().await;
    let (_, first) = hub.connect(TENANT).await;
    assert_eq!(first["webhook"]["state"], "active", "{first}");
    let old_owner = owners(&hub);

    let (code, status) = hub.put_connection(TENANT, second_user()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    assert_eq!(status["username"], SECOND_USER);
    assert_eq!(status["replaced_webhooks"], json!([]), "{status}");
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(
        webhooks.len(),
        1,
        "the old user's webhook is gone: {webhooks:?}"
    );
    assert_ne!(webhooks[0]["id"], first["webhook"]["id"]);
    assert_ne!(owners(&hub), old_owner, "the new user owns the webhook");
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_webhook_cleanups_total{outcome=\"removed\"}"
        ),
        1.0
    );

    // Deleting the old webhook made Autotask call its deactivation URL (the same hook URL):
    // that hint's check runs on its own; let it finish before counting calls.
    until_true("the deactivation hint was handled", || async {
        let metrics = hub.metrics().await;
        HINT_OUTCOMES
            .iter()
            .map(|outcome| sample(&metrics, &checks("hint", outcome)))
            .sum::<f64>()
            >= 1.0
    })
    .await;
    // The same PUT again changes nothing and calls nothing: the PUT answers after its calls.
    let before = hub.sim.requests().len();
    let (code, again) = hub.put_connection(TENANT, second_user()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(again["webhook"]["id"], status["webhook"]["id"]);
    assert_eq!(hub.sim.requests().len(), before);
}

#[actix_web::test]
async fn a_clean_up_that_fails_is_finished_after_a_restart() {
    let mut hub = hidden_webhooks().await;
    let (_, first) = hub.connect(TENANT).await;
    // Autotask fails every delete for now.
    hub.sim.inject(Fault {
        op: SimOp::WebhookDelete,
        times: 1_000,
        kind: FaultKind::Status {
            status: 503,
            body: json!({"errors": ["Service Unavailable"]}),
        },
    });
    let (_, status) = hub.put_connection(TENANT, second_user()).await;
    // The new user cannot register beside the old user's webhook it cannot see.
    assert_ne!(status["webhook"]["state"], "active", "{status}");
    let pending = &status["replaced_webhooks"][0];
    assert_eq!(pending["id"], first["webhook"]["id"], "{status}");
    assert_eq!(pending["owner"], USERNAME);
    assert_eq!(pending["state"], "pending");
    assert!(pending["attempts"].as_i64() >= Some(1));
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1);

    // Autotask recovers while the hub is down; the restarted hub finishes the job.
    hub.handle.stop().await;
    hub.sim.clear_faults();
    hub.restart().await;
    let status = hub
        .status_until(TENANT, |s| {
            s["webhook"]["state"] == "active" && s["replaced_webhooks"] == json!([])
        })
        .await;
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], status["webhook"]["id"]);
    assert_ne!(webhooks[0]["id"], first["webhook"]["id"]);
}

#[actix_web::test]
async fn a_clean_up_the_old_credentials_cannot_do_is_left_with_instructions() {
    let hub = hidden_webhooks().await;
    let (_, first) = hub.connect(TENANT).await;
    hub.sim.update_api_user(USERNAME, |user| user.locked = true);
    let (_, status) = hub.put_connection(TENANT, second_user()).await;
    let replaced = &status["replaced_webhooks"][0];
    assert_eq!(replaced["state"], "manual", "{status}");
    let manual = replaced["manual_cleanup"].as_str().expect("instructions");
    assert!(manual.contains("SaaS Alerts Ticket Monitor"), "{manual}");
    assert!(
        manual.contains(&first["webhook"]["id"].to_string()),
        "{manual}"
    );
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_webhook_cleanups_total{outcome=\"gave_up\"}"
        ),
        1.0
    );
    // Removing the connection repeats what is left to delete by hand.
    let (_, removal) = hub.remove(TENANT).await;
    let text = removal["manual_cleanup"].as_str().expect("instructions");
    assert!(text.contains(USERNAME), "{text}");
}
