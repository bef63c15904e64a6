//! Each banner state, and Retry Webhook Setup fixing a failed setup once Autotask allows it.

use reqwest::StatusCode;
use serde_json::json;

use autotask_sim::SimConfig;

use crate::helpers::{credentials, fast_config, sample, Hub, CODE, SECRET, TENANT, USERNAME};

#[actix_web::test]
async fn a_connection_without_its_webhook_shows_the_blue_banner_until_retry() {
    let hub = Hub::start().await;
    let mut body = credentials();
    body["setup_webhook"] = json!(false);
    let (code, status) = hub.put_connection(TENANT, body).await;
    assert_eq!(code, StatusCode::CREATED);
    let webhook = &status["webhook"];
    assert_eq!(webhook["state"], "setup_incomplete");
    assert_eq!(webhook["banner"]["kind"], "new_feature_available");
    assert_eq!(webhook["banner"]["color"], "blue");
    assert_eq!(webhook["banner"]["action"], "Retry Webhook Setup");
    assert!(webhook["banner"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("New feature available")));
    assert!(webhook["id"].is_null());
    assert!(
        hub.sim.webhooks(hub.db).is_empty(),
        "nothing was registered"
    );

    let (code, status) = hub.retry(TENANT).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "active");
    assert!(status["webhook"]["banner"].is_null());
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1);
}

#[actix_web::test]
async fn a_failed_setup_shows_the_red_banner_with_its_fix_and_retry_repairs_it() {
    let hub = Hub::start_with(fast_config(), |user| user.can_create_webhooks = false).await;
    let (code, status) = hub.connect(TENANT).await;
    assert_eq!(code, StatusCode::CREATED);
    let webhook = &status["webhook"];
    assert_eq!(webhook["state"], "failed", "{status}");
    assert_eq!(webhook["banner"]["kind"], "webhook_setup_failed");
    assert_eq!(webhook["banner"]["color"], "red");
    assert_eq!(webhook["last_error"]["code"], "cannot_create_webhooks");
    let fix = webhook["last_error"]["fix"].as_str().expect("a fix");
    assert!(fix.contains("Can create WebHooks"), "{fix}");
    assert!(webhook["banner"]["message"]
        .as_str()
        .is_some_and(|m| m.contains(fix)));
    assert!(hub.sim.webhooks(hub.db).is_empty());
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_webhook_registrations_total{outcome=\"cannot_create_webhooks\"}"
        ),
        1.0
    );
    assert_eq!(
        sample(&metrics, "psa_hub_connections{state=\"failed\"}"),
        1.0
    );

    // Retrying without a fix fails the same way.
    let (_, status) = hub.retry(TENANT).await;
    assert_eq!(
        status["webhook"]["last_error"]["code"],
        "cannot_create_webhooks"
    );

    hub.sim
        .update_api_user(USERNAME, |user| user.can_create_webhooks = true);
    let (code, status) = hub.retry(TENANT).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    assert!(status["webhook"]["banner"].is_null());
    assert!(status["webhook"]["last_error"].is_null());
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1);
}

#[actix_web::test]
async fn each_permission_problem_is_reported_with_its_own_code() {
    type Shape = fn(&mut autotask_sim::ApiUser);
    let cases: [(&str, Shape); 3] = [
        ("no_ticket_permission", |u| u.ticket_access = false),
        ("webhook_limit_reached", |u| u.webhook_limit = 0),
        ("credentials_rejected", |u| u.locked = true),
    ];
    // The worst case of an Autotask error body: it echoes the request, credentials included.
    let config = SimConfig {
        echo_request_in_errors: true,
        ..fast_config()
    };
    for (code, shape) in cases {
        let hub = Hub::start_with(config.clone(), shape).await;
        let (_, status) = hub.connect(TENANT).await;
        assert_eq!(status["webhook"]["state"], "failed", "{code}: {status}");
        assert_eq!(status["webhook"]["last_error"]["code"], code, "{status}");
        assert_eq!(status["webhook"]["banner"]["kind"], "webhook_setup_failed");
        assert!(status["webhook"]["last_error"]["fix"]
            .as_str()
            .is_some_and(|fix| !fix.is_empty()));
        let text = status.to_string();
        for secret in [SECRET, CODE] {
            assert!(!text.contains(secret), "{secret} in the status: {text}");
        }
    }
}

#[actix_web::test]
async fn putting_the_right_secret_after_a_rejected_one_sets_the_webhook_up() {
    let hub = Hub::start().await;
    let mut wrong = credentials();
    wrong["secret"] = json!("a-typo");
    let (_, status) = hub.put_connection(TENANT, wrong).await;
    assert_eq!(status["webhook"]["state"], "failed");
    assert_eq!(
        status["webhook"]["last_error"]["code"],
        "credentials_rejected"
    );
    let (code, status) = hub.put_connection(TENANT, credentials()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1);
    // A new secret for the same API user is stored without touching the webhook: the PUT,
    // which answers after any Autotask call it makes, made none.
    hub.sim
        .update_api_user(USERNAME, |user| user.secret = "Rotated-secret-2".into());
    let before = hub.sim.requests().len();
    let mut rotated = credentials();
    rotated["secret"] = json!("Rotated-secret-2");
    let (code, after) = hub.put_connection(TENANT, rotated).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(after["webhook"]["id"], status["webhook"]["id"]);
    assert_eq!(hub.sim.requests().len(), before, "{:?}", hub.sim.requests());
    let text = after.to_string();
    assert!(
        !text.contains("Rotated-secret-2"),
        "the secret never comes back: {text}"
    );
}
