//! Each permission or credential failure is classified, comes with its fix, and creates nothing.

use autotask_sim::{ApiUser, SimConfig};
use psa_autotask::AutotaskError;
use psa_proto::{AdapterError, ErrorClass, PsaAdapter};

use crate::helpers::*;

async fn register_as(user: impl FnOnce(&mut ApiUser)) -> (World, AutotaskError) {
    let world = world_with(fast_config(), user).await;
    let error = world
        .register(&spec("tok-perm"))
        .await
        .expect_err("registration must fail");
    assert!(
        world.webhooks().is_empty(),
        "a failed registration leaves nothing behind"
    );
    (world, error)
}

#[tokio::test]
async fn a_level_that_cannot_create_webhooks() {
    let (_, error) = register_as(|u| u.can_create_webhooks = false).await;
    assert_eq!(error.class(), ErrorClass::CannotCreateWebhooks);
    assert!(
        error.fix().contains("Can create WebHooks"),
        "{}",
        error.fix()
    );
    assert!(error.fix().contains("Security Levels"));
}

#[tokio::test]
async fn a_level_whose_webhook_limit_is_reached() {
    let (_, error) = register_as(|u| u.webhook_limit = 0).await;
    assert_eq!(error.class(), ErrorClass::WebhookLimitReached);
    assert!(
        error.fix().contains("maximum webhook limit"),
        "{}",
        error.fix()
    );
}

#[tokio::test]
async fn another_webhook_of_the_user_uses_up_the_limit() {
    let world = world().await;
    let connection = world.connect().await;
    connection
        .register(&spec("tok-other"))
        .await
        .expect("the first webhook fits the limit of 1");
    let error = connection
        .register(&spec("tok-second"))
        .await
        .expect_err("a second URL exceeds the limit");
    assert_eq!(error.class(), ErrorClass::WebhookLimitReached);
    assert_eq!(world.webhooks().len(), 1, "the other webhook is left alone");
}

#[tokio::test]
async fn a_user_without_ticket_permission() {
    let (_, error) = register_as(|u| u.ticket_access = false).await;
    assert_eq!(error.class(), ErrorClass::NoTicketPermission);
    assert!(error.fix().contains("Tickets"), "{}", error.fix());
}

#[tokio::test]
async fn wrong_secret_and_locked_account_look_alike() {
    // Autotask's error body echoes the request here, credentials included (the worst case).
    let echoing = SimConfig {
        echo_request_in_errors: true,
        ..fast_config()
    };
    for lock in [false, true] {
        let world = world_with(echoing.clone(), |u| {
            if lock {
                u.locked = true;
            } else {
                u.secret = "something-else".into();
            }
        })
        .await;
        let error = world
            .register(&spec("tok-creds"))
            .await
            .expect_err("rejected");
        assert_eq!(
            error.class(),
            ErrorClass::CredentialsRejected,
            "locked={lock}"
        );
        assert!(error.fix().contains("locked"));
        let shown = format!("{error} {error:?} {}", error.fix());
        for secret in [SECRET, CODE] {
            assert!(
                !shown.contains(secret),
                "{secret} shows in the error: {shown}"
            );
        }
        let rejected = world.sim.requests();
        assert_eq!(
            rejected.len(),
            2,
            "zone lookup and one rejected call: no retry towards a lockout"
        );
        assert_eq!(rejected[1].status, Some(401));
    }
}

#[tokio::test]
async fn an_unknown_api_user_is_reported_at_zone_discovery() {
    let world = world().await;
    let mut credentials = credentials();
    credentials.username = "nobody@msp.example".into();
    let error = world
        .autotask
        .connect(credentials)
        .await
        .expect_err("unknown");
    assert_eq!(error.class(), ErrorClass::CredentialsRejected);
    assert!(error.to_string().contains("nobody@msp.example"));
}

#[tokio::test]
async fn granting_the_permission_lets_the_next_attempt_succeed() {
    let (world, error) = register_as(|u| u.can_create_webhooks = false).await;
    assert_eq!(error.class(), ErrorClass::CannotCreateWebhooks);
    world
        .sim
        .update_api_user(USERNAME, |u| u.can_create_webhooks = true);
    let registered = world
        .register(&spec("tok-perm"))
        .await
        .expect("now allowed");
    assert!(registered.is_ready);
}
