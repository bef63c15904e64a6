//! Through a real hub: the whole story from PUT to a closed event, and callouts replayed or
//! forged on the public listener.

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{Delivered, Harness, Hook};
use crate::hub::Hub;
use crate::wait::{sample, until};

const TENANT: &str = "tenant-a";
const RESOLUTION: &str = "Password reset; MFA enforced";

/// A hub connected to the harness's PSA for `TENANT`, its webhook active.
async fn connected<H: Harness>(harness: &H) -> (Hub, Value) {
    let hub = Hub::start(|s| harness.tune_hub(s)).await;
    let status = hub.connect(harness, TENANT).await;
    (hub, status)
}

/// Links `event` to a new ticket, closes it in the PSA and waits for the event to close;
/// returns the callout that closed it.
async fn close_through_callout<H: Harness>(harness: &H, hub: &Hub, event: &str) -> Delivered {
    let ticket = harness.create_ticket("Suspicious sign-in");
    hub.link(TENANT, event, ticket).await;
    assert_eq!(hub.event(TENANT, event).await["status"], "open");
    harness.close_ticket(ticket, RESOLUTION);
    let closed = hub.closed_event(TENANT, event).await;
    assert_eq!(closed["resolution"], RESOLUTION, "{closed}");
    assert_eq!(closed["ticket_id"], ticket, "{closed}");
    // The PSA records its delivery once our answer reached it, maybe after the event closed.
    until(|| async {
        let mut closing = harness.closing_callouts();
        match closing.len() {
            1 => Ok(closing.remove(0)),
            _ => Err(format!("one callout closes it: {closing:?}")),
        }
    })
    .await
}

pub async fn the_whole_story_closes_the_event_with_the_resolution<H: Harness>() {
    let harness = H::start().await;
    let (hub, status) = connected(&harness).await;
    let url = status["webhook"]["url"].as_str().expect("a webhook url");
    assert!(
        url.starts_with(&format!("{}/hooks/{}/", hub.public, H::NAME)),
        "{url}"
    );
    assert_eq!(status["webhook"]["banner"], Value::Null, "{status}");
    let id = harness.webhooks().first().expect("a webhook").id;
    assert_eq!(
        harness.webhooks(),
        vec![Hook {
            id,
            url: H::stored_url(url)
        }]
    );
    close_through_callout(&harness, &hub, "evt-story").await;
    let closed = format!("psa_hub_events_closed_total{{psa=\"{}\"}}", H::NAME);
    assert_eq!(hub.metric_reaches(&closed, 1.0).await, 1.0);
}

pub async fn the_same_callout_twice_has_one_effect<H: Harness>() {
    let harness = H::start().await;
    let (hub, _) = connected(&harness).await;
    let callout = close_through_callout(&harness, &hub, "evt-replay").await;
    let before = hub.event(TENANT, "evt-replay").await;
    assert!(
        hub.post(&callout, H::SIGNATURE_HEADER).await.is_success(),
        "a replay is acknowledged"
    );
    let duplicate = format!(
        "psa_hub_callouts_received_total{{psa=\"{}\",outcome=\"duplicate\"}}",
        H::NAME
    );
    assert_eq!(hub.metric_reaches(&duplicate, 1.0).await, 1.0);
    let metrics = hub.metrics().await;
    let closed = format!("psa_hub_events_closed_total{{psa=\"{}\"}}", H::NAME);
    assert_eq!(sample(&metrics, &closed), 1.0, "one effect");
    assert_eq!(hub.event(TENANT, "evt-replay").await, before);
}

pub async fn a_forged_signature_is_refused_and_closes_nothing<H: Harness>() {
    let harness = H::start().await;
    let (hub, _) = connected(&harness).await;
    let genuine = close_through_callout(&harness, &hub, "evt-real").await;
    let target = harness.create_ticket("Impossible travel");
    hub.link(TENANT, "evt-target", target).await;
    let mut forged = harness.retell(&genuine, target, "Forged: nothing happened");
    forged.signature = harness.sign(&forged.body, false);
    assert_eq!(
        hub.post(&forged, H::SIGNATURE_HEADER).await,
        StatusCode::UNAUTHORIZED
    );
    let refused = format!(
        "psa_hub_callouts_received_total{{psa=\"{}\",outcome=\"bad_signature\"}}",
        H::NAME
    );
    hub.metric_reaches(&refused, 1.0).await;
    let event = hub.event(TENANT, "evt-target").await;
    assert_eq!(event["status"], "open", "{event}");
    let closed = format!("psa_hub_events_closed_total{{psa=\"{}\"}}", H::NAME);
    assert_eq!(sample(&hub.metrics().await, &closed), 1.0);
    // The same message signed with the real key is accepted: only the signature was wrong.
    forged.signature = harness.sign(&forged.body, true);
    let status = hub.post(&forged, H::SIGNATURE_HEADER).await;
    assert!(status.is_success(), "{status}");
}
