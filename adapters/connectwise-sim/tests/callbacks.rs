//! Callback entries over REST: create, read, list, PUT, PATCH, delete, validation, duplicates.

mod common;

use common::*;
use connectwise_sim::{ApiMember, DuplicateRule, MatchField, SimConfig};
use reqwest::Method;
use serde_json::{json, Value};

const URL: &str = "https://hooks.example.com/hooks/connectwise/tok123?recordId=";

#[tokio::test]
async fn create_returns_201_and_the_stored_entry() {
    let e = env(SimConfig::default()).await;
    let mut body = callback_body(URL);
    body["type"] = json!("Ticket");
    body["level"] = json!("Owner");
    let (s, c) = e.call(Method::POST, "system/callbacks", Some(body)).await;
    assert_eq!(s, 201, "{c}");
    let member = e.sim.member(&e.company, PUBLIC).expect("member");
    assert!(c["id"].as_i64().is_some_and(|id| id > 0));
    assert_eq!(c["url"], json!(URL));
    assert_eq!(
        (c["type"].clone(), c["level"].clone()),
        (json!("ticket"), json!("owner"))
    );
    assert_eq!(c["objectId"], json!(1));
    assert_eq!(c["memberId"], json!(member.rec_id));
    assert_eq!(c["description"], json!("SaaS Alerts Ticket Monitor"));
    assert_eq!(c["payloadVersion"], json!("3.0.0"));
    assert_eq!(c["inactiveFlag"], json!(false));
    assert!(uuid::Uuid::parse_str(c["connectWiseID"].as_str().expect("guid")).is_ok());
    assert_eq!(c["_info"]["updatedBy"], json!(MEMBER));
    assert!(c["_info"]["lastUpdated"]
        .as_str()
        .is_some_and(|d| d.ends_with('Z')));
    let id = c["id"].as_i64().expect("id");
    let (s, got) = e
        .call(Method::GET, &format!("system/callbacks/{id}"), None)
        .await;
    assert_eq!((s, got), (200, c));
}

#[tokio::test]
async fn create_can_answer_200() {
    let e = env(SimConfig {
        create_status: 200,
        ..SimConfig::default()
    })
    .await;
    let (s, _) = e
        .call(Method::POST, "system/callbacks", Some(callback_body(URL)))
        .await;
    assert_eq!(s, 200);
}

/// Three entries of ours and one board-level entry of another vendor.
async fn four_entries(e: &Env) {
    for i in 0..3 {
        let b = callback_body(&format!("https://ours.example/{i}?recordId="));
        assert_eq!(
            e.call(Method::POST, "system/callbacks", Some(b)).await.0,
            201
        );
    }
    let mut other = callback_body("https://vendor.example/cw");
    other["level"] = json!("board");
    other["objectId"] = json!(2);
    assert_eq!(
        e.call(Method::POST, "system/callbacks", Some(other))
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn list_pages_and_projects() {
    let e = env(SimConfig::default()).await;
    four_entries(&e).await;
    let (_, all) = e.call(Method::GET, "system/callbacks", None).await;
    assert_eq!(all.as_array().map(Vec::len), Some(4));
    let q = r#"system/callbacks?conditions=url contains "OURS.example"&pageSize=2&fields=id,url"#;
    let resp = e.req(Method::GET, q).send().await.expect("send");
    let link = resp
        .headers()
        .get("link")
        .and_then(|v| v.to_str().ok())
        .expect("Link")
        .to_string();
    let page: Value = resp.json().await.expect("json");
    let items = page.as_array().expect("array");
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .all(|i| i.as_object().is_some_and(|m| m.len() == 2)));
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2"),
        "{link}"
    );
    let next = link.split(['<', '>']).nth(1).expect("next url");
    let auth = basic(COMPANY, PUBLIC, PRIVATE);
    let r = e
        .http
        .get(next)
        .header("Authorization", auth)
        .header("clientId", CLIENT_ID);
    let (s, second) = send(r, None).await;
    assert_eq!(s, 200);
    assert_eq!(second.as_array().map(Vec::len), Some(1));
    assert_eq!(second[0]["url"], json!("https://ours.example/2?recordId="));
}

