//! Flood protection: one tenant flooding its hook URL is refused early (429 with Retry-After)
//! while another tenant's callouts are still served at once.

use autotask_sim::sign;
use psa_hub::config::RateLimit;
use reqwest::StatusCode;

use crate::helpers::{completion, fast_config, hook_token, sample, Hub, TENANT};

#[actix_web::test]
async fn a_flooding_tenant_is_limited_while_another_tenant_is_served() {
    let hub = Hub::start_tuned(
        fast_config(),
        |_| {},
        |settings| {
            settings.public.rate_limit = RateLimit {
                per_second: 1,
                burst: 5,
            }
        },
    )
    .await;
    let (_, flooding) = hub.connect(TENANT).await;
    let token_a = hook_token(&flooding);
    let secret_a = hub.webhook_secret(hub.db);
    let (db_b, credentials_b) = hub.add_tenant_user("beta");
    let (_, other) = hub.put_connection("tenant-b", credentials_b).await;
    assert_eq!(other["webhook"]["state"], "active", "{other}");
    let ticket_b = hub.sim.create_ticket(db_b, "Beta's ticket");
    hub.link("tenant-b", "evt-b", ticket_b.0).await;

    // Tenant A floods: distinct, correctly signed callouts, far faster than its rate (30 in
    // well under the 25 s its burst and rate would take to allow them).
    let (mut accepted, mut limited, mut retry_after) = (0, 0, None);
    for sequence in 0..30 {
        let body = completion("guid-a", sequence, 900_000 + sequence, "flood");
        let response = hub
            .http
            .post(format!("{}/hooks/autotask/{token_a}", hub.public))
            .header("Content-Type", "application/json")
            .header("X-Hook-Signature", sign(&secret_a, &body))
            .body(body)
            .send()
            .await
            .expect("answers");
        match response.status() {
            StatusCode::OK => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                limited += 1;
                retry_after = response.headers().get("retry-after").cloned();
                let answer: serde_json::Value = response.json().await.expect("json");
                assert_eq!(answer["error"]["code"], "rate_limited", "{answer}");
            }
            other => panic!("{other}"),
        }
    }
    assert!(accepted >= 5, "the burst passes: {accepted}");
    assert!(
        limited >= 1 && accepted + limited == 30,
        "{accepted} + {limited}"
    );
    let seconds: u64 = retry_after
        .expect("a Retry-After")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("whole seconds");
    assert!(seconds >= 1);
    // Refused callouts left no trace: only the accepted ones were recorded (as unlinked).
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"unlinked\"}"
        ),
        f64::from(accepted)
    );
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"rate_limited\"}"
        ),
        f64::from(limited)
    );

    // Tenant B, meanwhile, is served at once: its bucket is its own.
    hub.sim.complete_ticket(db_b, ticket_b, "B is fine");
    let closed = hub.closed_event("tenant-b", "evt-b").await;
    assert_eq!(closed["resolution"], "B is fine");
}
