//! Checking a registered webhook for drift, and removing it.

use autotask_sim::{DeleteMissing, SimConfig};
use psa_autotask::Op;
use psa_proto::{AdapterError, ErrorClass, PsaAdapter, RemoveOutcome};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_fresh_webhook_checks_healthy_and_drift_is_reported() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-check");
    let registered = connection.register(&spec).await.expect("registers");

    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(check.is_healthy(), "{:?}", check.problems());
    assert_eq!(check.guid, registered.guid);

    // Someone disables it in Autotask.
    connection
        .client()
        .patch(
            Op::WebhookUpdate,
            "TicketWebhooks",
            &json!({"id": registered.id.0, "isActive": false}),
        )
        .await
        .expect("patch");
    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(!check.is_active);
    assert_eq!(check.problems(), vec!["the webhook is inactive".to_owned()]);

    // Someone switches off update events and re-enables the webhook.
    connection
        .client()
        .patch(
            Op::WebhookUpdate,
            "TicketWebhooks",
            &json!({"id": registered.id.0, "isActive": true, "isSubscribedToUpdateEvents": false}),
        )
        .await
        .expect("patch");
    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert_eq!(
        check.problems(),
        vec!["the webhook is not subscribed to update events".to_owned()]
    );

    // Someone removes the CompletedDate subscription.
    let fields = world.webhooks()[0]["fields"]
        .as_array()
        .expect("fields")
        .clone();
    let subscribed = fields
        .iter()
        .find(|f| f["isSubscribedField"] == true)
        .expect("one subscribed");
    connection
        .client()
        .delete(
            Op::FieldList,
            &format!(
                "TicketWebhooks/{}/Fields/{}",
                registered.id, subscribed["id"]
            ),
        )
        .await
        .expect("field delete");
    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert_eq!(check.missing_fields, vec!["CompletedDate".to_owned()]);

    // And a check of another URL notices the mismatch.
    let moved = spec_for("https://elsewhere.example.com", "tok-check");
    let check = connection
        .check(registered.id, &moved)
        .await
        .expect("checks");
    assert!(!check.url_matches && !check.deactivation_url_matches);
}

#[tokio::test]
async fn removal_when_present_and_when_already_gone() {
    for delete_missing in [
        DeleteMissing::NoMatchingRecords500,
        DeleteMissing::NotFound404,
    ] {
        let world = world_with(
            SimConfig {
                delete_missing,
                ..fast_config()
            },
            |_| {},
        )
        .await;
        let connection = world.connect().await;
        let spec = spec("tok-remove");
        let registered = connection.register(&spec).await.expect("registers");

        let outcome = connection
            .remove(Some(registered.id), &spec)
            .await
            .expect("removes");
        assert_eq!(outcome, RemoveOutcome::Removed);
        assert!(world.webhooks().is_empty());

        let again = connection
            .remove(Some(registered.id), &spec)
            .await
            .expect("already gone is fine");
        assert_eq!(again, RemoveOutcome::AlreadyGone, "{delete_missing:?}");

        let check = connection
            .check(registered.id, &spec)
            .await
            .expect("checks");
        assert!(!check.exists);
        assert_eq!(
            check.problems(),
            vec!["the webhook no longer exists in the PSA".to_owned()]
        );
    }
}

#[tokio::test]
async fn removal_without_an_id_finds_the_webhook_by_url() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-by-url");
    connection.register(&spec).await.expect("registers");
    assert_eq!(
        connection.remove(None, &spec).await.expect("removes"),
        RemoveOutcome::Removed
    );
    assert!(world.webhooks().is_empty());
    assert_eq!(
        connection.remove(None, &spec).await.expect("nothing left"),
        RemoveOutcome::AlreadyGone
    );
}

#[tokio::test]
async fn removal_with_invalid_credentials_fails_and_leaves_the_webhook() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-orphan");
    let registered = connection.register(&spec).await.expect("registers");
    world
        .sim
        .update_api_user(USERNAME, |u| u.secret = "rotated-elsewhere".into());

    let error = connection
        .remove(Some(registered.id), &spec)
        .await
        .expect_err("rejected");
    assert_eq!(error.class(), ErrorClass::CredentialsRejected);
    assert_eq!(
        world.webhooks().len(),
        1,
        "the webhook stays: the hub must report it for manual clean-up"
    );
}

#[tokio::test]
async fn queries_follow_next_page_urls_to_the_end() {
    let world = world().await;
    let connection = world.connect().await;
    for n in 0..1203 {
        world.sim.create_ticket(world.db, &format!("alert {n}"));
    }
    let items = connection
        .client()
        .query(
            Op::TicketQuery,
            "Tickets",
            json!([{"op": "gte", "field": "id", "value": 0}]),
        )
        .await
        .expect("queries");
    assert_eq!(items.len(), 1203, "three pages of at most 500");
    let pages = world
        .sim
        .requests()
        .iter()
        .filter(|r| r.op == autotask_sim::Op::TicketQuery)
        .count();
    assert_eq!(pages, 3);
}
