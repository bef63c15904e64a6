//! Callback bodies as ConnectWise sends them, and the changes they become.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::*;

fn body(action: &str, entity: Value) -> Value {
    json!({
        "MessageId": "5C1B0E7A-9D7E-4C5B-8C1F-2F0C6E0D9A11",
        "FromUrl": "na.myconnectwise.net",
        "CompanyId": "cobalt",
        "MemberId": "apimember",
        "Action": action,
        "Type": "ticket",
        "ID": 4711,
        "ProductInstanceId": "c0ffee",
        "PartnerId": "cobalt",
        "Entity": entity,
        "Metadata": {"key_url": "https://na.myconnectwise.net/v2025_1//system/callbackkey/index.rails?companyName=cobalt&id=ab12"},
        "CallbackObjectRecId": 17
    })
}

fn ticket(closed: bool, closed_date: Value) -> Value {
    Value::String(
        json!({
            "id": 4711, "summary": "Suspicious sign-in", "closedFlag": closed,
            "closedDate": closed_date, "status": {"id": 17, "name": ">Closed"},
            "_info": {"lastUpdated": "2024-05-02T08:00:00Z", "dateEntered": "2024-05-01T07:00:00Z"}
        })
        .to_string(),
    )
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a time")
}

#[test]
fn a_closed_ticket_is_a_completion_that_asks_for_its_resolution() {
    let change = parse(&body(
        "updated",
        ticket(true, json!("2024-05-02T08:00:00Z")),
    ))
    .expect("parsed");
    assert_eq!(change.action, ChangeAction::Update);
    assert_eq!(change.ticket_id, TicketId(4711));
    assert_eq!(
        change.completed_at,
        FieldValue::Set(at("2024-05-02T08:00:00Z"))
    );
    assert!(change.is_completion() && change.needs_lookup);
    assert_eq!(change.resolution, FieldValue::Absent);
    assert_eq!(change.status, FieldValue::Set(17));
    assert_eq!(
        change.ticket_created_at,
        FieldValue::Set(at("2024-05-01T07:00:00Z"))
    );
    assert_eq!(change.event_time, Some(at("2024-05-02T08:00:00Z")));
    assert_eq!(
        change.person_id, None,
        "a member identifier that is not a number"
    );
}

#[test]
fn an_open_ticket_clears_the_completion_and_needs_no_lookup() {
    let change = parse(&body("updated", ticket(false, Value::Null))).expect("parsed");
    assert_eq!(change.completed_at, FieldValue::Cleared);
    assert!(change.is_reopening() && !change.needs_lookup);
    let added = parse(&body("Added", ticket(false, Value::Null))).expect("parsed");
    assert_eq!(added.action, ChangeAction::Create);
}

#[test]
fn a_summary_or_unreadable_entity_may_be_closed_so_it_is_looked_up() {
    for entity in [
        Value::String(json!({"id": 4711, "summary": "x"}).to_string()),
        Value::String("{not json".into()),
        Value::String("[1,2]".into()),
        Value::Null,
        json!(42),
    ] {
        let change = parse(&body("updated", entity.clone())).expect("parsed");
        assert!(change.needs_lookup, "{entity}");
        assert_eq!(change.completed_at, FieldValue::Absent, "{entity}");
    }
    // An object instead of a string, and strings for flags, are read all the same.
    let object = json!({"closedFlag": "True", "closedDate": "2024-05-02T08:00:00"});
    let change = parse(&body("updated", object)).expect("parsed");
    assert!(change.is_completion() && change.needs_lookup);
    let closed_without_date = Value::String(json!({"closedFlag": true}).to_string());
    let change = parse(&body("updated", closed_without_date)).expect("parsed");
    assert!(change.needs_lookup && change.completed_at == FieldValue::Absent);
}

#[test]
fn a_deleted_ticket_has_nothing_to_look_up() {
    let change = parse(&body("deleted", Value::Null)).expect("parsed");
    assert_eq!(change.action, ChangeAction::Delete);
    assert!(!change.needs_lookup);
}

#[test]
fn envelope_keys_in_any_case_and_ids_as_strings_are_read() {
    let value = json!({"type": "TICKET", "id": "12", "action": "UPDATED", "memberId": 9,
                       "entity": null});
    let change = parse(&value).expect("parsed");
    assert_eq!(
        (change.ticket_id, change.person_id),
        (TicketId(12), Some(9))
    );
}

#[test]
fn what_is_not_a_ticket_change_is_refused_by_name() {
    let mut contact = body("updated", Value::Null);
    contact["Type"] = json!("contact");
    assert_eq!(
        parse(&contact),
        Err(CalloutParseError::NotATicket("contact".into()))
    );
    for (field, value, expected) in [
        ("ID", json!(0), "ID"),
        ("ID", json!("x"), "ID"),
        ("Action", json!("merged"), "Action"),
    ] {
        let mut wrong = body("updated", Value::Null);
        wrong[field] = value;
        assert!(
            matches!(parse(&wrong), Err(CalloutParseError::BadField { field, .. }) if field == expected),
            "{field}"
        );
    }
    for field in ["Type", "ID", "Action"] {
        let mut missing = body("updated", Value::Null);
        missing.as_object_mut().expect("object").remove(field);
        assert_eq!(parse(&missing), Err(CalloutParseError::MissingField(field)));
    }
    assert!(matches!(
        parse(&json!([1])),
        Err(CalloutParseError::NotJson(_))
    ));
}

#[test]
fn the_key_url_and_the_dedupe_key_come_from_the_envelope() {
    let value = body("updated", Value::Null);
    assert!(key_url(&value).is_some_and(|url| url.ends_with("companyName=cobalt&id=ab12")));
    assert_eq!(key_url(&json!({"Metadata": {}})), None);
    assert_eq!(
        key_url(&json!({"metadata": {"KEY_URL": " https://x "}})),
        Some("https://x")
    );
    let bytes = value.to_string().into_bytes();
    assert_eq!(
        dedupe_key(&bytes),
        "cw:5c1b0e7a-9d7e-4c5b-8c1f-2f0c6e0d9a11"
    );
    let pretty = serde_json::to_vec_pretty(&value).expect("json");
    assert_eq!(
        dedupe_key(&pretty),
        dedupe_key(&bytes),
        "a retry is the same delivery"
    );
    let anonymous = br#"{"Type":"ticket","ID":1}"#;
    let digest = dedupe_key(anonymous);
    assert!(digest.starts_with("cw-sha256:"));
    assert_eq!(digest, dedupe_key(anonymous));
    assert_ne!(digest, dedupe_key(br#"{"Type":"ticket","ID":2}"#));
}
