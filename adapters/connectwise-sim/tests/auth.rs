//! Company info, clientId, credentials, member rights, paths and the rate limit.

mod common;

use common::*;
use connectwise_sim::{EmptyErrors, ErrorSpec, SimConfig, UnknownCompany};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn company_info_needs_no_auth_and_names_the_codebase() {
    let e = env(SimConfig::default()).await;
    let url = format!("{}/login/companyinfo/cobalt", e.sim.site_url());
    let (s, info) = send(e.http.get(&url), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        info,
        json!({"CompanyName": "Cobalt MSP", "Codebase": "v4_6_release/", "VersionCode": "v2025.1",
               "VersionNumber": "v4.6.95104", "CompanyID": "Cobalt", "IsCloud": "False"})
    );
    let unknown = format!("{}/login/companyinfo/nobody", e.sim.site_url());
    let resp = e.http.get(&unknown).send().await.expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.expect("text"), "null");
}

#[tokio::test]
async fn a_cloud_codebase_moves_the_api_and_unknown_companies_can_404() {
    let e = env(SimConfig {
        codebase: "v2025_1/".into(),
        is_cloud: true,
        is_cloud_as_text: false,
        unknown_company: UnknownCompany::NotFound,
        ..SimConfig::default()
    })
    .await;
    let info_url = format!("{}/login/companyinfo/COBALT", e.sim.site_url());
    let (_, info) = send(e.http.get(info_url), None).await;
    assert_eq!(
        (info["Codebase"].clone(), info["IsCloud"].clone()),
        (json!("v2025_1/"), json!(true))
    );
    assert!(e.sim.api_url().ends_with("/v2025_1/apis/3.0"));
    assert_eq!(e.call(Method::GET, "system/info", None).await.0, 200);
    // v4_6_release keeps working on cloud; an unknown codebase does not exist.
    for (codebase, want) in [("v4_6_release", 200), ("v2019_1", 404)] {
        let url = format!("{}/{codebase}/apis/3.0/system/info", e.sim.site_url());
        let r = e
            .http
            .get(url)
            .header("Authorization", basic(COMPANY, PUBLIC, PRIVATE))
            .header("clientId", CLIENT_ID);
        assert_eq!(send(r, None).await.0, want, "{codebase}");
    }
    let (s, body) = send(
        e.http
            .get(format!("{}/login/companyinfo/nobody", e.sim.site_url())),
        None,
    )
    .await;
    assert_eq!((s, body["code"].clone()), (404, json!("NotFound")));
}

#[tokio::test]
async fn good_keys_pass_and_paths_ignore_case() {
    let e = env(SimConfig::default()).await;
    let (s, _) = e.call(Method::GET, "System/Callbacks", None).await;
    assert_eq!(s, 200);
    let (s, body) = e.call(Method::GET, "system/nothing-here", None).await;
    assert_eq!(s, 404);
    assert_eq!(
        body,
        json!({"code": "ConnectWiseApi", "message": "The endpoint does not exist."})
    );
    // The company id in the Authorization header is case-insensitive too.
    let r = e
        .http
        .get(e.url("system/info"))
        .header("Authorization", basic("COBALT", PUBLIC, PRIVATE))
        .header("clientid", CLIENT_ID);
    assert_eq!(send(r, None).await.0, 200);
}

#[tokio::test]
async fn bad_keys_an_unknown_company_and_inactive_members_answer_alike() {
    let e = env(SimConfig::default()).await;
    let unauthenticated = json!({"code": "ConnectWiseApi", "message": "UserNotAuthenticated"});
    let (s, body) = e
        .call_as((PUBLIC, "wrong"), Method::GET, "system/callbacks", None)
        .await;
    assert_eq!((s, body), (401, unauthenticated.clone()));
    let r = e
        .http
        .get(e.url("system/callbacks"))
        .header("Authorization", basic("other", PUBLIC, PRIVATE))
        .header("clientId", CLIENT_ID);
    assert_eq!(send(r, None).await, (401, unauthenticated.clone()));
    let r = e
        .http
        .get(e.url("system/callbacks"))
        .header("clientId", CLIENT_ID);
    assert_eq!(send(r, None).await.0, 401, "no Authorization header");
    e.sim
        .update_member(&e.company, PUBLIC, |m| m.inactive = true);
    assert_eq!(
        e.call(Method::GET, "system/callbacks", None).await,
        (401, unauthenticated)
    );
}

