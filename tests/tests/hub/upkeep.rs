//! Upkeep: the delivery log is pruned past its retention, `/readyz` says when stored
//! connections have no actor, and a setup failing for over a day says so.

use psa_hub::crypto::MasterKey;
use reqwest::StatusCode;

use crate::helpers::{sample, Hub, TENANT};

#[actix_web::test]
async fn deliveries_past_their_retention_are_pruned_and_recent_ones_kept() {
    let mut hub = Hub::start().await;
    hub.connect(TENANT).await;
    let ticket = hub.sim.create_ticket(hub.db, "recent");
    hub.link(TENANT, "evt-1", ticket.0).await;
    hub.sim.complete_ticket(hub.db, ticket, "done");
    hub.closed_event(TENANT, "evt-1").await;
    let db = hub.database().await;
    let forty_days_ago = chrono::Utc::now().timestamp_millis() - 40 * 86_400_000;
    sqlx::query(
        "INSERT INTO deliveries (tenant_id, psa, dedupe_key, ticket_id, action, completed, \
           received_at, outcome) \
         VALUES ($1, 'autotask', 'old-callout', 7, 'update', 1, $2, 'unlinked')",
    )
    .bind(TENANT)
    .bind(forty_days_ago)
    .execute(&db)
    .await
    .expect("inserts");

    // Pruning runs at start (and hourly).
    hub.restart().await;
    hub.metric_reaches("psa_hub_deliveries_pruned_total", 1.0)
        .await;
    let keys: Vec<(String,)> = sqlx::query_as("SELECT dedupe_key FROM deliveries")
        .fetch_all(&db)
        .await
        .expect("reads");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_ne!(keys[0].0, "old-callout");
}

#[actix_web::test]
async fn a_connection_that_cannot_be_read_keeps_the_hub_not_ready() {
    let mut hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let webhook_id = status["webhook"]["id"].clone();
    let (code, ready) = hub.call(reqwest::Method::GET, "/readyz", None).await;
    assert_eq!(code, StatusCode::OK, "{ready}");

    // Restarted with another master key, the stored credentials cannot be opened.
    hub.settings.secrets.master_key = MasterKey::generate();
    hub.restart().await;
    let (code, ready) = hub.call(reqwest::Method::GET, "/readyz", None).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready["status"], "not_ready");
    let reason = ready["reason"].as_str().expect("a reason");
    assert!(
        reason.contains("1 stored connection(s) could not be read"),
        "{reason}"
    );
    let (code, _) = hub.call(reqwest::Method::GET, "/healthz", None).await;
    assert_eq!(code, StatusCode::OK, "alive, just not ready");
    let (code, status) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::CONFLICT, "{status}");
    assert_eq!(status["error"]["code"], "connection_unreadable");

    // The operator lets it go: it is deleted without calling Autotask (its credentials cannot be
    // read), the answer says what to delete by hand, and the hub is ready again.
    let (code, removal) = hub.remove(TENANT).await;
    assert_eq!(code, StatusCode::OK, "{removal}");
    assert_eq!(removal["webhook_removed"], false);
    let manual = removal["manual_cleanup"].as_str().expect("instructions");
    assert!(manual.contains(&webhook_id.to_string()), "{manual}");
    let (code, ready) = hub.call(reqwest::Method::GET, "/readyz", None).await;
    assert_eq!(code, StatusCode::OK, "{ready}");
    let (code, _) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_setup_failing_for_over_a_day_says_so_and_keeps_retrying() {
    let hub = Hub::start_with(crate::helpers::fast_config(), |user| user.locked = true).await;
    let (_, status) = hub.connect(TENANT).await;
    assert_eq!(status["webhook"]["state"], "failed", "{status}");
    assert!(status["webhook"]["failing_since"].is_string(), "{status}");
    // As if it had been failing for two days.
    let db = hub.database().await;
    let two_days_ago = chrono::Utc::now().timestamp_millis() - 2 * 86_400_000;
    sqlx::query("UPDATE connections SET failing_since = $1")
        .bind(two_days_ago)
        .execute(&db)
        .await
        .expect("updates");
    let (_, status) = hub.retry(TENANT).await;
    let message = status["webhook"]["last_error"]["message"]
        .as_str()
        .expect("a message");
    assert!(message.contains("more than a day"), "{message}");
    assert!(message.contains("keeps retrying"), "{message}");
    assert_eq!(
        status["webhook"]["last_error"]["code"],
        "credentials_rejected"
    );
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(&metrics, "psa_hub_connections_failing_over_a_day"),
        1.0
    );

    // Fixed, the next attempt succeeds and the failure run ends.
    hub.sim
        .update_api_user(crate::helpers::USERNAME, |user| user.locked = false);
    let (_, status) = hub.retry(TENANT).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    assert!(status["webhook"]["failing_since"].is_null());
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(&metrics, "psa_hub_connections_failing_over_a_day"),
        0.0
    );
}
