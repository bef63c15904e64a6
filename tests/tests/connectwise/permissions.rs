//! Each permission and credentials failure, classified, with its plain fix; keys never shown.

use connectwise_sim::{ErrorSpec, Fault, FaultKind, Op, SimConfig};
use psa_connectwise::ConnectWiseSettings;
use psa_proto::{ErrorClass, TicketId};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_member_that_may_not_manage_callbacks_is_told_the_likely_permission() {
    let world = world_with(fast_config(), settings(), |m| {
        m.can_manage_callbacks = false
    })
    .await;
    let error = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect_err("forbidden");
    assert_eq!(error.class, ErrorClass::CannotCreateWebhooks);
    assert!(
        error.message.contains("security permissions"),
        "{}",
        error.message
    );
    for part in [
        "unverified",
        "System › Table Setup",
        "Security Roles",
        "Retry Webhook Setup",
    ] {
        assert!(error.fix.contains(part), "{part}: {}", error.fix);
    }
    assert!(world.callbacks().is_empty());
}

#[tokio::test]
async fn a_member_that_may_not_read_tickets_is_told_at_setup_where_to_grant_it() {
    let world = world_with(fast_config(), settings(), |m| m.can_read_tickets = false).await;
    let ticket = world
        .sim
        .create_ticket(&world.company, "Suspicious sign-in");
    let connection = world.connect().await;
    let error = connection
        .register(&spec("tok1"))
        .await
        .expect_err("forbidden");
    assert_eq!(error.class, ErrorClass::NoTicketPermission);
    assert!(
        error.fix.contains("Service Desk › Service Tickets"),
        "{}",
        error.fix
    );
    assert!(
        world.callbacks().is_empty(),
        "no callback that could never be followed up"
    );
    let error = connection
        .ticket_closure(TicketId(ticket.0))
        .await
        .expect_err("forbidden");
    assert_eq!(error.class, ErrorClass::NoTicketPermission);
}

#[tokio::test]
async fn rejected_keys_are_a_credentials_problem_and_never_shown() {
    for inactive in [false, true] {
        let world = world_with(fast_config(), settings(), |m| m.inactive = inactive).await;
        let mut body = world.body();
        if !inactive {
            body.insert("private_key".into(), json!("wRoNgPrIvAtEkEy9"));
        }
        let input = psa_proto::Provider::parse_connection(&world.provider, &body).expect("valid");
        let connection = psa_proto::Provider::connect(&world.provider, &input.credentials)
            .await
            .expect("discovery needs no keys");
        let error = connection
            .register(&spec("tok1"))
            .await
            .expect_err("rejected");
        assert_eq!(
            error.class,
            ErrorClass::CredentialsRejected,
            "inactive={inactive}"
        );
        assert!(error.fix.contains("API Keys"), "{}", error.fix);
        let shown = format!("{error:?}");
        assert!(
            !shown.contains("wRoNg") && !shown.contains(PRIVATE),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn keys_rejected_as_not_found_like_cloud_still_point_at_the_keys() {
    let config = SimConfig {
        bad_credentials: ErrorSpec::new(404, "NotFound", "Not found"),
        ..fast_config()
    };
    let world = world_with(config, settings(), |m| m.inactive = true).await;
    let error = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect_err("rejected");
    assert_eq!(error.class, ErrorClass::NotFound);
    assert!(error.fix.contains("check the keys"), "{}", error.fix);
}

#[tokio::test]
async fn an_unknown_client_id_is_refused_as_invalid() {
    let settings = ConnectWiseSettings {
        client_id: "not-our-client".into(),
        ..settings()
    };
    let world = world_with(fast_config(), settings, |_| {}).await;
    let error = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect_err("refused");
    assert_eq!(error.class, ErrorClass::InvalidRequest);
    assert!(
        error.message.contains("clientId is invalid"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn keys_a_connectwise_error_echoes_are_redacted() {
    let world = world().await;
    let echo = json!({"code": "InvalidObject",
                      "message": format!("bad login {COMPANY}+{PUBLIC}:{PRIVATE}"),
                      "errors": [{"code": "InvalidField", "message": format!("key {PRIVATE}")}],
                      "request": {"privateKey": PRIVATE}});
    world.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 1,
        kind: FaultKind::Status {
            status: 400,
            body: echo,
        },
    });
    let error = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect_err("refused");
    let shown = format!("{error:?} {}", error.fix);
    assert!(
        !shown.contains(PRIVATE) && !shown.contains(PUBLIC),
        "{shown}"
    );
    assert!(
        error.message.contains("bad login [redacted]"),
        "{}",
        error.message
    );
    assert!(
        !shown.contains("privateKey"),
        "only message texts are kept: {shown}"
    );
}
