//! Registration: the exact requests Autotask receives, re-registration, interrupted setups.

use std::collections::BTreeMap;

use autotask_sim::{FaultKind, FieldLabels, Op as SimOp, SimConfig};
use psa_proto::{PsaAdapter, WebhookGuid};
use serde_json::{json, Value};

use crate::helpers::*;

/// The picklist label of every field id, read straight from the simulator.
async fn picklist(world: &World) -> BTreeMap<i64, String> {
    let answer: Value = raw_get(&world.sim, "TicketWebhookFields/entityInformation/fields")
        .await
        .json()
        .await
        .expect("json");
    let entry = answer["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "fieldID")
        .expect("fieldID picklist")
        .clone();
    entry["picklistValues"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            let id = v["value"]
                .as_str()
                .expect("string value")
                .parse()
                .expect("numeric");
            let label: String = v["label"]
                .as_str()
                .expect("label")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            (id, label.to_lowercase())
        })
        .collect()
}

#[tokio::test]
async fn registration_sends_exactly_the_documented_requests() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-happy");

    let registered = connection.register(&spec).await.expect("registers");

    assert!(registered.is_active && registered.is_ready);
    let id = registered.id.0;
    assert_eq!(
        calls(&world.sim),
        vec![
            "GET zoneinformation".to_owned(),
            "GET ticketwebhooks/entityinformation".into(),
            "GET tickets/entityinformation".into(),
            "GET ticketwebhookfields/entityinformation/fields".into(),
            "POST ticketwebhooks/query".into(),
            "POST ticketwebhooks".into(),
            format!("POST ticketwebhooks/{id}/fields"),
            format!("POST ticketwebhooks/{id}/fields"),
            format!("POST ticketwebhooks/{id}/fields"),
            format!("POST ticketwebhooks/{id}/fields"),
            format!("GET ticketwebhooks/{id}"),
        ],
        "one registration costs 11 calls, 10 of them against the request threshold"
    );

    let requests = world.sim.requests();
    let zone = &requests[0];
    assert_eq!(zone.query, format!("user={}", USERNAME.replace('@', "%40")));
    assert!(
        zone.header("secret").is_none(),
        "zone discovery sends no credentials"
    );
    for request in &requests[1..] {
        assert_eq!(request.header("apiintegrationcode"), Some(CODE));
        assert_eq!(request.header("username"), Some(USERNAME));
        assert_eq!(request.header("secret"), Some(SECRET));
        assert!(
            request.status.is_some_and(|s| s < 300),
            "{} answered {:?}",
            request.path,
            request.status
        );
    }

    assert_eq!(
        requests[4].body,
        Some(json!({"filter": [{"op": "eq", "field": "webhookUrl", "value": spec.webhook_url}]}))
    );
    let create = requests[5].body.clone().expect("create body");
    assert_eq!(create["name"], "SaaS Alerts Ticket Monitor");
    assert_eq!(create["webhookUrl"], spec.webhook_url.as_str());
    assert_eq!(create["deactivationUrl"], spec.deactivation_url.as_str());
    assert_eq!(create["secretKey"], spec.secret.expose());
    assert_eq!(create["isActive"], true);
    assert_eq!(create["isSubscribedToUpdateEvents"], true);
    assert_eq!(create["isSubscribedToCreateEvents"], false);
    assert_eq!(create["isSubscribedToDeleteEvents"], false);
    assert_eq!(create["notificationEmailAddress"], "ops@msp.example");

    // What Autotask now holds: one webhook, our fields with the right roles.
    let labels = picklist(&world).await;
    let webhooks = world.webhooks();
    assert_eq!(webhooks.len(), 1);
    let hook = &webhooks[0];
    assert_eq!(hook["id"], id);
    assert_eq!(hook["secretKey"], spec.secret.expose());
    assert_eq!(hook["isActive"], true);
    assert_eq!(hook["isReady"], true);
    assert_eq!(
        registered.guid,
        hook["webhookGUID"].as_str().map(WebhookGuid::new)
    );
    let roles: BTreeMap<String, (bool, bool)> = hook["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| {
            let label = labels[&f["fieldID"].as_i64().expect("field id")].clone();
            (
                label,
                (
                    f["isSubscribedField"] == true,
                    f["isDisplayAlwaysField"] == true,
                ),
            )
        })
        .collect();
    assert_eq!(
        roles,
        BTreeMap::from([
            ("completeddate".to_owned(), (true, false)),
            ("createdate".to_owned(), (false, true)),
            ("resolution".to_owned(), (false, true)),
            ("status".to_owned(), (false, true)),
        ])
    );
    for field in &requests[6..10] {
        assert_eq!(
            field.body.as_ref().expect("body")["webhookID"],
            id,
            "the body repeats the parent id"
        );
    }
}

