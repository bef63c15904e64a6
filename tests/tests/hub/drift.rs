//! The webhook heals itself: the periodic desired-state check finds silent drift (no
//! deactivation call) within one period and repairs it, in place where Autotask allows it, and
//! picks up a setup that was lost.

use std::time::Duration;

use autotask_sim::WebhookId;
use serde_json::{json, Value};

use crate::helpers::{fast_config, sample, Hub, TENANT};
use crate::lifecycle::checks;

/// A hub whose periodic check runs every second.
async fn checked_every_second() -> (Hub, Value) {
    let hub = Hub::start_tuned(
        fast_config(),
        |_| {},
        |settings| settings.autotask.drift_check = Duration::from_secs(1),
    )
    .await;
    let (_, status) = hub.connect(TENANT).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    (hub, status)
}

fn webhook_id(status: &Value) -> WebhookId {
    WebhookId(status["webhook"]["id"].as_i64().expect("a webhook id"))
}

/// Waits for the status to report a repair by the periodic check (the drift was silent: no
/// hint came), and returns it.
async fn repaired(hub: &Hub, outcome: &str) -> Value {
    let status = hub
        .status_until(TENANT, |s| {
            !s["webhook"]["last_repair"].is_null() && s["webhook"]["state"] == "active"
        })
        .await;
    let metrics = hub.metrics().await;
    assert!(
        sample(&metrics, &checks("periodic", outcome)) >= 1.0,
        "{metrics}"
    );
    status
}

#[actix_web::test]
async fn a_webhook_disabled_without_notice_is_reactivated_in_place() {
    let (hub, status) = checked_every_second().await;
    let id = webhook_id(&status);
    hub.sim.set_webhook_active_silently(hub.db, id, false);
    let after = repaired(&hub, "repaired").await;
    assert_eq!(
        after["webhook"]["last_repair"]["drifts"],
        json!(["inactive"])
    );
    assert_eq!(after["webhook"]["id"], id.0, "the same webhook");
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1);
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
async fn a_webhook_deleted_without_notice_is_registered_again() {
    let (hub, status) = checked_every_second().await;
    hub.sim.delete_webhook_silently(hub.db, webhook_id(&status));
    let after = repaired(&hub, "recreate").await;
    assert_eq!(
        after["webhook"]["last_repair"]["drifts"],
        json!(["deleted"])
    );
    assert_ne!(after["webhook"]["id"], status["webhook"]["id"]);
    assert_eq!(after["webhook"]["url"], status["webhook"]["url"]);
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], after["webhook"]["id"]);

    // It delivers: a completion closes its event.
    let ticket = hub.sim.create_ticket(hub.db, "after the repair");
    hub.link(TENANT, "evt-1", ticket.0).await;
    hub.sim.complete_ticket(hub.db, ticket, "works again");
    assert_eq!(
        hub.closed_event(TENANT, "evt-1").await["resolution"],
        "works again"
    );
}

#[actix_web::test]
async fn removed_field_subscriptions_are_added_back() {
    let (hub, status) = checked_every_second().await;
    let id = webhook_id(&status);
    let fields = hub.sim.webhooks(hub.db)[0]["fields"].clone();
    hub.sim.remove_webhook_fields_silently(hub.db, id);
    let after = repaired(&hub, "repaired").await;
    let drifts = after["webhook"]["last_repair"]["drifts"].clone();
    assert!(
        drifts
            .as_array()
            .is_some_and(|d| d.contains(&json!("fields"))),
        "{drifts}"
    );
    assert_eq!(after["webhook"]["id"], id.0, "repaired in place");
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks[0]["isReady"], true);
    let field_ids = |fields: &Value| {
        let mut ids: Vec<i64> = fields
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| f["fieldID"].as_i64().expect("fieldID"))
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(field_ids(&webhooks[0]["fields"]), field_ids(&fields));
}

#[actix_web::test]
async fn a_webhook_pointed_elsewhere_is_replaced_by_ours() {
    let (hub, status) = checked_every_second().await;
    let id = webhook_id(&status);
    hub.sim
        .set_webhook_url_silently(hub.db, id, "https://elsewhere.example/hook");
    let after = repaired(&hub, "recreate").await;
    assert_eq!(after["webhook"]["last_repair"]["drifts"], json!(["url"]));
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(
        webhooks.len(),
        1,
        "the foreign one was deleted: {webhooks:?}"
    );
    assert_eq!(webhooks[0]["webhookUrl"], status["webhook"]["url"]);
}

#[actix_web::test]
async fn a_setup_that_was_lost_is_picked_up_by_the_periodic_check() {
    let (hub, status) = checked_every_second().await;
    // A row left `registering` with nobody working on it, as after a PUT whose setup request
    // was lost: like the PUT, the write bumps the credentials version, so a check that happens
    // to be under way cannot write its older view over it.
    let db = hub.database().await;
    sqlx::query(
        "UPDATE connections SET state = 'registering', \
         credentials_version = credentials_version + 1",
    )
    .execute(&db)
    .await
    .expect("updates");
    let after = hub.state_becomes(TENANT, "active").await;
    assert!(sample(&hub.metrics().await, &checks("periodic", "setup")) >= 1.0);
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "{webhooks:?}");
    assert_eq!(webhooks[0]["id"], after["webhook"]["id"]);
    assert_eq!(after["webhook"]["url"], status["webhook"]["url"]);
}
