//! One hub serving a tenant of each PSA at once: each PSA's callout closes only its own
//! tenant's event, a hook token answers only on its own PSA's path, the listing shows both.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{Delivered, Harness};
use crate::hub::{hook_token, Hub};
use crate::wait::until;

/// The same event id in both tenants: events are the tenant's own.
const EVENT: &str = "evt-1";

/// Closes `tenant`'s ticket in its PSA and waits for its event to close with `resolution`;
/// returns the callout that did it.
async fn close<H: Harness>(harness: &H, hub: &Hub, tenant: &str, ticket: i64) -> Delivered {
    let resolution = format!("{} closed it", H::NAME);
    harness.close_ticket(ticket, &resolution);
    let event = hub.closed_event(tenant, EVENT).await;
    assert_eq!(event["resolution"], resolution.as_str(), "{event}");
    until(|| async {
        let closing = harness.closing_callouts();
        closing
            .last()
            .cloned()
            .ok_or(format!("{} callout recorded", H::NAME))
    })
    .await
}

/// `callout` posted on `psa`'s path with the token of another PSA's connection.
async fn on_path(
    hub: &Hub,
    psa: &str,
    status: &Value,
    callout: &Delivered,
    header: &str,
) -> StatusCode {
    let moved = Delivered {
        url: format!("{}/hooks/{psa}/{}", hub.public, hook_token(status)),
        ..callout.clone()
    };
    hub.post(&moved, header).await
}

pub async fn one_hub_serves_both_and_keeps_them_apart<A: Harness, B: Harness>() {
    let (a, b) = (A::start().await, B::start().await);
    let hub = Hub::start(|s| {
        a.tune_hub(s);
        b.tune_hub(s);
    })
    .await;
    let status_a = hub.connect(&a, "tenant-a").await;
    let status_b = hub.connect(&b, "tenant-b").await;
    let (ticket_a, ticket_b) = (a.create_ticket("alert a"), b.create_ticket("alert b"));
    hub.link("tenant-a", EVENT, ticket_a).await;
    hub.link("tenant-b", EVENT, ticket_b).await;

    let callout_a = close(&a, &hub, "tenant-a", ticket_a).await;
    let other = hub.event("tenant-b", EVENT).await;
    assert_eq!(
        other["status"],
        "open",
        "{} closed only its own: {other}",
        A::NAME
    );
    let callout_b = close(&b, &hub, "tenant-b", ticket_b).await;
    let first = hub.event("tenant-a", EVENT).await;
    assert_eq!(
        first["resolution"],
        format!("{} closed it", A::NAME),
        "{first}"
    );

    let wrong_a = on_path(&hub, B::NAME, &status_a, &callout_a, A::SIGNATURE_HEADER).await;
    let wrong_b = on_path(&hub, A::NAME, &status_b, &callout_b, B::SIGNATURE_HEADER).await;
    assert_eq!(
        (wrong_a, wrong_b),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    let right_a = on_path(&hub, A::NAME, &status_a, &callout_a, A::SIGNATURE_HEADER).await;
    assert!(
        right_a.is_success(),
        "on its own path the token is known: {right_a}"
    );

    assert_listed(&hub, "tenant-a", A::NAME).await;
    assert_listed(&hub, "tenant-b", B::NAME).await;
}

/// `GET /api/v1/tenants` lists `tenant` with its one connection, to `psa`, active.
async fn assert_listed(hub: &Hub, tenant: &str, psa: &str) {
    let (status, page) = hub.call(Method::GET, "/api/v1/tenants", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let tenants = page["tenants"].as_array().expect("tenants");
    let entry = tenants
        .iter()
        .find(|t| t["tenant_id"] == tenant)
        .unwrap_or_else(|| panic!("{tenant} listed: {page}"));
    let connections = entry["connections"].as_array().expect("connections");
    assert_eq!(connections.len(), 1, "{entry}");
    assert_eq!(connections[0]["psa"], psa, "{entry}");
    assert_eq!(connections[0]["webhook_state"], "active", "{entry}");
}

/// One tenant connected to both PSAs: a link must say which PSA its ticket is in (409
/// `psa_required` otherwise, and nothing is linked); each PSA's completion closes only the event
/// linked to its own ticket.
pub async fn a_tenant_of_both_links_each_event_to_its_psa<A: Harness, B: Harness>() {
    let (a, b) = (A::start().await, B::start().await);
    let hub = Hub::start(|s| {
        a.tune_hub(s);
        b.tune_hub(s);
    })
    .await;
    let tenant = "tenant-both";
    hub.connect(&a, tenant).await;
    hub.connect(&b, tenant).await;
    let (ticket_a, ticket_b) = (a.create_ticket("alert a"), b.create_ticket("alert b"));
    // The same id in both PSAs: only the PSA a link names tells the events apart.
    assert_eq!(
        ticket_a, ticket_b,
        "the harnesses' simulators number tickets alike"
    );
    let path = format!("/api/v1/tenants/{tenant}/events");
    let unqualified = json!({"event_id": "evt-a", "ticket_id": ticket_a});
    let (status, body) = hub.call(Method::POST, &path, Some(unqualified)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "psa_required", "{body}");
    let (status, _) = hub.call(Method::GET, &format!("{path}/evt-a"), None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the refused link made nothing"
    );

    for (event, ticket, psa) in [("evt-a", ticket_a, A::NAME), ("evt-b", ticket_b, B::NAME)] {
        let body = json!({"event_id": event, "ticket_id": ticket, "psa": psa});
        let (status, linked) = hub.call(Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{linked}");
        assert_eq!(linked["psa"], psa, "{linked}");
    }
    a.close_ticket(ticket_a, "closed in a");
    let event = hub.closed_event(tenant, "evt-a").await;
    assert_eq!(event["resolution"], "closed in a");
    assert_eq!(hub.event(tenant, "evt-b").await["status"], "open");
    b.close_ticket(ticket_b, "closed in b");
    let event = hub.closed_event(tenant, "evt-b").await;
    assert_eq!(event["resolution"], "closed in b");
}
