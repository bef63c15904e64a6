//! A table of bad inputs for every admin endpoint: each gets its precise status and error code
//! in the error shape, a message that repeats no submitted value or secret, and changes nothing
//! (tenants, the connection, the events and the webhooks in the simulator are compared after
//! every case). The table is printed (`name | status | code`) so it can be quoted.

use serde_json::{json, Value};

use crate::helpers::{credentials, Hub, CODE, SECRET, TENANT, USERNAME};
use crate::raw_http::{send, RawResponse};

const JSON: &str = "application/json";
const CONN: &str = "/api/v1/tenants/tenant-a/autotask";
const EVENTS: &str = "/api/v1/tenants/tenant-a/events";
const EVENT: &str = "evt-1";
/// Field names may appear in messages ("missing field `secret`"); values may not.
const FIELDS: [&str; 8] = [
    "username",
    "secret",
    "integration_code",
    "notification_email",
    "setup_webhook",
    "event_id",
    "ticket_id",
    "ticket_created_at",
];

struct Case {
    name: String,
    method: &'static str,
    target: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

fn case(name: &str, method: &'static str, target: &str, status: u16, code: &'static str) -> Case {
    Case {
        name: name.to_owned(),
        method,
        target: target.to_owned(),
        content_type: None,
        body: Vec::new(),
        status,
        code,
    }
}

impl Case {
    fn json(mut self, body: &Value) -> Self {
        self.body = serde_json::to_vec(body).expect("serializes");
        self.content_type = Some(JSON);
        self
    }