#[tokio::test]
async fn list_and_count_filter_by_conditions() {
    let e = env(SimConfig::default()).await;
    four_entries(&e).await;
    let q = "system/callbacks?conditions=level = \"board\" and objectId = 2";
    let (_, board) = e.call(Method::GET, q, None).await;
    assert_eq!(board.as_array().map(Vec::len), Some(1));
    assert_eq!(board[0]["url"], json!("https://vendor.example/cw"));
    let q = "system/callbacks/count?conditions=inactiveFlag = false";
    assert_eq!(e.call(Method::GET, q, None).await.1, json!({"count": 4}));
    let q = "system/callbacks/count?conditions=url contains \"ours\" and not level = \"board\"";
    assert_eq!(e.call(Method::GET, q, None).await.1, json!({"count": 3}));
    let q = "system/callbacks?conditions=url contains";
    let (s, bad) = e.call(Method::GET, q, None).await;
    assert_eq!((s, bad["code"].clone()), (400, json!("BadRequest")));
}

#[tokio::test]
async fn put_patch_and_delete() {
    let e = env(SimConfig::default()).await;
    let id = e.owner_callback(URL).await;
    let path = format!("system/callbacks/{id}");
    let ops = json!([{"op": "replace", "path": "inactiveFlag", "value": true},
                     {"op": "replace", "path": "/description", "value": "renamed"}]);
    let (s, p) = e.call(Method::PATCH, &path, Some(ops)).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        (p["inactiveFlag"].clone(), p["description"].clone()),
        (json!(true), json!("renamed"))
    );
    let ops = json!([{"op": "replace", "path": "inactiveFlag", "value": false}]);
    let (_, p) = e.call(Method::PATCH, &path, Some(ops)).await;
    assert_eq!(p["inactiveFlag"], json!(false));
    let (s, bad) = e
        .call(Method::PATCH, &path, Some(json!({"inactiveFlag": true})))
        .await;
    assert_eq!(s, 400, "a PATCH body is an array: {bad}");
    let mut whole = callback_body("https://hooks.example.com/moved?recordId=");
    whole["id"] = json!(999);
    whole["memberId"] = json!(1);
    let (s, put) = e.call(Method::PUT, &path, Some(whole)).await;
    assert_eq!(s, 200);
    assert_eq!(put["id"], json!(id), "read-only id kept");
    assert_ne!(put["memberId"], json!(1), "read-only memberId kept");
    assert_eq!(
        put["url"],
        json!("https://hooks.example.com/moved?recordId=")
    );
    let resp = e.req(Method::DELETE, &path).send().await.expect("send");
    assert_eq!(resp.status().as_u16(), 204);
    assert!(resp.bytes().await.expect("body").is_empty());
    let (s, gone) = e.call(Method::GET, &path, None).await;
    assert_eq!(
        (s, gone),
        (
            404,
            json!({"code": "NotFound", "message": format!("CallbackEntry {id} not found")})
        )
    );
    assert_eq!(e.call(Method::DELETE, &path, None).await.0, 404);
    assert_eq!(e.call(Method::PATCH, &path, Some(json!([]))).await.0, 404);
}

