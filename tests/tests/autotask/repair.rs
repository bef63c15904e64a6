//! Repairing a drifted webhook in place: re-activated, fields re-added or replaced; and
//! "recreate" when it is gone or no longer ours. Drift is made the way someone in Autotask
//! would make it: through the REST API as the API user.

use autotask_sim::Op as SimOp;
use psa_proto::{Drift, PsaAdapter, RegisteredWebhook, RepairOutcome, WebhookSpec};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// A registered webhook whose URLs lead to a local receiver, so the deactivation notice
/// Autotask sends on disabling stays on this machine.
struct Setup {
    world: World,
    connection: psa_autotask::AutotaskConnection,
    spec: WebhookSpec,
    registered: RegisteredWebhook,
    _receiver: Receiver,
}

async fn setup(token: &str) -> Setup {
    let world = world().await;
    let receiver = Receiver::start().await;
    let connection = world.connect().await;
    let spec = spec_for(&receiver.base, token);
    let registered = connection.register(&spec).await.expect("registers");
    Setup {
        world,
        connection,
        spec,
        registered,
        _receiver: receiver,
    }
}

impl Setup {
    /// Checks, then repairs what the check found; returns the drifts and the outcome.
    async fn check_and_repair(&self) -> (Vec<Drift>, RepairOutcome) {
        self.check_and_repair_as(&self.spec).await
    }

    async fn check_and_repair_as(&self, spec: &WebhookSpec) -> (Vec<Drift>, RepairOutcome) {
        let id = self.registered.id;
        let found = self.connection.check(id, spec).await.expect("checks");
        self.world.sim.clear_requests();
        let outcome = self
            .connection
            .repair(id, spec, &found)
            .await
            .expect("repairs");
        (found.drifts(), outcome)
    }

    async fn assert_healthy(&self) {
        let check = self
            .connection
            .check(self.registered.id, &self.spec)
            .await
            .expect("checks");
        assert!(check.is_healthy(), "{:?}", check.problems());
    }

    /// The webhook's field children as the simulator holds them.
    fn fields(&self) -> Vec<Value> {
        let webhooks = self.world.webhooks();
        assert_eq!(webhooks.len(), 1, "one webhook, never a second");
        webhooks[0]["fields"].as_array().expect("fields").clone()
    }

    fn subscribed_field(&self) -> Value {
        self.fields()
            .into_iter()
            .find(|f| f["isSubscribedField"] == true)
            .expect("one subscribed field")
    }

    async fn delete_field(&self, child: &Value) {
        let path = format!(
            "TicketWebhooks/{}/Fields/{}",
            self.registered.id, child["id"]
        );
        as_api_user(&self.world.sim, Method::DELETE, &path, None).await;
    }

    async fn patch(&self, changes: Value) {
        let mut body = json!({"id": self.registered.id.0});
        body.as_object_mut()
            .expect("object")
            .extend(changes.as_object().expect("object").clone());
        as_api_user(&self.world.sim, Method::PATCH, "TicketWebhooks", Some(body)).await;
    }

    /// The operations Autotask received since the check, i.e. during the repair.
    fn repair_calls(&self) -> Vec<SimOp> {
        self.world.sim.requests().iter().map(|r| r.op).collect()
    }
}

/// The repaired webhook is the same one, confirmed active and ready.
fn assert_repaired_in_place(outcome: &RepairOutcome, registered: &RegisteredWebhook) {
    let RepairOutcome::Repaired(repaired) = outcome else {
        panic!("repaired in place, got {outcome:?}");
    };
    assert_eq!(repaired.id, registered.id);
    assert_eq!(repaired.guid, registered.guid);
    assert!(repaired.is_active && repaired.is_ready);
}

#[tokio::test]
async fn a_disabled_webhook_is_reactivated_in_place() {
    let setup = setup("tok-repair-inactive").await;
    setup.patch(json!({"isActive": false})).await;

    let (drifts, outcome) = setup.check_and_repair().await;
    assert_eq!(drifts, vec![Drift::Inactive]);
    assert_repaired_in_place(&outcome, &setup.registered);
    assert_eq!(
        setup.repair_calls(),
        vec![SimOp::WebhookUpdate, SimOp::WebhookGet],
        "one PATCH, then the confirming GET"
    );
    assert_eq!(setup.world.webhooks()[0]["isActive"], true);
    setup.assert_healthy().await;
}