    fn raw(mut self, content_type: Option<&'static str>, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self.content_type = content_type;
        self
    }
}

const BODY: &str = "invalid_body";
const FIELD: &str = "invalid_connection";
const LARGE: &str = "body_too_large";
const MEDIA: &str = "unsupported_media_type";
const TENANT_ID: &str = "invalid_tenant_id";
const EVENT_ID: &str = "invalid_event_id";
const TICKET_ID: &str = "invalid_ticket_id";
const PSA: &str = "invalid_psa";
const QUERY: &str = "invalid_query";
const METHOD: &str = "method_not_allowed";

/// The working credentials with `field` set to `value`.
fn with(field: &str, value: Value) -> Value {
    let mut body = credentials();
    body[field] = value;
    body
}

fn without(field: &str) -> Value {
    let mut body = credentials();
    body.as_object_mut().expect("object").remove(field);
    body
}

fn new_link() -> Value {
    json!({"event_id": "evt-2", "ticket_id": 20})
}

/// A link body for a new event `evt-2` with `field` set to `value`.
fn link(field: &str, value: Value) -> Value {
    let mut body = new_link();
    body[field] = value;
    body
}

fn put(name: &str, body: Value, status: u16, code: &'static str) -> Case {
    case(
        &format!("PUT connection: {name}"),
        "PUT",
        CONN,
        status,
        code,
    )
    .json(&body)
}

fn put_raw(
    name: &str,
    content_type: Option<&'static str>,
    body: &[u8],
    code: &'static str,
) -> Case {
    let status = if code == MEDIA { 415 } else { 400 };
    case(
        &format!("PUT connection: {name}"),
        "PUT",
        CONN,
        status,
        code,
    )
    .raw(content_type, body)
}

// A table reads best one case to a line.
#[rustfmt::skip]
fn connection_body_cases() -> Vec<Case> {
    let creds = credentials().to_string();
    let long_user = format!("a@{}", "b".repeat(319));
    vec![
        put("username is a number", with("username", json!(987654321)), 400, BODY),
        put("secret is null", with("secret", Value::Null), 400, BODY),
        put("secret is an object", with("secret", json!({"v": "Zq9secretish"})), 400, BODY),
        put("setup_webhook is a string", with("setup_webhook", json!("yes-please")), 400, BODY),
        put("integration_code missing", without("integration_code"), 400, BODY),
        put("extra field", with("integrationCode", json!("Zq9typo-value")), 400, BODY),
        put("body is an array", json!([credentials()]), 400, BODY),
        put("body is an array of valid values", json!([USERNAME, SECRET, CODE]), 400, BODY),
        put("username empty", with("username", json!("")), 400, FIELD),
        put("username without @", with("username", json!("Zq9no-at-sign")), 400, FIELD),
        put("integration_code blank", with("integration_code", json!("   ")), 400, FIELD),
        put("secret empty", with("secret", json!("")), 400, FIELD),
        put("secret of 1025 characters", with("secret", json!("s".repeat(1025))), 400, FIELD),
        put("username of 321 characters", with("username", json!(long_user)), 400, FIELD),
        put("notification_email without @", with("notification_email", json!("Zq9nobody")), 400, FIELD),
        put("secret of 100 KB", with("secret", json!("x".repeat(100 * 1024))), 413, LARGE),
        put_raw("truncated JSON", Some(JSON), br#"{"username": "a@b.example", "secret": "Zq9trunc"#, BODY),
        put_raw("empty body", Some(JSON), b"", BODY),
        put_raw(
            "duplicate field",
            Some(JSON),
            br#"{"username": "a@b.example", "secret": "Zq9first", "secret": "Zq9second", "integration_code": "c"}"#,
            BODY,
        ),
        put_raw("invalid UTF-8", Some(JSON), b"{\"username\": \"a@b\xff\xfe\", \"secret\": \"s\"}", BODY),
        put_raw("text/plain", Some("text/plain"), creds.as_bytes(), MEDIA),
        put_raw("no content type", None, creds.as_bytes(), MEDIA),
        put_raw("form-encoded", Some("application/x-www-form-urlencoded"), b"username=Zq9form", MEDIA),
    ]
}

/// Ids that must never reach the store: (name, as written in a path; empty for 129 characters).
const BAD_IDS: [(&str, &str); 7] = [
    ("..", ".."),
    (".", "."),
    ("a/b", "a%2Fb"),
    ("%2e%2e", "%2e%2e"),
    ("%00", "%00"),
    ("%FF (not UTF-8)", "%FF"),
    ("129 characters", ""),
];

fn path_id_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, written) in BAD_IDS {
        let id = if written.is_empty() {
            "t".repeat(129)
        } else {
            written.to_owned()
        };
        let conn = format!("/api/v1/tenants/{id}/autotask");
        let retry = format!("{conn}/webhook/retry");
        let events = format!("/api/v1/tenants/{id}/events");
        let event = format!("{EVENTS}/{id}");
        let on = |what: &str| format!("{what}: tenant {name}");
        cases.extend([
            case(&on("PUT connection"), "PUT", &conn, 400, TENANT_ID).json(&credentials()),
            case(&on("GET connection"), "GET", &conn, 400, TENANT_ID),
            case(&on("DELETE connection"), "DELETE", &conn, 400, TENANT_ID),
            case(&on("POST retry"), "POST", &retry, 400, TENANT_ID),
            case(&on("POST event"), "POST", &events, 400, TENANT_ID).json(&new_link()),
            case(&on("GET events"), "GET", &events, 400, TENANT_ID),
            case(
                &format!("GET event: event {name}"),
                "GET",
                &event,
                400,
                EVENT_ID,
            ),
        ]);
    }
    cases
}

fn post(name: &str, body: Value, status: u16, code: &'static str) -> Case {
    case(&format!("POST event: {name}"), "POST", EVENTS, status, code).json(&body)
}

fn post_raw(name: &str, content_type: &'static str, body: &str, code: &'static str) -> Case {
    let status = if code == MEDIA { 415 } else { 400 };
    case(&format!("POST event: {name}"), "POST", EVENTS, status, code).raw(Some(content_type), body)
}

