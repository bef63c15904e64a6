//! End to end: a webhook the adapter registered fires on ticket completion, and the adapter
//! verifies and understands what arrives — whichever body form Autotask puts on the wire.

use autotask_sim::{SimConfig, WireBody};
use psa_autotask::AutotaskCallouts;
use psa_proto::{
    CalloutFormat, FieldValue, PsaAdapter, SignatureForm, TicketId, Verified, VerifyError,
};

use crate::helpers::*;

async fn completion_round_trip(wire_body: WireBody, numbers_as_strings: bool) -> SignatureForm {
    let receiver = Receiver::start().await;
    let world = world_with(
        SimConfig {
            wire_body,
            numbers_as_strings,
            ..fast_config()
        },
        |_| {},
    )
    .await;
    let connection = world.connect().await;
    let spec = spec_for(&receiver.base, "tok-e2e");
    let registered = connection.register(&spec).await.expect("registers");

    let ticket = world
        .sim
        .create_ticket(world.db, "Suspicious sign-in for jdoe");
    world.sim.complete_ticket(
        world.db,
        ticket,
        "Reset password & revoked sessions — café ☕",
    );
    let received = receiver.wait_for(1).await;
    assert_eq!(
        received.len(),
        1,
        "one callout: creation is not subscribed, completion is"
    );
    let callout = &received[0];
    assert_eq!(callout.path, "/hooks/autotask/tok-e2e");
    assert!(callout
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("application/json")));

    let verified = Verified::check(
        &AutotaskCallouts,
        &[&spec.secret],
        callout.signature.as_deref(),
        &callout.body,
    )
    .expect("the signature verifies");
    let change = AutotaskCallouts.parse(&verified).expect("parses");
    assert!(change.is_completion());
    assert_eq!(change.ticket_id, TicketId(ticket.0));
    assert_eq!(
        change.resolution,
        FieldValue::Set("Reset password & revoked sessions — café ☕".to_owned())
    );
    assert_eq!(change.status, FieldValue::Set(5));
    assert!(
        change.ticket_created_at.as_set().is_some(),
        "the create date rides along"
    );
    assert_eq!(
        change.webhook_guid, registered.guid,
        "Guid is the webhook's GUID"
    );
    assert_eq!(change.sequence_number, Some(1));

    // Another tenant's secret, or a changed body, never verifies.
    let other = psa_autotask::generate_secret();
    assert_eq!(
        Verified::check(
            &AutotaskCallouts,
            &[&other],
            callout.signature.as_deref(),
            &callout.body
        )
        .err(),
        Some(VerifyError::Mismatch)
    );
    let text = String::from_utf8(callout.body.clone()).expect("utf-8");
    assert!(text.contains("Reset password"));
    let tampered = text.replacen("Reset password", "Reset passw0rd", 1);
    assert_eq!(
        Verified::check(
            &AutotaskCallouts,
            &[&spec.secret],
            callout.signature.as_deref(),
            tampered.as_bytes()
        )
        .err(),
        Some(VerifyError::Mismatch)
    );
    verified.form()
}

#[tokio::test]
async fn escaped_wire_bodies_verify_as_received() {
    assert_eq!(
        completion_round_trip(WireBody::Escaped, false).await,
        SignatureForm::Raw
    );
}

#[tokio::test]
async fn plain_wire_bodies_verify_through_the_canonical_form() {
    assert_eq!(
        completion_round_trip(WireBody::Plain, true).await,
        SignatureForm::Canonical
    );
}

#[tokio::test]
async fn reopening_arrives_as_a_cleared_completion_date() {
    let receiver = Receiver::start().await;
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec_for(&receiver.base, "tok-reopen");
    connection.register(&spec).await.expect("registers");
    let ticket = world.sim.create_ticket(world.db, "Impossible travel");
    world
        .sim
        .complete_ticket(world.db, ticket, "False positive");
    world
        .sim
        .update_ticket(world.db, ticket, serde_json::json!({"status": 8}));
    let received = receiver.wait_for(2).await;
    assert_eq!(received.len(), 2);
    let changes: Vec<_> = received
        .iter()
        .map(|r| {
            let verified = Verified::check(
                &AutotaskCallouts,
                &[&spec.secret],
                r.signature.as_deref(),
                &r.body,
            )
            .expect("verifies");
            AutotaskCallouts.parse(&verified).expect("parses")
        })
        .collect();
    assert!(changes[0].is_completion());
    assert!(changes[1].is_reopening());
    assert_eq!(
        changes[1].sequence_number,
        Some(2),
        "in order, numbered per webhook"
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_the_webhook_disabled_and_the_check_notices() {
    let receiver = Receiver::start().await;
    *receiver.status.lock() = 500;
    let world = world_with(
        SimConfig {
            disable_after_failures: 5,
            ..fast_config()
        },
        |_| {},
    )
    .await;
    let connection = world.connect().await;
    let spec = spec_for(&receiver.base, "tok-failing");
    let registered = connection.register(&spec).await.expect("registers");
    let ticket = world.sim.create_ticket(world.db, "Mailbox rule created");
    world.sim.complete_ticket(world.db, ticket, "Rule removed");

    let received = receiver.wait_for(6).await;
    let (deactivations, callouts): (Vec<_>, Vec<_>) = received
        .iter()
        .partition(|r| r.path.ends_with("/deactivated"));
    assert_eq!(callouts.len(), 5, "five tries of the same payload");
    assert!(callouts
        .iter()
        .all(|c| c.body == callouts[0].body && c.signature == callouts[0].signature));
    assert_eq!(
        deactivations.len(),
        1,
        "then the deactivation URL is called"
    );
    assert!(
        deactivations[0].signature.is_none(),
        "unsigned: only a hint"
    );
    assert_eq!(
        world.sim.error_log(world.db).len(),
        1,
        "the payload went to the error log"
    );

    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(check.exists && !check.is_active);
    assert!(!check.is_healthy());
}
