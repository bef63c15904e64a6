//! Tickets and notes over REST and through the Rust API: closing, reopening, batch reads.

mod common;

use common::*;
use connectwise_sim::{NoteKind, SimConfig, TicketId};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn rest_create_get_and_patch_to_closed() {
    let e = env(SimConfig::default()).await;
    let body = json!({"Summary": "Suspicious sign-in", "board": {"name": "security alerts"},
                      "initialDescription": "Alert 77 from the product"});
    let (s, t) = e.call(Method::POST, "service/tickets", Some(body)).await;
    assert_eq!(s, 201, "{t}");
    let id = t["id"].as_i64().expect("id");
    assert_eq!(t["summary"], json!("Suspicious sign-in"));
    assert_eq!(t["board"], json!({"id": 2, "name": "Security Alerts"}));
    assert_eq!(t["status"], json!({"id": 11, "name": "New"}));
    assert_eq!(t["closedFlag"], json!(false));
    assert!(t.get("closedDate").is_none() && t.get("closedBy").is_none());
    assert_eq!(t["_info"]["enteredBy"], json!(MEMBER));
    let (_, notes) = e
        .call(Method::GET, &format!("service/tickets/{id}/notes"), None)
        .await;
    assert_eq!(notes[0]["text"], json!("Alert 77 from the product"));
    assert_eq!(notes[0]["detailDescriptionFlag"], json!(true));

    let ops = json!([{"op": "replace", "path": "status", "value": {"name": "Resolved"}}]);
    let (s, closed) = e
        .call(Method::PATCH, &format!("service/tickets/{id}"), Some(ops))
        .await;
    assert_eq!(s, 200, "{closed}");
    assert_eq!(closed["status"], json!({"id": 14, "name": "Resolved"}));
    assert_eq!(closed["closedFlag"], json!(true));
    assert_eq!(closed["closedBy"], json!(MEMBER));
    assert!(closed["closedDate"]
        .as_str()
        .is_some_and(|d| d.ends_with('Z')));
    assert_eq!(closed["_info"]["updatedBy"], json!(MEMBER));
    let ops = json!([{"op": "replace", "path": "status/id", "value": 1}]);
    let (s, err) = e
        .call(Method::PATCH, &format!("service/tickets/{id}"), Some(ops))
        .await;
    assert_eq!(s, 400, "status 1 belongs to another board: {err}");
    assert_eq!(err["errors"][0]["field"], json!("status"));
    let (s, missing) = e.call(Method::GET, "service/tickets/1", None).await;
    assert_eq!((s, missing["code"].clone()), (404, json!("NotFound")));
    let (s, err) = e
        .call(
            Method::POST,
            "service/tickets",
            Some(json!({"board": {"id": 1}})),
        )
        .await;
    assert_eq!(
        (s, err["errors"][0]["code"].clone()),
        (400, json!("MissingRequiredField"))
    );
}

#[tokio::test]
async fn close_reopen_and_notes_through_the_rust_api() {
    let e = env(SimConfig::default()).await;
    let t = e.sim.create_ticket(&e.company, "Malware detected");
    e.sim.add_note(&e.company, t, NoteKind::Internal, "looking");
    e.sim
        .close_ticket(&e.company, t, "Removed the malware & rebooted");
    let closed = e.sim.ticket(&e.company, t).expect("ticket");
    assert_eq!(closed["status"], json!({"id": 5, "name": ">Closed"}));
    assert_eq!(closed["closedFlag"], json!(true));
    assert_eq!(closed["closedBy"], json!("TechSim"));
    assert!(
        closed.get("initialResolution").is_none(),
        "not returned by default"
    );
    let (_, notes) = e
        .call(Method::GET, &format!("service/tickets/{}/notes", t.0), None)
        .await;
    let resolution = notes
        .as_array()
        .expect("notes")
        .iter()
        .find(|n| n["resolutionFlag"] == json!(true))
        .expect("resolution note");
    assert_eq!(resolution["text"], json!("Removed the malware & rebooted"));
    assert_eq!(resolution["createdBy"], json!("TechSim"));
    assert!(resolution["dateCreated"].is_string());
    e.sim.reopen_ticket(&e.company, t);
    let open = e.sim.ticket(&e.company, t).expect("ticket");
    assert_eq!(
        (open["closedFlag"].clone(), open["status"]["name"].clone()),
        (json!(false), json!("New"))
    );
    assert!(open.get("closedDate").is_none());
    e.sim.update_ticket(
        &e.company,
        t,
        json!({"summary": "renamed", "status": {"id": 2}}),
    );
    let t2 = e.sim.ticket(&e.company, t).expect("ticket");
    assert_eq!(
        (t2["summary"].clone(), t2["status"]["name"].clone()),
        (json!("renamed"), json!("In Progress"))
    );
}

