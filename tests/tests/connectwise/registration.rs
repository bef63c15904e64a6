//! Registration: the exact requests one costs, leftovers cleared, duplicate recovery by the
//! `ObjectExists` code, and discovery.

use connectwise_sim::{
    DuplicateRule, Fault, FaultKind, Gate, MatchField, Op, SimConfig, UnknownCompany,
};
use psa_proto::{ErrorClass, Provider, RegisteredWebhook};
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn one_registration_costs_discovery_a_ticket_check_a_listing_a_create_and_a_read() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let registered = connection.register(&spec).await.expect("registers");
    let id = registered.id;
    assert_eq!(
        registered,
        RegisteredWebhook {
            id,
            guid: None,
            is_active: true,
            is_ready: true
        }
    );
    assert_eq!(
        world.calls(),
        vec![
            "GET /login/companyinfo/Cobalt".to_owned(),
            "GET service/tickets?fields=id&pageSize=1".to_owned(),
            "GET system/callbacks?conditions=url contains \"https://hooks.example.com/hooks/connectwise/tok1\"&orderBy=id asc&page=1&pageSize=100".to_owned(),
            "POST system/callbacks".to_owned(),
            format!("GET system/callbacks/{id}"),
        ]
    );
    let create = &world.requests_of(Op::CallbackCreate)[0];
    assert_eq!(
        create.body,
        Some(json!({
            "description": "SaaS Alerts Ticket Monitor",
            "url": "https://hooks.example.com/hooks/connectwise/tok1?recordId=",
            "objectId": 1, "type": "ticket", "level": "owner",
            "inactiveFlag": false, "isSoapCallbackFlag": false, "isSelfSuppressedFlag": false,
            "payloadVersion": "3.0.0"
        }))
    );
    let stored = world.callbacks();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].url,
        "https://hooks.example.com/hooks/connectwise/tok1?recordId="
    );
    assert_eq!(
        (stored[0].kind.as_str(), stored[0].level.as_str()),
        ("ticket", "owner")
    );
    assert_eq!(
        connection.location(),
        format!("{}/v4_6_release/apis/3.0/", world.sim.site_url())
    );
    let labels: Vec<_> = world.exchanges.0.lock().clone();
    assert_eq!(
        labels,
        vec![
            ("company_info", Some(200)),
            ("ticket_list", Some(200)),
            ("callback_list", Some(200)),
            ("callback_create", Some(201)),
            ("callback_get", Some(200)),
        ]
    );
}

#[tokio::test]
async fn every_api_call_carries_the_keys_the_client_id_and_the_pinned_version() {
    let world = world().await;
    world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect("registers");
    let requests = world.sim.requests();
    let (info, api) = requests.split_first().expect("requests");
    assert_eq!(
        info.header("authorization"),
        None,
        "discovery sends no credentials"
    );
    // base64("Cobalt+pUbLiCkEy123456:pRiVaTeKeY654321")
    let basic = "Basic Q29iYWx0K3BVYkxpQ2tFeTEyMzQ1NjpwUmlWYVRlS2VZNjU0MzIx";
    for request in api {
        assert_eq!(
            request.header("authorization"),
            Some(basic),
            "{}",
            request.path
        );
        assert_eq!(request.header("clientid"), Some(CLIENT_ID));
        assert_eq!(
            request.header("accept"),
            Some("application/vnd.connectwise.com+json; version=2019.1")
        );
    }
}

#[tokio::test]
async fn our_leftovers_at_the_url_are_deleted_first_and_others_are_kept() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let old = connection.register(&spec).await.expect("registers").id;
    let other = connection
        .register(&crate::helpers::spec("tok2"))
        .await
        .expect("registers")
        .id;
    world.sim.clear_requests();
    let new = connection
        .register(&spec)
        .await
        .expect("registers again")
        .id;
    assert_ne!(new, old);
    let ids: Vec<i64> = world.callbacks().iter().map(|c| c.id.0).collect();
    assert!(
        ids.contains(&new.0) && ids.contains(&other.0) && !ids.contains(&old.0),
        "{ids:?}"
    );
    assert!(world
        .calls()
        .contains(&format!("DELETE system/callbacks/{old}")));
}

/// A create held until a callback of ours appears at the URL meets the duplicate rule, as an
/// interrupted earlier setup would leave it.
#[tokio::test]
async fn a_duplicate_of_ours_is_deleted_and_creation_retried_once() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok1");
    let gate = Gate::new();
    world.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let registering = connection.register(&spec);
    let squatter = async {
        assert!(wait_for(|| world.sim.held(Op::CallbackCreate) == 1).await);
        let leftover = world
            .provider
            .connect(&world.input().credentials)
            .await
            .expect("connects");
        // A second registration of ours gets in first (the hold applies once).
        let first = leftover
            .register(&spec)
            .await
            .expect("the leftover registers")
            .id;
        gate.open();
        first
    };
    let (registered, leftover) = tokio::join!(registering, squatter);
    let registered = registered.expect("recovered from the duplicate");
    assert_ne!(registered.id, leftover);
    let ids: Vec<i64> = world.callbacks().iter().map(|c| c.id.0).collect();
    assert_eq!(ids, vec![registered.id.0], "the duplicate was replaced");
    let creates = world.requests_of(Op::CallbackCreate);
    let statuses: Vec<_> = creates.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![Some(400), Some(201), Some(201)],
        "in arrival order: ours (held, then a duplicate), the leftover's, the retry"
    );
    assert!(world
        .calls()
        .contains(&format!("DELETE system/callbacks/{leftover}")));
}

