//! The public callout path: what is refused (and changes nothing), what is acknowledged, and
//! that one tenant's token and secret can never touch another tenant's events.

use autotask_sim::sign;
use reqwest::StatusCode;

use crate::helpers::{completion, hook_token, sample, Hub, TENANT};

/// A connected tenant with an open event on a fresh ticket: (hub, token, secret, ticket id).
async fn connected_with_event() -> (Hub, String, String, i64) {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    let ticket = hub.sim.create_ticket(hub.db, "Mailbox forwarding rule").0;
    hub.link(TENANT, "evt-1", ticket).await;
    let secret = hub.webhook_secret(hub.db);
    (hub, hook_token(&status), secret, ticket)
}

async fn still_open(hub: &Hub) {
    let (_, event) = hub.event(TENANT, "evt-1").await;
    assert_eq!(event["status"], "open", "{event}");
    assert!(event["resolution"].is_null());
}

#[actix_web::test]
async fn bad_or_missing_signatures_are_refused_and_change_nothing() {
    let (hub, token, secret, ticket) = connected_with_event().await;
    let body = completion("guid-1", 1, ticket, "forged");

    let (code, answer) = hub.post_callout(&token, &body, None).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(answer["error"]["code"], "bad_signature");
    let (code, _) = hub
        .post_callout(&token, &body, Some(&sign("wrong-secret", &body)))
        .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    let (code, _) = hub
        .post_callout(&token, &body, Some("sha1=not base64!"))
        .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    // Signed, then altered in one byte.
    let mut altered = body.clone();
    let signature = sign(&secret, &body);
    let at = altered.iter().position(|b| *b == b'f').expect("an f");
    altered[at] = b'F';
    let (code, _) = hub.post_callout(&token, &altered, Some(&signature)).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    still_open(&hub).await;

    // The same body with the right signature is accepted: only the signature was wrong.
    let (code, answer) = hub.post_callout(&token, &body, Some(&signature)).await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "closed");
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"bad_signature\"}"
        ),
        4.0
    );
}

#[actix_web::test]
async fn unknown_malformed_oversized_and_non_json_callouts_get_precise_errors() {
    let (hub, token, secret, ticket) = connected_with_event().await;
    let body = completion("guid-1", 1, ticket, "x");
    let signature = sign(&secret, &body);

    let (code, answer) = hub
        .post_callout("no-such-token", &body, Some(&signature))
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"]["code"], "unknown_token");

    let malformed = br#"{"Action":"Update","Fields":{"Status":5}}"#;
    let (code, answer) = hub
        .post_callout(&token, malformed, Some(&sign(&secret, malformed)))
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "malformed");
    let not_json = b"CompletedDate=today";
    let (code, _) = hub
        .post_callout(&token, not_json, Some(&sign(&secret, not_json)))
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);

    let mut huge = body.clone();
    huge.truncate(huge.len() - 1);
    huge.extend_from_slice(format!(",\"Padding\":\"{}\"}}", "x".repeat(70 * 1024)).as_bytes());
    let (code, answer) = hub
        .post_callout(&token, &huge, Some(&sign(&secret, &huge)))
        .await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");

    let path = format!("/hooks/autotask/{token}");
    let (code, answer) = hub
        .post_public(&path, &body, Some(&signature), "text/plain")
        .await;
    assert_eq!(code, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
    still_open(&hub).await;

    let (code, _) = hub
        .post_public(
            &path,
            &body,
            Some(&signature),
            "application/json; charset=utf-8",
        )
        .await;
    assert_eq!(code, StatusCode::OK, "a charset parameter is fine");
}

