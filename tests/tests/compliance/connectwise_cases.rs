//! ConnectWise cases of the whole hub with no Autotask counterpart: callbacks of a new company
//! after the connection moved to it, and a closure read that ConnectWise answers "not found".

use std::time::Duration;

use connectwise_sim::{
    ApiMember, CompanyId, DeliveryOutcome, Fault, FaultKind, Op, SimConfig, Simulator,
};
use psa_hub::local::LOCAL_CLIENT_ID;
use reqwest::Method;
use serde_json::json;

use crate::hub::Hub;
use crate::wait::until_true;

const PATH: &str = "/api/v1/tenants/t1/connectwise";

fn fast() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        callback_timeout: Duration::from_secs(5_000),
        client_ids: vec![LOCAL_CLIENT_ID.into()],
        ..SimConfig::default()
    }
}

/// A company with an API member whose keys are derived from its id.
fn company(sim: &Simulator, id: &str) -> CompanyId {
    let company = sim.add_company(id, &format!("{id} MSP"));
    let (public, private) = keys(id);
    sim.add_member(&company, ApiMember::new("Api", &public, &private));
    company
}

fn keys(id: &str) -> (String, String) {
    (format!("pub{id}12345"), format!("priv{id}12345"))
}

/// PUTs t1's connection to `id`'s company and expects its callback active.
async fn connect(hub: &Hub, sim: &Simulator, id: &str) {
    let (public, private) = keys(id);
    let body = json!({"site": sim.site_url(), "company_id": id, "public_key": public,
                      "private_key": private});
    let (status, answer) = hub.call(Method::PUT, PATH, Some(body)).await;
    assert!(status.is_success(), "{answer}");
    assert_eq!(answer["webhook"]["state"], "active", "{answer}");
}

fn outcomes_of(sim: &Simulator, company: &CompanyId) -> Vec<DeliveryOutcome> {
    let deliveries = sim.deliveries().into_iter();
    deliveries
        .filter(|d| &d.company == company)
        .map(|d| d.outcome)
        .collect()
}

#[actix_web::test]
async fn after_moving_to_another_company_its_callbacks_close_events() {
    let sim = Simulator::spawn(fast()).await.expect("simulator starts");
    let (cobalt, zinc) = (company(&sim, "Cobalt"), company(&sim, "Zinc"));
    let hub = Hub::start(|_| {}).await;
    connect(&hub, &sim, "Cobalt").await;
    connect(&hub, &sim, "Zinc").await;
    assert_eq!(sim.callbacks(&zinc).len(), 1);
    assert!(
        sim.callbacks(&cobalt).is_empty(),
        "the old company's callback is removed"
    );

    let ticket = sim.create_ticket(&zinc, "alert");
    hub.link("t1", "evt-z", ticket.0).await;
    sim.close_ticket(&zinc, ticket, "Reset the password");
    let event = hub.closed_event("t1", "evt-z").await;
    assert_eq!(event["resolution"], "Reset the password", "{event}");
    let outcomes = outcomes_of(&sim, &zinc);
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, DeliveryOutcome::Delivered(_))),
        "every callback of the new company is accepted: {outcomes:?}"
    );
}

#[actix_web::test]
async fn a_ticket_read_answered_not_found_keeps_the_acknowledged_closure() {
    let sim = Simulator::spawn(fast()).await.expect("simulator starts");
    let cobalt = company(&sim, "Cobalt");
    let hub = Hub::start(|_| {}).await;
    connect(&hub, &sim, "Cobalt").await;
    let ticket = sim.create_ticket(&cobalt, "alert");
    hub.link("t1", "evt-1", ticket.0).await;
    // Once, as a stale API address or ConnectWise cloud rejecting keys would answer.
    sim.inject(Fault {
        op: Op::TicketGet,
        times: 1,
        kind: FaultKind::Status {
            status: 404,
            body: json!({"code": "NotFound", "message": "Ticket not found"}),
        },
    });
    sim.close_ticket(&cobalt, ticket, "Quarantined");
    // The hub asked again by listing the ticket's id, and ConnectWise listed it.
    until_true("the not-found read is questioned by a listing", || async {
        sim.requests().iter().any(|r| {
            r.op == Op::TicketList
                && r.query.contains(&ticket.0.to_string())
                && r.status == Some(200)
        })
    })
    .await;
    let event = hub.event("t1", "evt-1").await;
    assert_eq!(event["status"], "open", "{event}");

    // The next closure of the connection (another ticket) has every pending lookup read: the
    // first closure was kept, so its event closes now.
    let other = sim.create_ticket(&cobalt, "another alert");
    sim.close_ticket(&cobalt, other, "Done too");
    let event = hub.closed_event("t1", "evt-1").await;
    assert_eq!(event["resolution"], "Quarantined", "{event}");
}
