//! Whatever a holder of the right secret sends, the hub answers 2xx or a precise 4xx and
//! stays up: no panic, no 5xx, on arbitrary bytes or envelope-shaped JSON.

use autotask_sim::sign;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

use crate::helpers::{hook_token, Hub, TENANT};

/// JSON shaped like a callout, with every field free to be missing, null, mistyped or odd.
fn envelope() -> impl Strategy<Value = Value> {
    let loose = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::from),
        Just(json!("2026-11-27T12:00:00Z")),
        Just(json!([])),
        Just(json!({})),
    ];
    let fields = proptest::collection::btree_map(
        prop_oneof![
            Just("CompletedDate".to_owned()),
            Just("Status".to_owned()),
            Just("Resolution".to_owned()),
            Just("CreateDate".to_owned()),
            "[A-Za-z]{1,12}",
        ],
        loose.clone(),
        0..5,
    );
    (
        prop_oneof![
            Just(json!("Update")),
            Just(json!("Create")),
            Just(json!("Deactivated")),
            loose.clone()
        ],
        loose.clone(),
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
            loose.clone()
        ],
        fields,
        loose.clone(),
        prop_oneof![Just(json!("Ticket")), loose],
    )
        .prop_map(|(action, guid, id, fields, sequence, entity)| {
            json!({"Action": action, "Guid": guid, "Id": id, "Fields": fields,
                   "SequenceNumber": sequence, "EntityType": entity})
        })
}

fn bodies(cases: usize) -> Vec<Vec<u8>> {
    let mut runner = TestRunner::deterministic();
    let shaped = envelope();
    let raw = proptest::collection::vec(any::<u8>(), 0..300);
    (0..cases)
        .map(|i| {
            if i % 3 == 0 {
                raw.new_tree(&mut runner).expect("bytes").current()
            } else {
                serde_json::to_vec(&shaped.new_tree(&mut runner).expect("json").current())
                    .expect("serializes")
            }
        })
        .collect()
}

#[actix_web::test]
async fn signed_arbitrary_bodies_get_2xx_or_a_precise_4xx() {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let token = hook_token(&status);
    let secret = hub.webhook_secret(hub.db);
    for body in bodies(300) {
        let (code, answer) = hub
            .post_callout(&token, &body, Some(&sign(&secret, &body)))
            .await;
        assert!(
            code.is_success() || code == reqwest::StatusCode::BAD_REQUEST,
            "{code} for {:?}: {answer}",
            String::from_utf8_lossy(&body)
        );
    }
    let (code, _) = hub.status(TENANT).await;
    assert!(code.is_success(), "the hub is still up");
}
