//! The admin API's edges: authentication, which listener serves what, bad input refused with
//! a precise error and no change, listing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{credentials, Hub, TENANT};

#[actix_web::test]
async fn the_admin_api_refuses_missing_and_wrong_tokens() {
    let hub = Hub::start().await;
    let url = format!("{}/api/v1/tenants/{TENANT}/autotask", hub.admin);
    for request in [
        hub.http.put(&url).json(&credentials()),
        hub.http
            .put(&url)
            .bearer_auth("not-the-token-at-all")
            .json(&credentials()),
        hub.http
            .put(&url)
            .header("Authorization", format!("Basic {}", hub.token))
            .json(&credentials()),
    ] {
        let response = request.send().await.expect("answers");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key("www-authenticate"));
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.contains(&hub.token)));
    }
    let (code, _) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "no connection was created");
    assert!(hub.sim.webhooks(hub.db).is_empty());
}

#[actix_web::test]
async fn each_listener_serves_only_its_own_paths() {
    let hub = Hub::start().await;
    let public = hub
        .http
        .get(format!("{}/api/v1/tenants", hub.public))
        .bearer_auth(&hub.token)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        public.status(),
        StatusCode::NOT_FOUND,
        "the admin API is not public"
    );
    for path in ["/metrics", "/healthz", "/readyz"] {
        let response = hub
            .http
            .get(format!("{}{path}", hub.public))
            .send()
            .await
            .expect("answers");
        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "{path} is not public"
        );
        let response = hub
            .http
            .get(format!("{}{path}", hub.admin))
            .send()
            .await
            .expect("answers");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{path} is on the admin listener"
        );
    }
    let (code, _) = hub
        .call(
            reqwest::Method::POST,
            "/hooks/autotask/anything",
            Some(json!({})),
        )
        .await;
    assert_eq!(
        code,
        StatusCode::NOT_FOUND,
        "callouts are not taken on the admin listener"
    );
    let (_, ready) = hub.call(reqwest::Method::GET, "/readyz", None).await;
    assert_eq!(ready["status"], "ready");
}

#[actix_web::test]
async fn bad_input_gets_a_precise_error_and_changes_nothing() {
    let hub = Hub::start().await;
    let (code, body) = hub
        .put_connection(
            TENANT,
            json!({"username": "api-user@msp.example", "secret": "s"}),
        )
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_body");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("integration_code")),
        "{body}"
    );

    let (code, body) = hub
        .put_connection(
            TENANT,
            json!({"username": " ", "secret": "", "integration_code": "c", "notification_email": "nobody"}),
        )
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    let message = body["error"]["message"].as_str().expect("message");
    for field in ["username", "secret", "notification_email"] {
        assert!(message.contains(field), "{field} missing from {message}");
    }

    let mut typo = credentials();
    typo["integrationCode"] = json!("x");
    let (code, body) = hub.put_connection(TENANT, typo).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("integrationCode")));

    let (code, body) = hub
        .put_connection(
            TENANT,
            json!({"username": "api-user@msp.example", "secret": 987654321, "integration_code": "c"}),
        )
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    let message = body["error"]["message"].as_str().expect("message");
    assert!(
        !message.contains("987654321"),
        "a wrong value is never echoed: {message}"
    );

    let (code, body) = hub.put_connection("bad tenant!", credentials()).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_tenant_id");

    let raw = hub
        .http
        .put(format!("{}/api/v1/tenants/{TENANT}/autotask", hub.admin))
        .bearer_auth(&hub.token)
        .body("username=x")
        .send()
        .await
        .expect("answers");
    assert_eq!(raw.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (code, _) = hub.status(TENANT).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "nothing was stored");
    assert!(
        hub.sim.webhooks(hub.db).is_empty(),
        "nothing was registered"
    );
    let (_, tenants) = hub
        .call(reqwest::Method::GET, "/api/v1/tenants", None)
        .await;
    assert_eq!(tenants["tenants"], json!([]));

    let (code, body) = hub.link(TENANT, "evt-1", -4).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_ticket_id");
    let (code, _) = hub.link(TENANT, "evt-1", 10).await;
    assert_eq!(code, StatusCode::CREATED);
    let (code, _) = hub.link(TENANT, "evt-1", 10).await;
    assert_eq!(
        code,
        StatusCode::OK,
        "linking the same pair again is idempotent"
    );
    let (code, body) = hub.link(TENANT, "evt-1", 11).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "event_already_linked");
    let (_, event) = hub.event(TENANT, "evt-1").await;
    assert_eq!(
        event["ticket_id"], 10,
        "the conflicting link changed nothing"
    );
    let (code, body) = hub.event(TENANT, "evt-404").await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "event_not_found");
    let (code, body) = hub
        .call(reqwest::Method::GET, "/api/v1/nothing-here", None)
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[actix_web::test]
async fn tenants_are_listed_with_their_states_in_pages() {
    let hub = Hub::start().await;
    for tenant in ["t-1", "t-2", "t-3"] {
        let mut body = credentials();
        body["setup_webhook"] = json!(false);
        hub.put_connection(tenant, body).await;
    }
    hub.link("t-4", "evt-1", 1).await;
    let (code, page) = hub
        .call(reqwest::Method::GET, "/api/v1/tenants?limit=2", None)
        .await;
    assert_eq!(code, StatusCode::OK);
    let ids: Vec<_> = page["tenants"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["tenant_id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("t-1"), json!("t-2")]);
    assert_eq!(
        page["tenants"][0]["autotask"]["webhook_state"],
        "setup_incomplete"
    );
    assert_eq!(page["next_after"], "t-2");
    let (_, page) = hub
        .call(
            reqwest::Method::GET,
            "/api/v1/tenants?limit=2&after=t-2",
            None,
        )
        .await;
    assert_eq!(page["tenants"][0]["tenant_id"], "t-3");
    assert_eq!(page["tenants"][1]["tenant_id"], "t-4");
    assert!(
        page["tenants"][1]["autotask"].is_null(),
        "t-4 has events but no connection"
    );
    let (code, body) = hub
        .call(reqwest::Method::GET, "/api/v1/tenants?limit=0", None)
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
}