#[tokio::test]
async fn removed_fields_are_added_again() {
    let setup = setup("tok-repair-fields").await;
    // A display-always field and the one subscribed field (without which it is not ready).
    let display = setup
        .fields()
        .into_iter()
        .find(|f| f["isSubscribedField"] == false)
        .expect("a display-always field");
    setup.delete_field(&display).await;
    setup.delete_field(&setup.subscribed_field()).await;
    assert_eq!(setup.fields().len(), 2);

    let (drifts, outcome) = setup.check_and_repair().await;
    assert_eq!(drifts, vec![Drift::NotReady, Drift::Fields]);
    assert_repaired_in_place(&outcome, &setup.registered);
    let calls = setup.repair_calls();
    assert_eq!(
        calls.iter().filter(|op| **op == SimOp::FieldCreate).count(),
        2
    );
    assert!(!calls.contains(&SimOp::WebhookCreate) && !calls.contains(&SimOp::FieldDelete));
    assert_eq!(setup.fields().len(), 4);
    setup.assert_healthy().await;
}

#[tokio::test]
async fn a_field_with_the_wrong_role_is_replaced() {
    let setup = setup("tok-repair-role").await;
    // CompletedDate becomes display-only: it no longer triggers a callout on completion.
    let completed = setup.subscribed_field();
    setup.delete_field(&completed).await;
    let path = format!("TicketWebhooks/{}/Fields", setup.registered.id);
    let wrong = json!({
        "webhookID": setup.registered.id.0,
        "fieldID": completed["fieldID"],
        "isSubscribedField": false,
        "isDisplayAlwaysField": true,
    });
    as_api_user(&setup.world.sim, Method::POST, &path, Some(wrong)).await;

    let (drifts, outcome) = setup.check_and_repair().await;
    assert_eq!(drifts, vec![Drift::NotReady, Drift::Fields]);
    assert_repaired_in_place(&outcome, &setup.registered);
    assert_eq!(
        setup
            .repair_calls()
            .iter()
            .filter(|op| matches!(op, SimOp::FieldDelete | SimOp::FieldCreate))
            .collect::<Vec<_>>(),
        vec![&SimOp::FieldDelete, &SimOp::FieldCreate]
    );
    let fields = setup.fields();
    let same: Vec<_> = fields
        .iter()
        .filter(|f| f["fieldID"] == completed["fieldID"])
        .collect();
    assert_eq!(same.len(), 1, "one entry per field: {fields:?}");
    assert_eq!(same[0]["isSubscribedField"], true);
    setup.assert_healthy().await;
}

#[tokio::test]
async fn a_disabled_webhook_with_a_missing_field_is_fixed_in_one_repair() {
    let setup = setup("tok-repair-both").await;
    setup.patch(json!({"isActive": false})).await;
    setup.delete_field(&setup.subscribed_field()).await;

    let (drifts, outcome) = setup.check_and_repair().await;
    assert_eq!(
        drifts,
        vec![Drift::Inactive, Drift::NotReady, Drift::Fields]
    );
    assert_repaired_in_place(&outcome, &setup.registered);
    setup.assert_healthy().await;
}

#[tokio::test]
async fn a_deleted_webhook_asks_to_be_recreated_without_touching_autotask() {
    let setup = setup("tok-repair-deleted").await;
    let path = format!("TicketWebhooks/{}", setup.registered.id);
    as_api_user(&setup.world.sim, Method::DELETE, &path, None).await;

    let (drifts, outcome) = setup.check_and_repair().await;
    assert_eq!(drifts, vec![Drift::Deleted]);
    assert_eq!(outcome, RepairOutcome::Recreate);
    assert_eq!(setup.repair_calls(), Vec::<SimOp>::new());
}

#[tokio::test]
async fn a_webhook_that_is_no_longer_ours_asks_to_be_recreated_and_is_left_alone() {
    let setup = setup("tok-repair-foreign").await;
    let before = setup.world.webhooks();

    // Its URLs are not the ones wanted (psa-hub's public URL changed, or someone edited them).
    let moved = spec_for("https://elsewhere.example.com", "tok-repair-foreign");
    let (drifts, outcome) = setup.check_and_repair_as(&moved).await;
    assert_eq!(drifts, vec![Drift::Url, Drift::DeactivationUrl]);
    assert_eq!(outcome, RepairOutcome::Recreate);

    // It no longer listens to updates, even though it is also disabled.
    setup
        .patch(json!({"isActive": false, "isSubscribedToUpdateEvents": false}))
        .await;
    let (drifts, outcome) = setup.check_and_repair().await;
    assert_eq!(drifts, vec![Drift::Inactive, Drift::Events]);
    assert_eq!(outcome, RepairOutcome::Recreate);
    assert_eq!(setup.repair_calls(), Vec::<SimOp>::new(), "nothing changed");
    assert_eq!(setup.world.webhooks()[0]["fields"], before[0]["fields"]);
}
