//! A ticket's closure read from the simulator: the flag, the dates and the newest resolution
//! note, in as few calls as possible.

use connectwise_sim::NoteKind;
use psa_proto::{ErrorClass, TicketId};

use crate::helpers::*;

#[tokio::test]
async fn an_open_ticket_costs_one_read() {
    let world = world().await;
    let ticket = world
        .sim
        .create_ticket(&world.company, "Suspicious sign-in");
    let connection = world.connect().await;
    world.sim.clear_requests();
    let closure = connection
        .ticket_closure(TicketId(ticket.0))
        .await
        .expect("read");
    assert!(!closure.closed && closure.closed_at.is_none() && closure.resolution.is_none());
    assert!(closure.created_at.is_some());
    assert_eq!(
        world.calls(),
        vec![format!("GET service/tickets/{}", ticket.0)]
    );
}

#[tokio::test]
async fn a_closed_ticket_gives_its_newest_resolution_note() {
    let world = world().await;
    let ticket = world
        .sim
        .create_ticket(&world.company, "Suspicious sign-in");
    world.sim.add_note(
        &world.company,
        ticket,
        NoteKind::Detail,
        "user reports a prompt",
    );
    world
        .sim
        .close_ticket(&world.company, ticket, "Reset the password");
    world.sim.add_note(
        &world.company,
        ticket,
        NoteKind::Resolution,
        "Also revoked sessions",
    );
    world.sim.add_note(
        &world.company,
        ticket,
        NoteKind::Internal,
        "internal remark",
    );
    let connection = world.connect().await;
    world.sim.clear_requests();
    let closure = connection
        .ticket_closure(TicketId(ticket.0))
        .await
        .expect("read");
    assert!(closure.closed && closure.closed_at.is_some());
    assert_eq!(closure.resolution.as_deref(), Some("Also revoked sessions"));
    assert_eq!(
        world.calls(),
        vec![
            format!("GET service/tickets/{}", ticket.0),
            format!(
                "GET service/tickets/{}/notes?conditions=resolutionFlag=true&orderBy=id desc&pageSize=10",
                ticket.0
            ),
        ]
    );
    world.sim.reopen_ticket(&world.company, ticket);
    let reopened = connection
        .ticket_closure(TicketId(ticket.0))
        .await
        .expect("read");
    assert!(!reopened.closed && reopened.resolution.is_none());
}

#[tokio::test]
async fn a_ticket_that_does_not_exist_is_not_found() {
    let world = world().await;
    let error = world
        .connect()
        .await
        .ticket_closure(TicketId(424242))
        .await
        .expect_err("missing");
    assert_eq!(error.class, ErrorClass::NotFound);
    // Believed only because a listing of its id confirmed it.
    let calls = world.calls();
    assert_eq!(
        calls[1..],
        [
            "GET service/tickets/424242".to_owned(),
            "GET service/tickets?conditions=id=424242&orderBy=id asc&page=1&pageSize=100"
                .to_owned()
        ],
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_not_found_read_of_a_ticket_that_is_listed_is_tried_again() {
    let world = world().await;
    let ticket = world.sim.create_ticket(&world.company, "x");
    let connection = world.connect().await;
    world.sim.inject(connectwise_sim::Fault {
        op: connectwise_sim::Op::TicketGet,
        times: 1,
        kind: connectwise_sim::FaultKind::Status {
            status: 404,
            body: serde_json::json!({"code": "NotFound", "message": "Ticket not found"}),
        },
    });
    let error = connection
        .ticket_closure(TicketId(ticket.0))
        .await
        .expect_err("unconfirmed");
    assert_eq!(error.class, ErrorClass::Transient, "{error:?}");
    let closure = connection
        .ticket_closure(TicketId(ticket.0))
        .await
        .expect("read the second time");
    assert!(!closure.closed);
}