#[actix_web::test]
async fn a_replayed_callout_is_acknowledged_without_a_second_effect() {
    let (hub, token, _, ticket) = connected_with_event().await;
    let id = autotask_sim::TicketId(ticket);
    hub.sim
        .complete_ticket(hub.db, id, "Quarantined the message");
    let closed = hub.closed_event(TENANT, "evt-1").await;
    let completion = hub.deliveries(1).await.remove(0);
    // The ticket is reopened: its completion date is cleared, and Autotask says so.
    hub.sim
        .update_ticket(hub.db, id, serde_json::json!({"status": 8}));
    hub.deliveries(2).await;
    // Linked now, a second event stays open: the latest callout is the reopening.
    let (_, second) = hub.link(TENANT, "evt-2", ticket).await;
    assert_eq!(second["status"], "open", "{second}");
    let before = hub.metrics().await;

    // The completion again, as Autotask retries it: acknowledged, and nothing closes.
    let (code, answer) = hub
        .post_callout(&token, &completion.body, completion.signature.as_deref())
        .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "duplicate");
    let (_, again) = hub.event(TENANT, "evt-1").await;
    assert_eq!(again, closed, "evt-1 is unchanged");
    let (_, second) = hub.event(TENANT, "evt-2").await;
    assert_eq!(
        second["status"], "open",
        "the replay closed nothing: {second}"
    );
    let after = hub.metrics().await;
    let closed_total = "psa_hub_events_closed_total";
    assert_eq!(sample(&after, closed_total), sample(&before, closed_total));
    let duplicates = "psa_hub_callouts_received_total{outcome=\"duplicate\"}";
    assert_eq!(
        sample(&after, duplicates),
        sample(&before, duplicates) + 1.0
    );
}

#[actix_web::test]
async fn a_replay_with_other_whitespace_and_escapes_is_still_a_duplicate() {
    let (hub, token, secret, ticket) = connected_with_event().await;
    // Without Guid and SequenceNumber, the body itself identifies the callout.
    let body = format!(
        r#"{{"Action":"Update","EntityType":"Ticket","Id":{ticket},"Fields":{{"CompletedDate":"2026-11-27T12:00:00Z","Resolution":"Reset \u0026 revoked"}}}}"#
    );
    let signature = sign(&secret, body.as_bytes());
    let (code, answer) = hub
        .post_callout(&token, body.as_bytes(), Some(&signature))
        .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "closed");
    // The same callout re-encoded: the signature (over the canonical form) still verifies, so
    // it must be recognised as the same callout, not applied again.
    let spaced = body
        .replace("\\u0026", "&")
        .replace("\":", "\": ")
        .replace(',', ", ");
    assert_ne!(spaced, body);
    let (code, answer) = hub
        .post_callout(&token, spaced.as_bytes(), Some(&signature))
        .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "duplicate");
    let event = hub.closed_event(TENANT, "evt-1").await;
    assert_eq!(event["resolution"], "Reset & revoked");
}

#[actix_web::test]
async fn a_completion_retried_after_the_reopening_that_followed_it_closes_nothing() {
    let (hub, token, secret, ticket) = connected_with_event().await;
    // The reopening (sequence 6) arrives first; the completion before it (5) is a late retry.
    let reopening = serde_json::to_vec(&serde_json::json!({
        "Action": "Update", "Guid": "guid-1", "EntityType": "Ticket", "Id": ticket,
        "Fields": {"CompletedDate": null, "Status": 8}, "SequenceNumber": 6
    }))
    .expect("serializes");
    let (code, answer) = hub
        .post_callout(&token, &reopening, Some(&sign(&secret, &reopening)))
        .await;
    assert_eq!(
        (code, answer["outcome"].clone()),
        (StatusCode::OK, "recorded".into())
    );
    let late = completion("guid-1", 5, ticket, "stale");
    let (code, answer) = hub
        .post_callout(&token, &late, Some(&sign(&secret, &late)))
        .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "superseded");
    still_open(&hub).await;

    // A completion after the reopening still closes it.
    let done = completion("guid-1", 7, ticket, "done for real");
    let (_, answer) = hub
        .post_callout(&token, &done, Some(&sign(&secret, &done)))
        .await;
    assert_eq!(answer["outcome"], "closed", "{answer}");
}