#[tokio::test]
async fn rest_name_labels_resolve_like_display_labels() {
    let world = world_with(
        SimConfig {
            field_labels: FieldLabels::RestNames,
            ..fast_config()
        },
        |_| {},
    )
    .await;
    let registered = world.register(&spec("tok-rest")).await.expect("registers");
    assert!(registered.is_ready);
    assert_eq!(
        world.webhooks()[0]["fields"].as_array().map(Vec::len),
        Some(4)
    );
}

#[tokio::test]
async fn registering_again_replaces_our_webhook_instead_of_duplicating_it() {
    let world = world().await;
    let connection = world.connect().await;
    let first = connection
        .register(&spec("tok-again"))
        .await
        .expect("first");
    let rotated = spec("tok-again");
    let second = connection.register(&rotated).await.expect("second");

    let webhooks = world.webhooks();
    assert_eq!(
        webhooks.len(),
        1,
        "the leftover was deleted, not duplicated"
    );
    assert_ne!(first.id, second.id);
    assert_eq!(webhooks[0]["id"], second.id.0);
    assert_eq!(webhooks[0]["secretKey"], rotated.secret.expose());
}

#[tokio::test]
async fn an_interrupted_create_that_left_a_webhook_behind_recovers_by_itself() {
    let world = world().await;
    let connection = world.connect().await;
    // Autotask creates the webhook but the answer is lost: our side sees a failure.
    world.sim.inject(autotask_sim::Fault {
        op: SimOp::WebhookCreate,
        times: 1,
        kind: FaultKind::CreateThenFail {
            status: 500,
            body: json!({"errors": ["Timeout expired"]}),
        },
    });
    let spec = spec("tok-interrupted");
    let registered = connection.register(&spec).await.expect("recovers");

    let webhooks = world.webhooks();
    assert_eq!(webhooks.len(), 1, "exactly one webhook remains");
    assert_eq!(webhooks[0]["id"], registered.id.0);
    assert_eq!(webhooks[0]["isReady"], true);
    let calls = calls(&world.sim);
    let failed_create = calls
        .iter()
        .position(|c| c == "POST ticketwebhooks")
        .expect("a create");
    assert_eq!(
        calls[failed_create + 1],
        "POST ticketwebhooks/query",
        "the duplicate is confirmed by URL"
    );
    assert!(
        calls[failed_create + 2].starts_with("DELETE ticketwebhooks/"),
        "then deleted"
    );
    assert_eq!(
        calls[failed_create + 3],
        "POST ticketwebhooks",
        "then creation is retried"
    );
}

#[tokio::test]
async fn a_duplicate_created_behind_our_back_is_found_deleted_and_replaced() {
    let world = world_with(fast_config(), |u| u.webhook_limit = 5).await;
    let connection = world.connect().await;
    let spec = spec("tok-dup");
    let stale = psa_proto::WebhookSpec {
        secret: psa_autotask::generate_secret(),
        ..spec.clone()
    };
    connection
        .register(&stale)
        .await
        .expect("the stale one registers");
    world.sim.clear_requests();
    // The pre-creation query misses the duplicate, as if it appeared between query and create.
    world.sim.inject(autotask_sim::Fault {
        op: SimOp::WebhookQuery,
        times: 1,
        kind: FaultKind::Status {
            status: 200,
            body: json!({"items": [], "pageDetails": {"count": 0, "requestCount": 500, "prevPageUrl": null, "nextPageUrl": null}}),
        },
    });

    let registered = connection
        .register(&spec)
        .await
        .expect("recovers from the duplicate");

    let rejected = world
        .sim
        .requests()
        .into_iter()
        .find(|r| r.op == SimOp::WebhookCreate)
        .expect("a create");
    assert!(
        rejected.status.is_some_and(|s| s >= 400),
        "Autotask refused the duplicate first"
    );
    let webhooks = world.webhooks();
    assert_eq!(webhooks.len(), 1);
    assert_eq!(webhooks[0]["id"], registered.id.0);
    assert_eq!(webhooks[0]["secretKey"], spec.secret.expose());
}

#[tokio::test]
async fn a_failed_field_step_leaves_no_partial_webhook() {
    let world = world().await;
    let connection = world.connect().await;
    world.sim.inject(autotask_sim::Fault {
        op: SimOp::FieldCreate,
        times: 1,
        kind: FaultKind::Status {
            status: 500,
            body: json!({"errors": ["Unexpected error"]}),
        },
    });
    let error = connection
        .register(&spec("tok-partial"))
        .await
        .expect_err("fails");
    assert_eq!(
        psa_proto::AdapterError::class(&error),
        psa_proto::ErrorClass::Transient
    );
    assert!(
        world.webhooks().is_empty(),
        "the half-made webhook was deleted"
    );
}
