//! REST behaviour over real HTTP: auth, webhook lifecycle and rules, limits.

mod common;

use autotask_sim::{ApiUser, Fault, FaultKind, Gate, Op, SimConfig};
use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn bad_secret_and_locked_user_get_401() {
    let e = env(SimConfig::default()).await;
    let resp = e
        .http
        .get(e.url("ThresholdInformation"))
        .header("ApiIntegrationCode", CODE)
        .header("UserName", USER)
        .header("Secret", "wrong")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 401);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["errors"][0].is_string());
    let (ok, info) = e.call(Method::GET, "ThresholdInformation", None).await;
    assert_eq!(ok, 200);
    assert_eq!(info["externalRequestThreshold"], json!(10_000));
    e.sim.update_api_user(USER, |u| u.locked = true);
    let (locked, body) = e.call(Method::GET, "ThresholdInformation", None).await;
    assert_eq!(locked, 401);
    assert!(body["errors"][0].is_string());
}

#[tokio::test]
async fn webhook_create_get_fields_and_ready_flag() {
    let e = env(SimConfig::default()).await;
    let (s, created) = e.create_webhook("https://hooks.example/t/42").await;
    assert_eq!(s, 200, "{created}");
    let wid = created["itemId"].as_i64().expect("itemId");
    let (_, got) = e
        .call(Method::GET, &format!("ticketwebhooks/{wid}"), None)
        .await;
    assert_eq!(got["item"]["isReady"], json!(false));
    assert_eq!(got["item"]["isActive"], json!(true));
    assert!(got["item"]["secretKey"].is_null());
    assert!(got["item"]["webhookGUID"]
        .as_str()
        .is_some_and(|g| g.len() == 36));

    let (_, meta) = e
        .call(
            Method::GET,
            "TicketWebhookFields/entityInformation/fields",
            None,
        )
        .await;
    let picklist = meta["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "fieldID")
        .expect("fieldID")["picklistValues"]
        .clone();
    let completed = picklist
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["label"] == "Completed Date")
        .expect("label")["value"]
        .as_str()
        .expect("str")
        .parse::<i64>()
        .expect("int");
    assert_eq!(completed, 56);

    let (s, _) = e.add_field(wid, 27, false, true).await;
    assert_eq!(s, 200);
    let (_, got) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(
        got["item"]["isReady"],
        json!(false),
        "display-only field must not make it ready"
    );
    let (s, _) = e.add_field(wid, completed, true, false).await;
    assert_eq!(s, 200);
    let (s, _) = e.add_field(wid, completed, true, false).await;
    assert_eq!(s, 400, "second entry for the same field");
    let (s, _) = e.add_field(wid, 99_999, true, false).await;
    assert_eq!(s, 400, "not in picklist");
    let (_, got) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(got["item"]["isReady"], json!(true));
    let (_, list) = e
        .call(Method::GET, &format!("TicketWebhooks/{wid}/Fields"), None)
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));

    let (_, q) = e
        .call(
            Method::POST,
            "TicketWebhooks/query",
            Some(json!({"filter":[{"op":"beginsWith","field":"Name","value":"SVC TENANT"}]})),
        )
        .await;
    assert_eq!(q["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(q["pageDetails"]["count"], json!(1));

    let (s, d) = e
        .call(Method::DELETE, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!((s, d["itemId"].as_i64()), (200, Some(wid)));
    let (s, d) = e
        .call(Method::DELETE, &format!("TicketWebhooks/{wid}"), None)
        .await;
    assert_eq!(s, 500);
    assert_eq!(d["errors"][0], json!("No matching records found"));
}

#[tokio::test]
async fn duplicate_url_rejected_even_when_inactive() {
    let e = env(SimConfig::default()).await;
    let other = "other@msp.example";
    e.sim.add_api_user(e.db, ApiUser::new(other, "x", CODE));
    let (_, c) = e.create_webhook("https://hooks.example/dup").await;
    let wid = c["itemId"].as_i64().expect("id");
    let (s, _) = e
        .call(
            Method::PATCH,
            "TicketWebhooks",
            Some(json!({"id": wid, "isActive": false})),
        )
        .await;
    assert_eq!(s, 200);
    // Owned by another user and inactive: still a duplicate.
    let resp = e.http.post(e.url("TicketWebhooks"))
        .header("ApiIntegrationCode", CODE).header("UserName", other).header("Secret", "x")
        .json(&json!({"Name":"x","WebhookUrl":"HTTPS://hooks.example/DUP","DeactivationUrl":"https://d","SecretKey":"k","IsSubscribedToUpdateEvents":true}))
        .send().await.expect("send");
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(
        body["errors"][0],
        json!(SimConfig::default().duplicate_error)
    );
}

#[tokio::test]
async fn webhook_limit_and_cannot_create_and_validation() {
    let e = env(SimConfig::default()).await;
    let (s, _) = e.create_webhook("https://hooks.example/a").await;
    assert_eq!(s, 200);
    let (s, body) = e.create_webhook("https://hooks.example/b").await;
    assert_eq!(s, 400);
    assert_eq!(
        body["errors"][0],
        json!(SimConfig::default().webhook_limit_error)
    );

    e.sim
        .update_api_user(USER, |u| u.can_create_webhooks = false);
    let (s, body) = e.create_webhook("https://hooks.example/c").await;
    assert_eq!(s, 403);
    assert_eq!(
        body["errors"][0],
        json!(SimConfig::default().cannot_create_error)
    );
    let (_, info) = e
        .call(Method::GET, "TicketWebhooks/entityInformation", None)
        .await;
    assert_eq!(
        info["info"]["canCreate"],
        json!(true),
        "the entity supports creation"
    );
    assert_eq!(
        info["info"]["userAccessForCreate"],
        json!("None"),
        "this user may not"
    );

    e.sim.update_api_user(USER, |u| {
        u.can_create_webhooks = true;
        u.webhook_limit = 5;
    });
    let (s, body) = e
        .call(
            Method::POST,
            "TicketWebhooks",
            Some(json!({"name": "n".repeat(51),
        "webhookUrl":"https://x","deactivationUrl":"https://y","secretKey":"k"})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        body["errors"][0],
        json!("name must be less than or equal to 50 characters")
    );
    let (s, _) = e
        .call(
            Method::POST,
            "TicketWebhooks",
            Some(json!({"name": "n", "webhookUrl":"https://x"})),
        )
        .await;
    assert_eq!(s, 400);
    let resp = e
        .req(Method::POST, "TicketWebhooks")
        .body("not json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 400);
    let (s, body) = e.call(Method::GET, "NoSuchEntity/1", None).await;
    assert_eq!(s, 404);
    assert!(body["errors"][0].is_string());
}

#[tokio::test]
async fn thread_limit_rejects_fourth_concurrent_request() {
    let e = env(SimConfig::default()).await;
    let gate = Gate::new();
    e.sim.inject(Fault {
        op: Op::WebhookQuery,
        times: 3,
        kind: FaultKind::Hold(gate.clone()),
    });
    let q = json!({"filter":[{"op":"exist","field":"id"}]});
    let mut slow = Vec::new();
    for _ in 0..3 {
        let r = e.req(Method::POST, "TicketWebhooks/query").json(&q).send();
        slow.push(tokio::spawn(r));
    }
    assert!(
        wait_for(|| e.sim.held(Op::WebhookQuery) == 3).await,
        "three queries held"
    );
    let (s, body) = e
        .call(Method::GET, "TicketWebhooks/entityInformation", None)
        .await;
    assert_eq!(s, 429, "{body}");
    assert!(body["errors"][0]
        .as_str()
        .is_some_and(|m| m.contains("Itgenatr005")));
    // Another endpoint has its own slots.
    let (s, _) = e.call(Method::GET, "ThresholdInformation", None).await;
    assert_eq!(s, 200);
    gate.open();
    for h in slow {
        let r = h.await.expect("join").expect("send");
        assert_eq!(r.status().as_u16(), 200);
    }
    assert_eq!(e.sim.held(Op::WebhookQuery), 0);
    let (s, _) = e
        .call(Method::GET, "TicketWebhooks/entityInformation", None)
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_request_is_logged_on_arrival_and_its_status_on_answer() {
    let e = env(SimConfig::default()).await;
    let gate = Gate::new();
    e.sim.inject(Fault {
        op: Op::WebhookQuery,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let q = json!({"filter":[{"op":"exist","field":"id"}]});
    let slow = tokio::spawn(e.req(Method::POST, "TicketWebhooks/query").json(&q).send());
    assert!(wait_for(|| e.sim.held(Op::WebhookQuery) == 1).await);
    let log = e.sim.requests();
    assert_eq!(log.len(), 1, "logged before the answer");
    assert_eq!((log[0].op, log[0].status), (Op::WebhookQuery, None));
    assert_eq!(log[0].body, Some(q));
    gate.open();
    let resp = slow.await.expect("join").expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    // Filled in before the response was sent, so it is there as soon as the client has it.
    assert_eq!(e.sim.requests()[0].status, Some(200));
}

#[tokio::test]
async fn a_held_create_completes_after_the_client_hangs_up() {
    let e = env(SimConfig::default()).await;
    let gate = Gate::new();
    e.sim.inject(Fault {
        op: Op::WebhookCreate,
        times: 1,
        kind: FaultKind::Hold(gate.clone()),
    });
    let (sim, db) = (e.sim.clone(), e.db);
    let client = tokio::spawn(async move { e.create_webhook("https://hooks.example/held").await });
    assert!(wait_for(|| sim.held(Op::WebhookCreate) == 1).await);
    client.abort();
    assert!(client.await.is_err_and(|e| e.is_cancelled()), "hung up");
    gate.open();
    assert!(
        wait_for(|| sim.requests().first().is_some_and(|r| r.status.is_some())).await,
        "the create still got its answer"
    );
    assert_eq!(sim.requests()[0].status, Some(200));
    assert_eq!(sim.webhooks(db).len(), 1);
}

#[tokio::test]
async fn request_threshold_answers_with_retry_after() {
    let e = env(SimConfig {
        requests_per_hour: 2,
        ..SimConfig::default()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            e.call(Method::GET, "ThresholdInformation", None).await.0,
            200
        );
    }
    let resp = e
        .req(Method::GET, "ThresholdInformation")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().get("retry-after").is_some());
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["errors"][0]
        .as_str()
        .is_some_and(|m| m.starts_with("Request Threshold Exceeded")));
}

#[tokio::test]
async fn create_then_fail_really_creates_and_requests_are_logged() {
    let e = env(SimConfig::default()).await;
    e.sim.inject(Fault {
        op: Op::WebhookCreate,
        times: 1,
        kind: FaultKind::CreateThenFail {
            status: 500,
            body: json!({"errors":["boom"]}),
        },
    });
    let (s, _) = e.create_webhook("https://hooks.example/x").await;
    assert_eq!(s, 500);
    assert_eq!(e.sim.webhooks(e.db).len(), 1);
    assert_eq!(
        e.sim.webhooks(e.db)[0]["secretKey"],
        json!("9f8c1e0b6a4d4f7c8e2b51d3a9c07e66")
    );
    let log = e.sim.requests();
    let last = log.last().expect("logged");
    assert_eq!((last.op, last.status), (Op::WebhookCreate, Some(500)));
    assert_eq!(last.header("username"), Some(USER));
}

#[tokio::test]
async fn tickets_over_rest_and_query() {
    let e = env(SimConfig::default()).await;
    let (s, c) = e
        .call(
            Method::POST,
            "Tickets",
            Some(json!({"Title": "Printer on fire"})),
        )
        .await;
    assert_eq!(s, 200);
    let id = c["itemId"].as_i64().expect("id");
    let (_, t) = e.call(Method::GET, &format!("Tickets/{id}"), None).await;
    assert_eq!(t["item"]["status"], json!(1));
    assert!(t["item"]["ticketNumber"]
        .as_str()
        .is_some_and(|n| n.starts_with('T') && n.ends_with(".0001")));
    let (s, _) = e
        .call(
            Method::PATCH,
            "Tickets",
            Some(json!({"id": id, "status": 5, "resolution": "done"})),
        )
        .await;
    assert_eq!(s, 200);
    let (_, q) = e.call(Method::POST, "Tickets/query",
        Some(json!({"filter":[{"op":"and","items":[{"op":"eq","field":"status","value":5},{"op":"exist","field":"completedDate"}]}]}))).await;
    assert_eq!(q["items"][0]["id"], json!(id));
    e.sim.update_api_user(USER, |u| u.ticket_access = false);
    assert_eq!(
        e.call(Method::GET, &format!("Tickets/{id}"), None).await.0,
        403
    );
}

#[tokio::test]
async fn query_paging_follows_next_page_url() {
    let e = env(SimConfig::default()).await;
    for i in 0..3 {
        e.sim.create_ticket(e.db, &format!("t{i}"));
    }
    let (_, first) = e
        .call(
            Method::POST,
            "Tickets/query",
            Some(json!({"MaxRecords": 2, "filter":[{"op":"exist","field":"id"}]})),
        )
        .await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let next = first["pageDetails"]["nextPageUrl"]
        .as_str()
        .expect("next")
        .to_string();
    let resp = e
        .http
        .get(next)
        .header("ApiIntegrationCode", CODE)
        .header("UserName", USER)
        .header("Secret", SECRET)
        .send()
        .await
        .expect("send");
    let second: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    assert!(second["pageDetails"]["nextPageUrl"].is_null());
}