#[actix_web::test]
async fn an_unlinked_ticket_is_acknowledged_and_counted() {
    let (hub, token, secret, _) = connected_with_event().await;
    let body = completion("guid-9", 7, 987_654, "not ours");
    let (code, answer) = hub
        .post_callout(&token, &body, Some(&sign(&secret, &body)))
        .await;
    assert_eq!(code, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "unlinked");
    still_open(&hub).await;
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"unlinked\"}"
        ),
        1.0
    );

    // Linked later, the event closes from the completion already received.
    let (_, event) = hub.link(TENANT, "evt-late", 987_654).await;
    assert_eq!(event["status"], "closed");
    assert_eq!(event["resolution"], "not ours");
}

#[actix_web::test]
async fn one_tenants_token_and_secret_never_close_another_tenants_event() {
    let (hub, token_a, secret_a, ticket_a) = connected_with_event().await;
    let (db_b, credentials_b) = hub.add_tenant_user("beta");
    let (_, status_b) = hub.put_connection("tenant-b", credentials_b).await;
    assert_eq!(status_b["webhook"]["state"], "active", "{status_b}");
    let token_b = hook_token(&status_b);
    // Ticket ids are per database; take one that A has not linked, so A's answer is telling.
    let mut ticket = hub.sim.create_ticket(db_b, "Beta's ticket");
    while ticket.0 == ticket_a {
        ticket = hub.sim.create_ticket(db_b, "Beta's ticket");
    }
    let ticket_b = ticket.0;
    hub.link("tenant-b", "evt-b", ticket_b).await;

    // A's secret on B's token: refused.
    let body = completion("guid-x", 1, ticket_b, "attack");
    let (code, _) = hub
        .post_callout(&token_b, &body, Some(&sign(&secret_a, &body)))
        .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    // A's token and secret naming B's ticket: only A's events are looked at.
    let (code, answer) = hub
        .post_callout(&token_a, &body, Some(&sign(&secret_a, &body)))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(answer["outcome"], "unlinked");
    let (_, event_b) = hub.event("tenant-b", "evt-b").await;
    assert_eq!(event_b["status"], "open", "{event_b}");
    // And B's events are not visible through A.
    let (code, _) = hub.event(TENANT, "evt-b").await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    // B's own completion still closes B's event.
    hub.sim.complete_ticket(db_b, ticket, "B fixed it");
    let closed = hub.closed_event("tenant-b", "evt-b").await;
    assert_eq!(closed["resolution"], "B fixed it");
}

#[actix_web::test]
async fn the_tickets_create_date_decides_when_the_product_gave_one() {
    let hub = Hub::start().await;
    hub.connect(TENANT).await;
    let same = hub
        .sim
        .create_ticket(hub.db, "created when the product says");
    let created = hub.sim.ticket(hub.db, same).expect("ticket")["createDate"]
        .as_str()
        .expect("createDate")
        .to_owned();
    let (code, _) = hub.link_created(TENANT, "evt-same", same.0, &created).await;
    assert_eq!(code, StatusCode::CREATED);
    // Same id, but the product remembers another ticket (e.g. from before a database restore).
    let other = hub
        .sim
        .create_ticket(hub.db, "another ticket under a reused id");
    let (code, _) = hub
        .link_created(TENANT, "evt-other", other.0, "2020-01-01T00:00:00Z")
        .await;
    assert_eq!(code, StatusCode::CREATED);

    hub.sim.complete_ticket(hub.db, same, "matched");
    hub.sim
        .complete_ticket(hub.db, other, "not this event's ticket");
    assert_eq!(
        hub.closed_event(TENANT, "evt-same").await["resolution"],
        "matched"
    );
    hub.deliveries(2).await;
    let (_, event) = hub.event(TENANT, "evt-other").await;
    assert_eq!(event["status"], "open", "{event}");
    let metrics = hub.metrics().await;
    assert_eq!(
        sample(
            &metrics,
            "psa_hub_callouts_received_total{outcome=\"created_at_mismatch\"}"
        ),
        1.0
    );
}
