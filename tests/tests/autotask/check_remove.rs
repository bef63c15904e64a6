//! Checking a registered webhook for drift, and removing it.

use autotask_sim::{DeleteMissing, Fault, FaultKind, Op as SimOp, SimConfig};
use psa_autotask::{AutotaskError, Op};
use psa_proto::{AdapterError, ErrorClass, PsaAdapter, RemoveOutcome, WebhookId};
use reqwest::Method;
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

/// Autotask's answer for a path it does not serve, as a wrong base URL (stale zone) gets it.
fn answer_404(sim_op: SimOp) -> Fault {
    Fault {
        op: sim_op,
        times: 1,
        kind: FaultKind::Status {
            status: 404,
            body: json!({"errors": ["The requested resource was not found."]}),
        },
    }
}

/// The error says, in its fix, that absence is unconfirmed and where to look.
fn assert_unconfirmed(error: &AutotaskError, id: WebhookId) {
    assert!(
        matches!(error, AutotaskError::GoneUnconfirmed { id: said, .. } if *said == id),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("could not confirm it is gone"),
        "{error}"
    );
    let fix = error.fix();
    assert!(fix.contains("could not confirm"), "{fix}");
    assert!(
        fix.contains("Admin > Extensions & Integrations > Webhooks"),
        "{fix}"
    );
    assert!(fix.contains(&id.to_string()), "{fix}");
}

#[tokio::test]
async fn a_404_the_query_cannot_confirm_is_an_error_not_already_gone() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-stale-remove");
    let registered = connection.register(&spec).await.expect("registers");
    world.sim.inject(answer_404(SimOp::WebhookDelete));
    world.sim.inject(answer_404(SimOp::WebhookQuery));

    let error = connection
        .remove(Some(registered.id), &spec)
        .await
        .expect_err("a 404 alone does not prove the webhook gone");
    assert_unconfirmed(&error, registered.id);
    assert_eq!(error.class(), ErrorClass::Unexpected);
    assert_eq!(world.webhooks().len(), 1, "the webhook is still there");

    // Once Autotask answers properly, removal goes through.
    let outcome = connection.remove(Some(registered.id), &spec).await;
    assert_eq!(outcome.expect("removes"), RemoveOutcome::Removed);
    assert!(world.webhooks().is_empty());
}

#[tokio::test]
async fn a_404_on_delete_of_a_webhook_the_query_still_lists_is_an_error() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-listed");
    let registered = connection.register(&spec).await.expect("registers");
    world.sim.inject(answer_404(SimOp::WebhookDelete));

    let error = connection
        .remove(Some(registered.id), &spec)
        .await
        .expect_err("Autotask still lists it");
    assert_unconfirmed(&error, registered.id);
    assert!(error.to_string().contains("still lists it"), "{error}");
    assert_eq!(world.webhooks().len(), 1);
}

#[tokio::test]
async fn a_failing_confirmation_keeps_the_class_of_its_failure() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-throttled-confirm");
    let registered = connection.register(&spec).await.expect("registers");
    world.sim.inject(answer_404(SimOp::WebhookDelete));
    world.sim.inject(Fault {
        op: SimOp::WebhookQuery,
        times: 10,
        kind: FaultKind::Status {
            status: 429,
            body: json!({"errors": ["Request Threshold Exceeded"]}),
        },
    });

    let error = connection
        .remove(Some(registered.id), &spec)
        .await
        .expect_err("unconfirmed");
    assert_unconfirmed(&error, registered.id);
    assert_eq!(error.class(), ErrorClass::Throttled);
    assert!(error.class().is_retryable());
}

#[tokio::test]
async fn a_really_deleted_webhook_is_confirmed_gone_by_a_query_for_its_id() {
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
        let spec = spec("tok-confirmed");
        let registered = connection.register(&spec).await.expect("registers");
        let path = format!("TicketWebhooks/{}", registered.id);
        as_api_user(&world.sim, Method::DELETE, &path, None).await;
        world.sim.clear_requests();

        let outcome = connection.remove(Some(registered.id), &spec).await;
        assert_eq!(outcome.expect("removes"), RemoveOutcome::AlreadyGone);
        let requests = world.sim.requests();
        let ops: Vec<SimOp> = requests.iter().map(|r| r.op).collect();
        assert_eq!(ops, vec![SimOp::WebhookDelete, SimOp::WebhookQuery]);
        assert_eq!(
            requests[1].body.as_ref().map(|b| b["filter"].clone()),
            Some(json!([{"op": "eq", "field": "id", "value": registered.id.0}]))
        );
    }
}

#[tokio::test]
async fn check_reports_gone_only_when_autotask_confirms_it() {
    let world = world_with(
        SimConfig {
            get_missing_as_null_item: false,
            ..fast_config()
        },
        |_| {},
    )
    .await;
    let connection = world.connect().await;
    let spec = spec("tok-check-gone");
    let registered = connection.register(&spec).await.expect("registers");

    // A 404 on GET and on the query: unconfirmed, so an error, not "deleted".
    world.sim.inject(answer_404(SimOp::WebhookGet));
    world.sim.inject(answer_404(SimOp::WebhookQuery));
    let error = connection
        .check(registered.id, &spec)
        .await
        .expect_err("a 404 alone does not prove the webhook gone");
    assert_unconfirmed(&error, registered.id);

    // A 404 on GET that the query contradicts: the webhook is there and healthy.
    world.sim.inject(answer_404(SimOp::WebhookGet));
    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(check.is_healthy(), "{:?}", check.problems());

    // Really deleted: the GET's 404 is confirmed by the query.
    let path = format!("TicketWebhooks/{}", registered.id);
    as_api_user(&world.sim, Method::DELETE, &path, None).await;
    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(!check.exists);
}

#[tokio::test]
async fn check_takes_a_null_item_as_gone_without_asking_again() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-null-item");
    let registered = connection.register(&spec).await.expect("registers");
    let path = format!("TicketWebhooks/{}", registered.id);
    as_api_user(&world.sim, Method::DELETE, &path, None).await;
    world.sim.clear_requests();

    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(!check.exists);
    let ops: Vec<SimOp> = world.sim.requests().iter().map(|r| r.op).collect();
    assert_eq!(ops, vec![SimOp::WebhookGet]);
}

#[tokio::test]
async fn answers_without_an_items_list_or_an_item_confirm_nothing() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-malformed");
    let registered = connection.register(&spec).await.expect("registers");
    let empty_200 = |op| Fault {
        op,
        times: 1,
        kind: FaultKind::Status {
            status: 200,
            body: json!({}),
        },
    };

    world.sim.inject(answer_404(SimOp::WebhookDelete));
    world.sim.inject(empty_200(SimOp::WebhookQuery));
    let error = connection
        .remove(Some(registered.id), &spec)
        .await
        .expect_err("no list is not an empty list");
    assert_unconfirmed(&error, registered.id);
    assert_eq!(error.class(), ErrorClass::Unexpected);

    world.sim.inject(empty_200(SimOp::WebhookGet));
    let error = connection
        .check(registered.id, &spec)
        .await
        .expect_err("no item is not a null item");
    assert_eq!(error.class(), ErrorClass::Unexpected);
    assert_eq!(world.webhooks().len(), 1);
}