// A table reads best one case to a line.
#[rustfmt::skip]
fn link_cases() -> Vec<Case> {
    let at = |value: Value| link("ticket_created_at", value);
    let id = |value: Value| link("event_id", value);
    let ticket = |value: Value| link("ticket_id", value);
    vec![
        post("ticket_id -1", ticket(json!(-1)), 400, TICKET_ID),
        post("ticket_id 0", ticket(json!(0)), 400, TICKET_ID),
        post_raw("ticket_id 9223372036854775808", JSON, r#"{"event_id": "e-2", "ticket_id": 9223372036854775808}"#, BODY),
        post_raw("ticket_id 1e400", JSON, r#"{"event_id": "evt-2", "ticket_id": 1e400}"#, BODY),
        post("ticket_id 1.5", ticket(json!(1.5)), 400, BODY),
        post("ticket_id 1e17 (a float past 2^53)", ticket(json!(1e17)), 400, BODY),
        post("ticket_id as a string", ticket(json!("20")), 400, BODY),
        post("ticket_id null", ticket(Value::Null), 400, BODY),
        post("ticket_id missing", json!({"event_id": "evt-2"}), 400, BODY),
        post("body is an array of valid values", json!(["evt-2", 20]), 400, BODY),
        post("event_id a number", id(json!(123456789)), 400, BODY),
        post("event_id empty", id(json!("")), 400, EVENT_ID),
        post("event_id ..", id(json!("..")), 400, EVENT_ID),
        post("event_id .", id(json!(".")), 400, EVENT_ID),
        post("event_id a/b", id(json!("a/b")), 400, EVENT_ID),
        post("event_id with NUL", id(json!("evt\u{0}2")), 400, EVENT_ID),
        post("event_id of 129 characters", id(json!("e".repeat(129))), 400, EVENT_ID),
        post("event_id of 100 KB", id(json!("e".repeat(100 * 1024))), 413, LARGE),
        post("ticket_created_at not a date", at(json!("Zq9yesterday")), 400, BODY),
        post("ticket_created_at month 13", at(json!("2026-13-01T00:00:00Z")), 400, BODY),
        post("ticket_created_at without zone", at(json!("2026-11-27T12:00:00")), 400, BODY),
        post("ticket_created_at offset +24:00", at(json!("2026-11-27T12:00:00+24:00")), 400, BODY),
        post("ticket_created_at a number", at(json!(1764244800)), 400, BODY),
        post("extra field", link("ticketId", json!(20)), 400, BODY),
        post("psa not served", link("psa", json!("Zq9nosuchpsa")), 400, PSA),
        post("psa a number", link("psa", json!(7)), 400, BODY),
        post_raw("truncated JSON", JSON, r#"{"event_id": "Zq9trunc-evt", "ticket_id": 2"#, BODY),
        post_raw("text/plain", "text/plain", r#"{"event_id": "evt-2", "ticket_id": 20}"#, MEDIA),
    ]
}

fn query_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (list, path) in [("GET tenants", "/api/v1/tenants"), ("GET events", EVENTS)] {
        for query in [
            "limit=0",
            "limit=abc",
            "limit=-1",
            "limit=1001",
            "limit=4294967296",
            "limit=1&limit=2",
            "after=..",
            "after=",
            "after=%00",
            "after=a%2Fb",
            "sort=Zq9desc",
        ] {
            let target = format!("{path}?{query}");
            cases.push(case(
                &format!("{list}: ?{query}"),
                "GET",
                &target,
                400,
                QUERY,
            ));
        }
    }
    cases
}

fn method_cases() -> Vec<Case> {
    let retry = format!("{CONN}/webhook/retry");
    let event = format!("{EVENTS}/{EVENT}");
    vec![
        case("PATCH connection", "PATCH", CONN, 405, METHOD).json(&credentials()),
        case("POST connection", "POST", CONN, 405, METHOD).json(&credentials()),
        case("GET retry", "GET", &retry, 405, METHOD),
        case("DELETE retry", "DELETE", &retry, 405, METHOD),
        case("DELETE events", "DELETE", EVENTS, 405, METHOD),
        case("PUT event", "PUT", &event, 405, METHOD).json(&link("ticket_id", json!(99))),
        case("DELETE event", "DELETE", &event, 405, METHOD),
        case("POST tenants", "POST", "/api/v1/tenants", 405, METHOD).json(&json!({})),
        case(
            "PUT openapi.json",
            "PUT",
            "/api/v1/openapi.json",
            405,
            METHOD,
        )
        .json(&json!({})),
        case("HEAD tenants", "HEAD", "/api/v1/tenants", 405, ""),
        case(
            "GET connection: empty tenant",
            "GET",
            "/api/v1/tenants//autotask",
            404,
            "not_found",
        ),
        case(
            "GET tenants/ (trailing slash)",
            "GET",
            "/api/v1/tenants/",
            404,
            "not_found",
        ),
    ]
}

/// Everything a bad request must leave as it was.
async fn snapshot(hub: &Hub) -> Value {
    let (_, tenants) = hub
        .call(reqwest::Method::GET, "/api/v1/tenants", None)
        .await;
    let (_, connection) = hub.status(TENANT).await;
    let (_, event) = hub.event(TENANT, EVENT).await;
    let (_, events) = hub.call(reqwest::Method::GET, EVENTS, None).await;
    json!({
        "tenants": tenants,
        "connection": connection,
        "event": event,
        "events": events,
        "webhooks": hub.sim.webhooks(hub.db),
    })
}

/// The values a body carries that are long enough to recognise in a message: its string and
/// number leaves when it is JSON, else its words other than field names.
fn submitted_values(body: &[u8]) -> Vec<String> {
    fn leaves(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::String(s) => found.push(s.clone()),
            Value::Number(n) => found.push(n.to_string()),
            Value::Array(items) => items.iter().for_each(|v| leaves(v, found)),
            Value::Object(fields) => fields.values().for_each(|v| leaves(v, found)),
            Value::Bool(_) | Value::Null => {}
        }
    }
    let mut found = Vec::new();
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => leaves(&value, &mut found),
        Err(_) => found.extend(
            String::from_utf8_lossy(body)
                .split(|c: char| !(c.is_ascii_alphanumeric() || "@$-_.".contains(c)))
                .filter(|word| !FIELDS.contains(word))
                .map(str::to_owned),
        ),
    }
    found.retain(|value| value.trim().len() >= 6);
    found
}

/// What is wrong with the answer to `case`, if anything.
fn judge(case: &Case, response: &RawResponse, secrets: &[&str]) -> Result<String, String> {
    if response.status != case.status {
        return Err(format!(
            "status {} instead of {}",
            response.status, case.status
        ));
    }
    if case.method == "HEAD" {
        return Ok("(no body)".to_owned());
    }
    let body: Value = serde_json::from_slice(&response.body)
        .map_err(|_| format!("not JSON: {}", String::from_utf8_lossy(&response.body)))?;
    let keys: Vec<_> = body["error"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if body.as_object().map(|o| o.len()) != Some(1) || keys != ["code", "message"] {
        return Err(format!("not the error shape: {body}"));
    }
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if code != case.code {
        return Err(format!("code {code} instead of {}", case.code));
    }
    let message = body["error"]["message"].as_str().unwrap_or_default();
    let mut forbidden = submitted_values(&case.body);
    if let Some((_, query)) = case.target.split_once('?') {
        let values = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(_, v)| v);
        forbidden.extend(values.filter(|v| v.len() >= 6).map(str::to_owned));
    }
    forbidden.extend(secrets.iter().map(|s| (*s).to_owned()));
    if let Some(echoed) = forbidden
        .iter()
        .find(|value| message.contains(value.as_str()))
    {
        return Err(format!("the message repeats {echoed:?}: {message}"));
    }
    if case.status == 405 && response.header("allow").is_none() {
        return Err("405 without Allow".to_owned());
    }
    Ok(code)
}

#[actix_web::test]
async fn every_endpoint_refuses_bad_input_precisely_and_changes_nothing() {
    let hub = Hub::start().await;
    let (status, _) = hub.connect(TENANT).await;
    assert!(status.is_success());
    hub.state_becomes(TENANT, "active").await;
    let (status, _) = hub
        .link_created(TENANT, EVENT, 10, "2026-11-27T09:00:00Z")
        .await;
    assert_eq!(status.as_u16(), 201);
    let before = snapshot(&hub).await;
    assert_eq!(before["webhooks"].as_array().map(Vec::len), Some(1));
    assert_eq!(before["event"]["ticket_id"], 10, "{before}");
    let bearer = format!("Bearer {}", hub.token);
    let secrets = [SECRET, hub.token.as_str()];

    let cases: Vec<Case> = [
        connection_body_cases(),
        path_id_cases(),
        link_cases(),
        query_cases(),
        method_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut failures = Vec::new();
    println!("name | status | code");
    println!("--- | --- | ---");
    for case in &cases {
        let mut headers = vec![("Authorization", bearer.as_str())];
        if let Some(content_type) = case.content_type {
            headers.push(("Content-Type", content_type));
        }
        let response = send(&hub.admin, case.method, &case.target, &headers, &case.body).await;
        let code = judge(case, &response, &secrets).unwrap_or_else(|problem| {
            failures.push(format!("{}: {problem}", case.name));
            "MISMATCH".to_owned()
        });
        println!("{} | {} | {code}", case.name, response.status);
        if snapshot(&hub).await != before {
            failures.push(format!("{}: changed the state", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
