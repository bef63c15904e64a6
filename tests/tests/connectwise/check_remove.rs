//! Removal (gone only when confirmed), check and repair against the simulator.

use connectwise_sim::{Fault, FaultKind, Op};
use psa_proto::{Drift, ErrorClass, Provider, RemoveOutcome, RepairOutcome, WebhookId};
use serde_json::json;

use crate::helpers::*;

fn not_found(op: Op) -> Fault {
    let body = json!({"code": "ConnectWiseApi", "message": "The endpoint does not exist."});
    Fault {
        op,
        times: 1,
        kind: FaultKind::Status { status: 404, body },
    }
}

#[tokio::test]
async fn a_present_callback_is_removed_and_a_gone_one_confirmed_gone() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let id = connection.register(&spec).await.expect("registers").id;
    assert_eq!(
        connection.remove(Some(id), &spec).await,
        Ok(RemoveOutcome::Removed)
    );
    assert!(world.callbacks().is_empty());
    world.sim.clear_requests();
    assert_eq!(
        connection.remove(Some(id), &spec).await,
        Ok(RemoveOutcome::AlreadyGone)
    );
    assert_eq!(
        world.calls(),
        vec![
            format!("DELETE system/callbacks/{id}"),
            format!("GET system/callbacks?conditions=id={id}&orderBy=id asc&page=1&pageSize=100")
        ]
    );
}

#[tokio::test]
async fn without_an_id_every_callback_of_ours_at_the_url_goes_and_no_other() {
    let world = world().await;
    let connection = world.connect().await;
    connection.register(&spec("tok1")).await.expect("registers");
    let other = connection
        .register(&spec("tok2"))
        .await
        .expect("registers")
        .id;
    assert_eq!(
        connection.remove(None, &spec("tok1")).await,
        Ok(RemoveOutcome::Removed)
    );
    let ids: Vec<i64> = world.callbacks().iter().map(|c| c.id.0).collect();
    assert_eq!(ids, vec![other.0]);
    assert_eq!(
        connection.remove(None, &spec("tok1")).await,
        Ok(RemoveOutcome::AlreadyGone)
    );
}

#[tokio::test]
async fn removal_with_rejected_keys_fails_and_leaves_the_callback() {
    let world = world().await;
    let spec = spec("tok1");
    let id = world
        .connect()
        .await
        .register(&spec)
        .await
        .expect("registers")
        .id;
    world
        .sim
        .update_member(&world.company, PUBLIC, |m| m.inactive = true);
    let error = world
        .connect()
        .await
        .remove(Some(id), &spec)
        .await
        .expect_err("rejected");
    assert_eq!(error.class, ErrorClass::CredentialsRejected);
    assert!(!error.unconfirmed_gone);
    assert_eq!(world.callbacks().len(), 1);
    let cleanup = world
        .provider
        .manual_cleanup(&spec.name, Some(id), &spec.webhook_url);
    assert!(
        cleanup.contains(&format!("DELETE /system/callbacks/{id}")),
        "{cleanup}"
    );
}

#[tokio::test]
async fn a_not_found_from_a_wrong_address_is_not_counted_as_removed() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let id = connection.register(&spec).await.expect("registers").id;
    // Both the delete and the confirming listing answer 404, as a wrong API root would.
    world.sim.inject(not_found(Op::CallbackDelete));
    world.sim.inject(not_found(Op::CallbackList));
    let error = connection
        .remove(Some(id), &spec)
        .await
        .expect_err("unconfirmed");
    assert!(error.unconfirmed_gone);
    assert_eq!(error.class, ErrorClass::Unexpected);
    assert!(
        error
            .fix
            .contains(&format!("DELETE /system/callbacks/{id}")),
        "{}",
        error.fix
    );
    assert_eq!(world.callbacks().len(), 1, "it is still there");
    // A stray 404 on the delete alone, contradicted by the listing, is not "gone" either.
    world.sim.inject(not_found(Op::CallbackDelete));
    let error = connection
        .remove(Some(id), &spec)
        .await
        .expect_err("still listed");
    assert!(
        error.unconfirmed_gone && error.message.contains("still lists it"),
        "{error:?}"
    );
    // And the discovery is done again after such doubt.
    world.sim.clear_requests();
    world.connect().await;
    assert_eq!(world.requests_of(Op::CompanyInfo).len(), 1);
}

#[tokio::test]
async fn a_healthy_callback_checks_healthy_in_one_read() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let id = connection.register(&spec).await.expect("registers").id;
    world.sim.clear_requests();
    let found = connection.check(id, &spec).await.expect("checked");
    assert!(found.is_healthy(), "{found:?}");
    assert_eq!(world.calls(), vec![format!("GET system/callbacks/{id}")]);
}

#[tokio::test]
async fn an_inactive_callback_is_reactivated_in_place() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let id = connection.register(&spec).await.expect("registers").id;
    let sim_id = world.callbacks()[0].id;
    world.sim.disable_callback_silently(&world.company, sim_id);
    let found = connection.check(id, &spec).await.expect("checked");
    assert_eq!(found.drifts(), vec![Drift::Inactive]);
    world.sim.clear_requests();
    let repaired = connection
        .repair(id, &spec, &found)
        .await
        .expect("repaired");
    assert!(matches!(repaired, RepairOutcome::Repaired(ref r) if r.id == id && r.is_active));
    let patch = &world.requests_of(Op::CallbackPatch)[0];
    assert_eq!(
        patch.body,
        Some(json!([{"op": "replace", "path": "inactiveFlag", "value": false}]))
    );
    assert!(!world.callbacks()[0].inactive);
    assert!(connection
        .check(id, &spec)
        .await
        .expect("checked")
        .is_healthy());
}

#[tokio::test]
async fn a_callback_moved_elsewhere_or_deleted_is_recreated() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let id = connection.register(&spec).await.expect("registers").id;
    let sim_id = world.callbacks()[0].id;
    world
        .sim
        .set_callback_url_silently(&world.company, sim_id, "https://elsewhere.example/x");
    let found = connection.check(id, &spec).await.expect("checked");
    assert_eq!(found.drifts(), vec![Drift::Url]);
    assert_eq!(
        connection.repair(id, &spec, &found).await,
        Ok(RepairOutcome::Recreate)
    );
    world.sim.delete_callback_silently(&world.company, sim_id);
    let found = connection.check(id, &spec).await.expect("checked");
    assert_eq!(found.drifts(), vec![Drift::Deleted]);
    assert_eq!(
        connection.repair(id, &spec, &found).await,
        Ok(RepairOutcome::Recreate)
    );
}

#[tokio::test]
async fn a_check_does_not_believe_a_not_found_it_cannot_confirm() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let id = connection.register(&spec).await.expect("registers").id;
    world.sim.inject(not_found(Op::CallbackGet));
    let found = connection
        .check(id, &spec)
        .await
        .expect("the listing finds it");
    assert!(found.is_healthy(), "{found:?}");
    world.sim.inject(not_found(Op::CallbackGet));
    world.sim.inject(not_found(Op::CallbackList));
    let error = connection.check(id, &spec).await.expect_err("unconfirmed");
    assert!(error.unconfirmed_gone);
    let missing = connection
        .check(WebhookId(id.0 + 1000), &spec)
        .await
        .expect("checked");
    assert_eq!(missing.drifts(), vec![Drift::Deleted]);
}
