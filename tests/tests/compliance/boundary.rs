//! Through the `Provider`/`Connection` boundary against the simulator: what a registration
//! costs and leaves behind, duplicate recovery, permission and credential failures, removal.

use psa_proto::{ErrorClass, RemoveOutcome};

use crate::harness::{connect, credentials, spec, Harness, Hook, BASE};

pub async fn registration_costs_the_expected_requests_and_leaves_one_webhook<H: Harness>() {
    let harness = H::start().await;
    let connection = connect(&harness).await;
    let spec = spec::<H>(BASE, "tok-register");
    let registered = connection.register(&spec).await.expect("registers");
    assert!(
        registered.is_active && registered.is_ready,
        "{registered:?}"
    );
    let id = registered.id.0;
    assert_eq!(harness.calls(), harness.registration_calls(id));
    assert_eq!(
        harness.webhooks(),
        vec![Hook {
            id,
            url: H::stored_url(&spec.webhook_url)
        }],
        "exactly one webhook of ours, at our URL"
    );
    let check = connection
        .check(registered.id, &spec)
        .await
        .expect("checks");
    assert!(check.is_healthy(), "{:?}", check.problems());
}

pub async fn registering_again_replaces_our_webhook<H: Harness>() {
    let harness = H::start().await;
    let connection = connect(&harness).await;
    let spec = spec::<H>(BASE, "tok-again");
    let first = connection.register(&spec).await.expect("registers").id.0;
    let second = connection.register(&spec).await.expect("again").id.0;
    assert_ne!(first, second);
    assert_eq!(
        harness.webhooks(),
        vec![Hook {
            id: second,
            url: H::stored_url(&spec.webhook_url)
        }]
    );
    assert!(harness.calls().contains(&H::delete_call(first)));
}

pub async fn a_leftover_of_ours_still_ends_with_exactly_one_webhook<H: Harness>() {
    let harness = H::start().await;
    let connection = connect(&harness).await;
    let spec = spec::<H>(BASE, "tok-dup");
    let (registered, leftover) = harness.register_over_leftover(&*connection, &spec).await;
    let registered = registered.expect("recovers from the duplicate");
    assert_ne!(registered.id.0, leftover);
    assert_eq!(
        harness.refused_creates(),
        1,
        "the PSA refused one create as a duplicate"
    );
    assert!(
        harness.calls().contains(&H::delete_call(leftover)),
        "the leftover was deleted: {:?}",
        harness.calls()
    );
    assert_eq!(
        harness.webhooks(),
        vec![Hook {
            id: registered.id.0,
            url: H::stored_url(&spec.webhook_url)
        }]
    );
}

pub async fn each_missing_right_is_classified_with_its_fix<H: Harness>() {
    let denials = H::denials();
    assert!(denials.len() >= 2, "the webhook right and the ticket right");
    for denial in denials {
        let harness = H::start_with(denial.deny).await;
        let error = connect(&harness)
            .await
            .register(&spec::<H>(BASE, "tok-perm"))
            .await
            .expect_err(denial.name);
        assert_eq!(error.class, denial.class, "{}: {error:?}", denial.name);
        for part in denial.fix_names {
            assert!(
                error.fix.contains(part),
                "{}: {part} in {}",
                denial.name,
                error.fix
            );
        }
        assert!(
            harness.webhooks().is_empty(),
            "{}: nothing left behind",
            denial.name
        );
    }
}

pub async fn rejected_credentials_are_a_credentials_error<H: Harness>() {
    let harness = H::start().await;
    let wrong = credentials(&harness, false);
    let spec = spec::<H>(BASE, "tok-creds");
    let error = match harness.provider().connect(&wrong).await {
        Ok(connection) => connection.register(&spec).await.expect_err("rejected"),
        Err(error) => error,
    };
    assert_eq!(error.class, ErrorClass::CredentialsRejected, "{error:?}");
    assert!(!error.fix.is_empty());
    assert!(harness.webhooks().is_empty());
}

pub async fn removal_when_present_and_when_already_gone<H: Harness>() {
    let harness = H::start().await;
    let connection = connect(&harness).await;
    let spec = spec::<H>(BASE, "tok-remove");
    let id = connection.register(&spec).await.expect("registers").id;
    assert_eq!(
        connection.remove(Some(id), &spec).await,
        Ok(RemoveOutcome::Removed)
    );
    assert_eq!(harness.webhooks(), vec![]);
    assert!(harness.calls().contains(&H::delete_call(id.0)));
    assert_eq!(
        connection.remove(Some(id), &spec).await,
        Ok(RemoveOutcome::AlreadyGone)
    );
    assert_eq!(
        connection.remove(None, &spec).await,
        Ok(RemoveOutcome::AlreadyGone),
        "none of ours at the URL either"
    );
}

pub async fn removal_with_revoked_credentials_leaves_the_webhook<H: Harness>() {
    let harness = H::start().await;
    let connection = connect(&harness).await;
    let spec = spec::<H>(BASE, "tok-orphan");
    let id = connection.register(&spec).await.expect("registers").id;
    harness.revoke_credentials();
    let error = connection
        .remove(Some(id), &spec)
        .await
        .expect_err("rejected");
    assert_eq!(error.class, ErrorClass::CredentialsRejected, "{error:?}");
    assert!(!error.unconfirmed_gone);
    assert_eq!(harness.webhooks().len(), 1, "the webhook stays");
    let cleanup = harness
        .provider()
        .manual_cleanup(&spec.name, Some(id), &spec.webhook_url);
    assert!(cleanup.contains(&id.to_string()), "{cleanup}");
}