#[tokio::test]
async fn bad_keys_can_answer_404_and_errors_can_carry_null() {
    let e = env(SimConfig {
        bad_credentials: ErrorSpec::new(404, "NotFound", "Not found"),
        empty_errors: EmptyErrors::Null,
        ..SimConfig::default()
    })
    .await;
    let (s, body) = e
        .call_as((PUBLIC, "wrong"), Method::GET, "system/info", None)
        .await;
    assert_eq!(
        (s, body),
        (
            404,
            json!({"code": "NotFound", "message": "Not found", "errors": null})
        )
    );
}

#[tokio::test]
async fn the_client_id_is_required_and_checked() {
    let e = env(SimConfig {
        client_ids: vec![CLIENT_ID.to_uppercase()],
        ..SimConfig::default()
    })
    .await;
    let auth = basic(COMPANY, PUBLIC, PRIVATE);
    let r = e
        .http
        .get(e.url("system/info"))
        .header("Authorization", &auth);
    let (s, body) = send(r, None).await;
    assert_eq!((s, body["code"].clone()), (400, json!("InvalidClientId")));
    assert_eq!(body["message"], json!("clientId is required."));
    let r = e
        .http
        .get(e.url("system/info"))
        .header("Authorization", &auth)
        .header("clientId", "someone-else");
    let (s, body) = send(r, None).await;
    assert_eq!(
        (s, body["message"].clone()),
        (400, json!("clientId is invalid."))
    );
    // Header names and the GUID's case do not matter.
    let r = e
        .http
        .get(e.url("system/info"))
        .header("Authorization", &auth)
        .header("ClientId", CLIENT_ID);
    assert_eq!(send(r, None).await.0, 200);
}

#[tokio::test]
async fn a_missing_right_is_403_naming_it() {
    let e = env(SimConfig::default()).await;
    e.sim
        .update_member(&e.company, PUBLIC, |m| m.can_manage_callbacks = false);
    let (s, body) = e.call(Method::GET, "system/callbacks", None).await;
    assert_eq!(s, 403);
    assert_eq!(body["code"], json!("Forbidden"));
    let text = body["message"].as_str().expect("message");
    assert!(text.contains("System › Table Setup"), "{text}");
    let (s, _) = e
        .call(
            Method::POST,
            "system/callbacks",
            Some(callback_body("https://hooks.example/cw?id=")),
        )
        .await;
    assert_eq!(s, 403);
    assert!(
        e.sim.callbacks(&e.company).is_empty(),
        "nothing was created"
    );
    // Tickets are another right.
    assert_eq!(e.call(Method::GET, "service/tickets", None).await.0, 200);
    e.sim
        .update_member(&e.company, PUBLIC, |m| m.can_read_tickets = false);
    let (s, body) = e.call(Method::GET, "service/tickets", None).await;
    assert_eq!(s, 403);
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.contains("Service Desk › Service Tickets")));
    e.sim.update_member(&e.company, PUBLIC, |m| {
        m.can_read_tickets = true;
        m.can_edit_tickets = false;
    });
    let (s, _) = e
        .call(
            Method::POST,
            "service/tickets",
            Some(json!({"summary": "x"})),
        )
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let e = env(SimConfig {
        requests_per_window: 2,
        ..SimConfig::default()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(e.call(Method::GET, "system/info", None).await.0, 200);
    }
    let resp = e
        .req(Method::GET, "system/info")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 429);
    let wait: u64 = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], json!("ConnectWiseAPI"));
    assert_eq!(
        body["message"],
        json!(format!(
            "Too many requests. Please try again in {wait} seconds."
        ))
    );
    // Another company has its own budget; unauthenticated routes are not counted.
    let other = e.sim.add_company("other", "Other MSP");
    e.sim
        .add_member(&other, connectwise_sim::ApiMember::new("x", "pk2", "sk2"));
    let r = e
        .http
        .get(e.url("system/info"))
        .header("Authorization", basic("other", "pk2", "sk2"))
        .header("clientId", CLIENT_ID);
    assert_eq!(send(r, None).await.0, 200);
    let info = format!("{}/login/companyinfo/cobalt", e.sim.site_url());
    assert_eq!(send(e.http.get(info), None).await.0, 200);
}
