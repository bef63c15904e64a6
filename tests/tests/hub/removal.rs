//! Removing a connection: its webhook is deleted; where it cannot be, the answer says how to
//! delete it by hand and the connection stays visible as orphaned.

use reqwest::StatusCode;

use crate::helpers::{completion, hook_token, Hub, TENANT, USERNAME};

#[actix_web::test]
async fn removal_with_valid_credentials_deletes_the_webhook() {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let token = hook_token(&status);
    let secret = hub.webhook_secret(hub.db);
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1);

    let (code, answer) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["webhook_removed"], true);
    assert!(answer["manual_cleanup"].is_null());
    assert!(hub.sim.webhooks(hub.db).is_empty());

    let (code, answer) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"]["code"], "connection_not_found");
    let (code, _) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "removing twice finds nothing");
    // Its hook token no longer routes.
    let body = completion("g", 1, 1, "late");
    let (code, _) = hub
        .post_callout(&token, &body, Some(&autotask_sim::sign(&secret, &body)))
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // The tenant can connect again; it gets a new webhook.
    let (code, status) = hub.connect(TENANT).await;
    assert_eq!(code, StatusCode::CREATED);
    assert_eq!(status["webhook"]["state"], "active");
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1);
}

#[actix_web::test]
async fn removal_with_invalid_credentials_orphans_the_webhook_with_instructions() {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let webhook_id = status["webhook"]["id"].clone();
    hub.sim.update_api_user(USERNAME, |user| user.locked = true);

    let (code, answer) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["webhook_removed"], false);
    let cleanup = answer["manual_cleanup"].as_str().expect("instructions");
    assert!(cleanup.contains("SaaS Alerts Ticket Monitor"), "{cleanup}");
    assert!(cleanup.contains("Admin > Webhooks"), "{cleanup}");
    assert!(cleanup.contains(&webhook_id.to_string()), "{cleanup}");
    assert_eq!(
        hub.sim.webhooks(hub.db).len(),
        1,
        "the webhook is still in Autotask"
    );

    let (code, status) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(status["webhook"]["state"], "orphaned");
    assert_eq!(status["manual_cleanup"], cleanup);
    assert_eq!(
        status["webhook"]["last_error"]["code"],
        "credentials_rejected"
    );
    let (code, answer) = hub.retry(TENANT).await;
    assert_eq!(code, StatusCode::CONFLICT, "{answer}");

    // Once the account works again, removing again finishes the job.
    hub.sim
        .update_api_user(USERNAME, |user| user.locked = false);
    let (_, answer) = hub.remove(TENANT).await;
    assert_eq!(answer["webhook_removed"], true, "{answer}");
    assert!(hub.sim.webhooks(hub.db).is_empty());
}

#[actix_web::test]
async fn a_connection_that_never_set_up_its_webhook_is_removed_without_calling_autotask() {
    let hub = Hub::start().await;
    let mut body = crate::helpers::credentials();
    body["setup_webhook"] = serde_json::json!(false);
    hub.put_connection(TENANT, body).await;
    hub.sim.update_api_user(USERNAME, |user| user.locked = true);
    // Removal does its Autotask calls (none, here) before it answers.
    let before = hub.sim.requests().len();
    let (code, answer) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["webhook_removed"], false);
    assert!(
        answer["manual_cleanup"].is_null(),
        "nothing to clean up: {answer}"
    );
    assert_eq!(hub.sim.requests().len(), before, "{:?}", hub.sim.requests());
    let (code, _) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_second_removal_of_an_orphaned_connection_lets_it_go() {
    let hub = Hub::start().await;
    hub.connect(TENANT).await;
    hub.sim.update_api_user(USERNAME, |user| user.locked = true);
    let (_, first) = hub.remove(TENANT).await;
    assert_eq!(first["webhook_removed"], false);
    let (code, second) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{second}");
    assert_eq!(second["webhook_removed"], false);
    assert_eq!(
        second["manual_cleanup"], first["manual_cleanup"],
        "the instructions again"
    );
    let (code, _) = hub.status(TENANT).await;
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "the operator was told twice; the connection is gone"
    );
    assert_eq!(
        hub.sim.webhooks(hub.db).len(),
        1,
        "still there, to delete by hand"
    );
}

#[actix_web::test]
async fn a_webhook_not_found_at_a_wrong_base_url_is_not_reported_removed() {
    let mut hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let webhook_id = status["webhook"]["id"].clone();
    // The API user's database is now looked up elsewhere, where every call answers 404: the
    // webhook is still there, at the old zone.
    let elsewhere = format!("{}/elsewhere/ATServicesRest/", hub.sim.base_url());
    hub.sim
        .update_api_user(USERNAME, |user| user.zone_url = Some(elsewhere));
    hub.restart().await;

    let (code, answer) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["webhook_removed"], false, "{answer}");
    let cleanup = answer["manual_cleanup"].as_str().expect("instructions");
    assert!(cleanup.contains(&webhook_id.to_string()), "{cleanup}");
    assert_eq!(hub.sim.webhooks(hub.db).len(), 1, "still in Autotask");
    let (_, status) = hub.status(TENANT).await;
    assert_eq!(status["webhook"]["state"], "orphaned", "{status}");

    // The zone answers right again: the doubtful answer made the hub forget the cached zone, so
    // a second DELETE finds the webhook and deletes it (no restart, no 6-hour wait).
    hub.sim
        .update_api_user(USERNAME, |user| user.zone_url = None);
    let (_, answer) = hub.remove(TENANT).await;
    assert_eq!(answer["webhook_removed"], true, "{answer}");
    assert!(hub.sim.webhooks(hub.db).is_empty());
}
