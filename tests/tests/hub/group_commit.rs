//! Group commit: callouts arriving together share a transaction, yet each is answered with its
//! own effect, only once committed, and one that cannot be stored fails alone.

use autotask_sim::sign;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{completion, hook_token, Hub, TENANT};

const OTHER: &str = "tenant-b";
const PER_TENANT: i64 = 60;

/// Two connected tenants, each with `PER_TENANT` open events on tickets `base + n`:
/// (hub, [(tenant, token, secret, base)]).
async fn two_tenants_with_events() -> (Hub, Vec<(&'static str, String, String, i64)>) {
    let hub = Hub::start().await;
    let (_, status) = hub.connect(TENANT).await;
    let first = (
        TENANT,
        hook_token(&status),
        hub.webhook_secret(hub.db),
        1_000,
    );
    let (db_b, credentials_b) = hub.add_tenant_user("beta");
    let (_, status) = hub.put_connection(OTHER, credentials_b).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    let second = (OTHER, hook_token(&status), hub.webhook_secret(db_b), 5_000);
    let tenants = vec![first, second];
    for (tenant, _, _, base) in &tenants {
        for n in 0..PER_TENANT {
            let (code, body) = hub.link(tenant, &format!("evt-{n}"), base + n).await;
            assert_eq!(code, StatusCode::CREATED, "{body}");
        }
    }
    (hub, tenants)
}

async fn post_signed(hub: &Hub, token: &str, secret: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let signature = sign(secret, &body);
    hub.post_callout(token, &body, Some(&signature)).await
}

#[actix_web::test]
async fn a_burst_from_two_tenants_gets_one_effect_per_callout_each_on_its_own_event() {
    let (hub, tenants) = two_tenants_with_events().await;
    // Every completion at once, each of the first ten twice (as a PSA retrying would).
    let hub = &hub;
    let mut sends = Vec::new();
    for (tenant, token, secret, base) in &tenants {
        for n in 0..PER_TENANT {
            let copies = if n < 10 { 2 } else { 1 };
            for _ in 0..copies {
                let body = completion("guid", n, base + n, &format!("{tenant} fixed {n}"));
                sends
                    .push(async move { (*tenant, n, post_signed(hub, token, secret, body).await) });
            }
        }
    }
    let answers = join_all(sends).await;

    for (tenant, _, _, _) in &tenants {
        for n in 0..PER_TENANT {
            let outcomes: Vec<&str> = answers
                .iter()
                .filter(|(t, m, _)| t == tenant && *m == n)
                .map(|(_, _, (code, answer))| {
                    assert_eq!(*code, StatusCode::OK, "{answer}");
                    answer["outcome"].as_str().unwrap_or("?")
                })
                .collect();
            let mut sorted = outcomes.clone();
            sorted.sort_unstable();
            let expected: &[&str] = if n < 10 {
                &["closed", "duplicate"]
            } else {
                &["closed"]
            };
            assert_eq!(sorted, expected, "{tenant} ticket {n}");
            let event = hub.closed_event(tenant, &format!("evt-{n}")).await;
            assert_eq!(
                event["resolution"],
                format!("{tenant} fixed {n}"),
                "{event}"
            );
        }
    }
}

/// Makes the database refuse any delivery of `ticket`, as a failing disk or a constraint would.
async fn refuse_deliveries_of(hub: &Hub, ticket: i64) {
    let db = hub.database().await;
    let statements = if hub.on_postgres() {
        vec![
            format!(
                "CREATE FUNCTION refuse_ticket() RETURNS trigger AS $$ BEGIN \
                   IF NEW.ticket_id = {ticket} THEN RAISE EXCEPTION 'refused by the test'; END IF; \
                   RETURN NEW; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER refuse_ticket BEFORE INSERT ON deliveries FOR EACH ROW \
             EXECUTE FUNCTION refuse_ticket()"
                .to_owned(),
        ]
    } else {
        vec![format!(
            "CREATE TRIGGER refuse_ticket BEFORE INSERT ON deliveries \
             WHEN NEW.ticket_id = {ticket} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )]
    };
    for statement in statements {
        sqlx::query(&statement)
            .execute(&db)
            .await
            .expect("the trigger is created");
    }
}

#[actix_web::test]
async fn a_callout_that_cannot_be_stored_fails_alone_and_is_asked_for_again() {
    let (hub, tenants) = two_tenants_with_events().await;
    let (tenant, token, secret, base) = &tenants[0];
    let refused = base + 7;
    refuse_deliveries_of(&hub, refused).await;
    let hub = &hub;

    let sends = (0..PER_TENANT).map(|n| {
        let body = completion("guid", n, base + n, "fixed");
        async move { (n, post_signed(hub, token, secret, body).await) }
    });
    for (n, (code, answer)) in join_all(sends).await {
        if base + n == refused {
            assert_eq!(code, StatusCode::TOO_MANY_REQUESTS, "{answer}");
            assert_eq!(answer["error"]["code"], "error", "{answer}");
        } else {
            assert_eq!(code, StatusCode::OK, "ticket {n}: {answer}");
            assert_eq!(answer["outcome"], "closed", "{answer}");
        }
    }
    let (_, event) = hub.event(tenant, "evt-7").await;
    assert_eq!(
        event["status"], "open",
        "nothing was committed for it: {event}"
    );
    let (_, event) = hub.event(tenant, "evt-8").await;
    assert_eq!(event["status"], "closed", "{event}");
}

/// A completion about `ticket`, as a provider hands it to the store.
fn completed(ticket: i64, resolution: &str) -> psa_proto::TicketChange {
    use psa_proto::{ChangeAction, FieldValue, TicketChange, TicketId};
    TicketChange {
        action: ChangeAction::Update,
        webhook_guid: None,
        ticket_id: TicketId(ticket),
        sequence_number: None,
        event_time: None,
        person_id: None,
        ticket_number: None,
        status: FieldValue::Absent,
        completed_at: FieldValue::Set(chrono::Utc::now()),
        resolution: FieldValue::Set(resolution.to_owned()),
        ticket_created_at: FieldValue::Absent,
        needs_lookup: false,
    }
}

#[actix_web::test]
async fn a_dedupe_key_seen_for_another_ticket_is_a_duplicate_and_nul_is_stored() {
    use psa_hub::store::{CalloutEffect, ConnectionKey, NewLink, Store};
    use psa_proto::{EventId, TenantId, TicketId};

    let hub = Hub::start().await;
    hub.connect(TENANT).await;
    let settings = &hub.settings;
    let store = Store::open(
        &settings.database,
        settings.secrets.master_key.clone(),
        vec![psa_autotask::NAME],
    )
    .await
    .expect("a second handle opens");
    let tenant = TenantId::parse(TENANT).expect("an id");
    for (event, ticket) in [("evt-a", 71), ("evt-b", 72)] {
        let link = NewLink {
            tenant: tenant.clone(),
            psa: Some(psa_autotask::NAME),
            event: EventId::parse(event).expect("an id"),
            ticket: TicketId(ticket),
            ticket_created_at: None,
        };
        store.link_event(&link).await.expect("linked");
    }
    let key = ConnectionKey {
        tenant,
        psa: psa_autotask::NAME,
    };
    // A key that does not name the ticket (as ConnectWise's message id does not).
    let first = store
        .apply_callout(&key, "message-1", &completed(71, "fixed\0a"))
        .await
        .expect("stored");
    assert_eq!(first, CalloutEffect::Closed { events: 1 });
    let again = store
        .apply_callout(&key, "message-1", &completed(72, "other"))
        .await
        .expect("stored");
    assert_eq!(again, CalloutEffect::Duplicate);
    let (_, b) = hub.event(TENANT, "evt-b").await;
    assert_eq!(b["status"], "open", "{b}");
    let (_, a) = hub.event(TENANT, "evt-a").await;
    assert_eq!(a["resolution"], "fixed\u{FFFD}a", "{a}");
}