#[tokio::test]
async fn validation_lists_every_bad_field() {
    let e = env(SimConfig::default()).await;
    let body = json!({"url": "not a url", "objectId": 1, "type": "ticket", "level": "everything",
                      "description": "d".repeat(101)});
    let (s, err) = e.call(Method::POST, "system/callbacks", Some(body)).await;
    assert_eq!(s, 400);
    assert_eq!(err["code"], json!("InvalidObject"));
    assert_eq!(err["message"], json!("callbackEntry object is invalid"));
    let fields: Vec<&str> = err["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["description", "url", "level"]);
    let url = err["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == "url"))
        .expect("url");
    assert_eq!(
        url,
        &json!({"code": "InvalidField", "message": "Invalid URL", "resource": "callbackEntry", "field": "url"})
    );
    let level = &err["errors"][2];
    assert!(level["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Unrecognized level for type")));
    // "company" is not a ticket level unless configured.
    let mut b = callback_body(URL);
    b["level"] = json!("company");
    assert_eq!(
        e.call(Method::POST, "system/callbacks", Some(b)).await.0,
        400
    );
    assert!(e.sim.callbacks(&e.company).is_empty());
}

#[tokio::test]
async fn missing_required_fields_are_each_named() {
    let e = env(SimConfig::default()).await;
    let (s, err) = e
        .call(
            Method::POST,
            "system/callbacks",
            Some(json!({"type": "ticket"})),
        )
        .await;
    assert_eq!(s, 400);
    let codes: Vec<(&str, &str)> = err["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["code"].as_str().expect("code"),
                e["field"].as_str().expect("field"),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("MissingRequiredField", "url"),
            ("MissingRequiredField", "objectId"),
            ("MissingRequiredField", "level")
        ]
    );
}

#[tokio::test]
async fn a_matching_entry_is_refused_with_object_exists() {
    let e = env(SimConfig::default()).await;
    e.owner_callback(URL).await;
    let mut again = callback_body(&URL.to_uppercase().replace("HTTPS", "https"));
    again["description"] = json!("another description");
    let (s, err) = e.call(Method::POST, "system/callbacks", Some(again)).await;
    assert_eq!(s, 400);
    assert_eq!(
        err,
        json!({"code": "InvalidObject", "message": "callbackEntry object is invalid",
        "errors": [{"code": "ObjectExists", "message": "A matching callback entry already exists",
                    "resource": "callbackEntry", "field": "objectId"}]})
    );
    // Another URL does not match; a second member's equal entry does, by default.
    let other = callback_body("https://hooks.example.com/other?recordId=");
    assert_eq!(
        e.call(Method::POST, "system/callbacks", Some(other))
            .await
            .0,
        201
    );
    e.sim
        .add_member(&e.company, ApiMember::new("Vendor2", "pk2", "sk2"));
    let (s, _) = e
        .call_as(
            ("pk2", "sk2"),
            Method::POST,
            "system/callbacks",
            Some(callback_body(URL)),
        )
        .await;
    assert_eq!(s, 400);
    // Changing an entry into a match of another is refused too.
    let id = e.sim.callbacks(&e.company)[1].id.0;
    let ops = json!([{"op": "replace", "path": "url", "value": URL}]);
    assert_eq!(
        e.call(Method::PATCH, &format!("system/callbacks/{id}"), Some(ops))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn the_duplicate_rule_is_a_setting() {
    let e = env(SimConfig {
        duplicate_rule: DuplicateRule {
            fields: vec![
                MatchField::Type,
                MatchField::Level,
                MatchField::ObjectId,
                MatchField::Member,
            ],
            url_case_insensitive: true,
        },
        ..SimConfig::default()
    })
    .await;
    e.owner_callback(URL).await;
    let (s, _) = e
        .call(
            Method::POST,
            "system/callbacks",
            Some(callback_body("https://elsewhere.example/?id=")),
        )
        .await;
    assert_eq!(s, 400, "same type, level and objectId for the same member");
    e.sim
        .add_member(&e.company, ApiMember::new("Vendor2", "pk2", "sk2"));
    let (s, _) = e
        .call_as(
            ("pk2", "sk2"),
            Method::POST,
            "system/callbacks",
            Some(callback_body(URL)),
        )
        .await;
    assert_eq!(s, 201, "another member may hold its own");
}
