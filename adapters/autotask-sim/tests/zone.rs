//! Zone discovery (reference §1.2): the URL per API user, and what lies beyond a wrong one.

mod common;

use autotask_sim::{ApiUser, Op, SimConfig};
use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn zone_lookup_known_and_unknown_user() {
    let e = env(SimConfig::default()).await;
    let known: serde_json::Value = e
        .http
        .get(e.sim.zone_lookup_url())
        .query(&[("user", USER)])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        known["url"],
        json!(format!("{}/ATServicesRest/", e.sim.base_url()))
    );
    assert_eq!(known["ci"], json!(e.db.0));
    let resp = e
        .http
        .get(e.sim.zone_lookup_url())
        .query(&[("user", "nobody@x")])
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    let unknown: serde_json::Value = resp.json().await.expect("json");
    assert!(unknown["url"].is_null());
    let missing = e
        .http
        .get(e.sim.zone_lookup_url())
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status().as_u16(), 400);
}

#[tokio::test]
async fn a_user_in_another_zone_is_sent_where_nothing_is_served() {
    let e = env(SimConfig::default()).await;
    let elsewhere = format!("{}/elsewhere/ATServicesRest/", e.sim.base_url());
    e.sim
        .update_api_user(USER, |u| u.zone_url = Some(elsewhere.clone()));
    let zone: Value = e
        .http
        .get(e.sim.zone_lookup_url())
        .query(&[("user", USER)])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(zone["url"], json!(elsewhere));
    let resp = e
        .http
        .post(format!("{elsewhere}V1.0/TicketWebhooks/query"))
        .header("ApiIntegrationCode", CODE)
        .header("UserName", USER)
        .header("Secret", SECRET)
        .json(&json!({"filter":[{"op":"exist","field":"id"}]}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 404);
    let body: Value = resp.json().await.expect("json");
    assert!(body["errors"][0].is_string(), "{body}");
    let last = e.sim.requests().pop().expect("logged");
    assert_eq!((last.op, last.status), (Op::Other, Some(404)));
}

#[tokio::test]
async fn other_users_keep_the_simulators_own_zone() {
    let e = env(SimConfig::default()).await;
    let mut moved = ApiUser::new("moved@msp.example", "x", CODE);
    moved.zone_url = Some("https://webservices99.example/ATServicesRest/".into());
    e.sim.add_api_user(e.db, moved);
    let zone: Value = e
        .http
        .get(e.sim.zone_lookup_url())
        .query(&[("user", USER)])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        zone["url"],
        json!(format!("{}/ATServicesRest/", e.sim.base_url()))
    );
}
