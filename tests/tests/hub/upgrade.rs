//! A database written by the release before PSA providers (`tests/fixtures/release-0.1`, made by
//! that release's own hub against its simulator) opens in this one unchanged in meaning: the
//! same connections, states, webhook URLs (byte for byte), events and pending clean-ups, and its
//! sealed credentials still authenticate.

use std::path::Path;

use autotask_sim::{sign, ApiUser};
use psa_hub::crypto::MasterKey;
use serde_json::Value;
use url::Url;

use crate::helpers::{completion, fast_config, hook_token, sample, Hub, CODE, SECRET, TENANT};
use crate::wait::until_true;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/release-0.1");

fn release() -> Value {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("release.json")).expect("fixture");
    serde_json::from_str(&text).expect("fixture json")
}

/// A hub on a copy of the old database, with the old master key and public URL, and a
/// simulated Autotask holding the old tenants' API users.
async fn upgraded(release: &Value, dir: &tempfile::TempDir) -> Hub {
    let db = dir.path().join("old.db");
    std::fs::copy(Path::new(FIXTURE).join("hub.db"), &db).expect("copy fixture");
    let key = MasterKey::from_base64(release["master_key"].as_str().expect("key")).expect("key");
    let old_url = Url::parse(
        release["tenant_a"]["status"]["webhook"]["url"]
            .as_str()
            .expect("url"),
    )
    .expect("url");
    let base = Url::parse(&old_url.origin().ascii_serialization()).expect("base");
    let hub = Hub::start_tuned(
        fast_config(),
        |_| {},
        |settings| {
            settings.database.url = format!("sqlite://{}", db.display());
            settings.secrets.master_key = key;
            settings.public.url = Some(base);
        },
    )
    .await;
    let beta = hub.sim.add_database("Beta MSP");
    for user in ["api@beta-msp.example", "second@beta-msp.example"] {
        hub.sim.add_api_user(beta, ApiUser::new(user, SECRET, CODE));
    }
    hub
}

#[actix_web::test]
async fn a_database_of_the_previous_release_is_carried_over_unchanged() {
    let release = release();
    let dir = tempfile::tempdir().expect("dir");
    let hub = upgraded(&release, &dir).await;
    let old = &release["tenant_a"]["status"];
    let (_, now) = hub.status(TENANT).await;
    assert_eq!(now["psa"], "autotask");
    for field in ["username", "notification_email", "zone", "created_at"] {
        assert_eq!(now[field], old[field], "{field}: {now}");
    }
    for field in ["state", "id", "guid", "name", "url"] {
        assert_eq!(
            now["webhook"][field], old["webhook"][field],
            "webhook.{field}"
        );
    }
    let (_, closed) = hub.event(TENANT, "evt-closed").await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["resolution"], "Reset the password");
    assert_eq!(closed["psa"], "autotask");
    let (_, c) = hub.status("tenant-c").await;
    assert_eq!(c["webhook"]["state"], "setup_incomplete");
    assert_eq!(c["webhook"]["banner"]["color"], "blue");
    assert_eq!(c["username"], "api@gamma-msp.example");

    // Autotask keeps calling the URL it has: the callout closes the open event.
    let ticket = release["tenant_a"]["open_ticket"].as_i64().expect("ticket");
    let secret = release["tenant_a"]["webhook_secret"]
        .as_str()
        .expect("secret");
    let body = completion("guid-upgrade", 1, ticket, "Blocked the sender");
    let token = hook_token(old);
    let (status, _) = hub
        .post_callout(&token, &body, Some(&sign(secret, &body)))
        .await;
    assert!(status.is_success(), "{status}");
    let event = hub.closed_event(TENANT, "evt-open").await;
    assert_eq!(event["resolution"], "Blocked the sender");
}

#[actix_web::test]
async fn a_pending_clean_up_of_the_previous_release_finishes_with_its_old_credentials() {
    let release = release();
    let dir = tempfile::tempdir().expect("dir");
    let hub = upgraded(&release, &dir).await;
    let old = &release["tenant_b"]["status"]["replaced_webhooks"][0];
    assert_eq!(old["username"], "api@beta-msp.example");
    // The restarted hub retries the clean-up with the replaced user's sealed credentials;
    // Autotask confirms that webhook gone (this simulator never had it).
    hub.metric_reaches("psa_hub_webhook_cleanups_total{outcome=\"removed\"}", 1.0)
        .await;
    until_true("the clean-up leaves the status", || async {
        let (_, status) = hub.status("tenant-b").await;
        status["replaced_webhooks"] == serde_json::json!([])
    })
    .await;
    let used_old_user = hub
        .sim
        .requests()
        .iter()
        .any(|r| r.header("UserName") == Some("api@beta-msp.example") && r.status == Some(200));
    assert!(used_old_user, "the old user's credentials were used");
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_webhook_cleanups_total{outcome=\"gave_up\"}"
        ),
        0.0
    );
}