#[tokio::test]
async fn initial_resolution_is_a_setting() {
    let e = env(SimConfig {
        return_initial_resolution: true,
        ..SimConfig::default()
    })
    .await;
    let t = e.sim.create_ticket(&e.company, "x");
    e.sim.close_ticket(&e.company, t, "first fix");
    e.sim.reopen_ticket(&e.company, t);
    e.sim.close_ticket(&e.company, t, "second fix");
    let (_, got) = e
        .call(Method::GET, &format!("service/tickets/{}", t.0), None)
        .await;
    assert_eq!(got["initialResolution"], json!("first fix"));
}

#[tokio::test]
async fn batch_reads_by_id_with_fields() {
    let e = env(SimConfig::default()).await;
    let ids: Vec<TicketId> = (0..4)
        .map(|i| e.sim.create_ticket(&e.company, &format!("t{i}")))
        .collect();
    e.sim.close_ticket(&e.company, ids[1], "done");
    let list = format!("{},{},{}", ids[0].0, ids[1].0, ids[3].0);
    let path = format!(
        "service/tickets?conditions=id in ({list})&fields=id,closedFlag,closedDate,closedBy,status/id,status/name&pageSize=1000"
    );
    let (s, got) = e.call(Method::GET, &path, None).await;
    assert_eq!(s, 200);
    let items = got.as_array().expect("array");
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0],
        json!({"id": ids[0].0, "closedFlag": false, "status": {"id": 1, "name": "New"}})
    );
    assert_eq!(items[1]["closedBy"], json!("TechSim"));
    assert_eq!(items[1]["status"], json!({"id": 5, "name": ">Closed"}));
    let (_, closed) = e
        .call(
            Method::GET,
            "service/tickets/count?conditions=closedFlag = True",
            None,
        )
        .await;
    assert_eq!(closed, json!({"count": 1}));
    let search =
        json!({"conditions": format!("id in ({list}) and closedFlag = false"), "fields": "id"});
    let (s, found) = e
        .call(Method::POST, "service/tickets/search", Some(search))
        .await;
    assert_eq!(
        (s, found),
        (200, json!([{"id": ids[0].0}, {"id": ids[3].0}]))
    );
    // The default page size is 25.
    for i in 0..30 {
        e.sim.create_ticket(&e.company, &format!("bulk {i}"));
    }
    let (_, page) = e.call(Method::GET, "service/tickets", None).await;
    assert_eq!(page.as_array().map(Vec::len), Some(25));
    let long = format!("service/tickets?conditions=id in ({})", "1,".repeat(1000));
    assert_eq!(e.call(Method::GET, &long, None).await.0, 414);
}

#[tokio::test]
async fn notes_over_rest_and_board_statuses() {
    let e = env(SimConfig::default()).await;
    let t = e.sim.create_ticket(&e.company, "x");
    let path = format!("service/tickets/{}/notes", t.0);
    let (s, n) = e
        .call(
            Method::POST,
            &path,
            Some(json!({"text": "fixed", "resolutionFlag": true})),
        )
        .await;
    assert_eq!(s, 201, "{n}");
    assert_eq!(
        (n["ticketId"].clone(), n["createdBy"].clone()),
        (json!(t.0), json!(MEMBER))
    );
    let (s, one) = e
        .call(Method::GET, &format!("{path}/{}", n["id"]), None)
        .await;
    assert_eq!((s, one), (200, n));
    let (s, err) = e
        .call(Method::POST, &path, Some(json!({"text": "no flag"})))
        .await;
    assert_eq!(s, 400, "{err}");
    assert_eq!(
        e.call(Method::GET, "service/tickets/42/notes", None)
            .await
            .0,
        404
    );
    let (_, statuses) = e
        .call(
            Method::GET,
            "service/boards/1/statuses?conditions=closedStatus = true",
            None,
        )
        .await;
    let names: Vec<&str> = statuses
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Completed", ">Closed"]);
}

#[tokio::test]
async fn delete_removes_the_ticket() {
    let e = env(SimConfig::default()).await;
    let t = e.sim.create_ticket(&e.company, "x");
    let resp = e
        .req(Method::DELETE, &format!("service/tickets/{}", t.0))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 204);
    assert!(e.sim.ticket(&e.company, t).is_none());
    assert_eq!(
        e.call(Method::DELETE, &format!("service/tickets/{}", t.0), None)
            .await
            .0,
        404
    );
}