#[tokio::test]
async fn a_matching_callback_that_is_not_ours_is_reported_and_kept() {
    let config = SimConfig {
        duplicate_rule: DuplicateRule {
            fields: vec![MatchField::Type, MatchField::Level, MatchField::ObjectId],
            url_case_insensitive: true,
        },
        ..fast_config()
    };
    let world = world_with(config, settings(), |_| {}).await;
    let connection = world.connect().await;
    let theirs = connection
        .register(&spec_for("https://other-vendor.example", "x"))
        .await
        .expect("theirs")
        .id;
    world.sim.clear_requests();
    let error = connection
        .register(&spec("tok1"))
        .await
        .expect_err("a duplicate not ours");
    assert_eq!(error.class, ErrorClass::DuplicateWebhook);
    assert!(error.fix.contains("not psa-hub's"), "{}", error.fix);
    let ids: Vec<i64> = world.callbacks().iter().map(|c| c.id.0).collect();
    assert_eq!(
        ids,
        vec![theirs.0],
        "the other vendor's callback was not touched"
    );
    assert_eq!(
        world.requests_of(Op::CallbackCreate).len(),
        1,
        "no retry without ours to clear"
    );
    assert!(world.requests_of(Op::CallbackDelete).is_empty());
}

#[tokio::test]
async fn duplicates_are_known_by_code_not_by_wording() {
    let world = world().await;
    let connection = world.connect().await;
    let worded = json!({"code": "InvalidObject", "message": "A matching callback entry already exists",
                        "errors": [{"code": "InvalidField", "message": "A matching callback entry already exists"}]});
    world.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 1,
        kind: FaultKind::Status {
            status: 400,
            body: worded,
        },
    });
    let error = connection
        .register(&spec("tok1"))
        .await
        .expect_err("refused");
    assert_eq!(error.class, ErrorClass::InvalidRequest);
    assert_eq!(world.requests_of(Op::CallbackCreate).len(), 1);
}

#[tokio::test]
async fn a_create_answered_200_counts_as_well() {
    let config = SimConfig {
        create_status: 200,
        ..fast_config()
    };
    let world = world_with(config, settings(), |_| {}).await;
    let registered = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect("registers");
    assert_eq!(world.callbacks()[0].id.0, registered.id.0);
}

#[tokio::test]
async fn a_callback_that_does_not_confirm_active_is_deleted_and_reported() {
    let world = world().await;
    let connection = world.connect().await;
    let gate = Gate::new();
    world.sim.inject(Fault {
        op: Op::CallbackGet,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let spec = spec("tok1");
    let registering = connection.register(&spec);
    let disable = async {
        assert!(wait_for(|| world.sim.held(Op::CallbackGet) == 1).await);
        // Deactivated between its creation and our read-back.
        let id = world.callbacks()[0].id;
        world
            .sim
            .set_callback_inactive_silently(&world.company, id, true);
        gate.open();
    };
    let (registered, ()) = tokio::join!(registering, disable);
    let error = registered.expect_err("not confirmed");
    assert_eq!(error.class, ErrorClass::NotReady, "{error:?}");
    assert!(
        world.callbacks().is_empty(),
        "the unconfirmed callback was deleted"
    );
}

#[tokio::test]
async fn discovery_reads_the_codebase_and_an_unknown_company_is_a_credentials_problem() {
    let config = SimConfig {
        codebase: "v2025_1/".into(),
        ..fast_config()
    };
    let world = world_with(config, settings(), |_| {}).await;
    let connection = world.connect().await;
    assert_eq!(
        connection.location(),
        format!("{}/v2025_1/apis/3.0/", world.sim.site_url())
    );
    for unknown in [UnknownCompany::NullBody, UnknownCompany::NotFound] {
        let config = SimConfig {
            unknown_company: unknown,
            ..fast_config()
        };
        let world = world_with(config, settings(), |_| {}).await;
        let mut body = world.body();
        body.insert("company_id".into(), Value::from("Nobody"));
        let input = world.provider.parse_connection(&body).expect("valid");
        let error = world
            .provider
            .connect(&input.credentials)
            .await
            .err()
            .expect("unknown");
        assert_eq!(error.class, ErrorClass::CredentialsRejected, "{unknown:?}");
        assert!(error.fix.contains("company ID"), "{}", error.fix);
    }
}

#[tokio::test]
async fn discovery_is_cached_per_site_and_company() {
    let world = world().await;
    world.connect().await;
    world.connect().await;
    assert_eq!(world.requests_of(Op::CompanyInfo).len(), 1);
}

#[tokio::test]
async fn an_internal_site_is_never_called() {
    let strict = psa_connectwise::ConnectWiseProvider::new(
        psa_connectwise::ConnectWiseSettings {
            allow_http_sites: false,
            ..settings()
        },
        None,
    )
    .expect("provider builds");
    for site in [
        "https://127.0.0.1",
        "https://10.1.2.3:8443",
        "https://169.254.169.254",
        "https://localhost",
    ] {
        let body = json!({"site": site, "company_id": "Cobalt", "public_key": "pUbLiC12345",
                          "private_key": "pRiVaTe12345"});
        let input = strict
            .parse_connection(body.as_object().expect("object"))
            .expect("well-formed");
        let error = strict
            .connect(&input.credentials)
            .await
            .err()
            .expect("refused");
        assert_eq!(error.class, ErrorClass::InvalidRequest, "{site}: {error:?}");
        assert!(error.fix.contains("public address"), "{}", error.fix);
    }
}
