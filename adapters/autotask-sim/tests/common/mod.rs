//! Shared test helpers: a simulator with one user, an authenticated client, a callout receiver.
#![allow(dead_code)]

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use autotask_sim::{ApiUser, DatabaseId, SimConfig, Simulator};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const USER: &str = "api-user@msp.example";
pub const SECRET: &str = "s3cret!";
pub const CODE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ1";

pub struct Env {
    pub sim: Simulator,
    pub db: DatabaseId,
    pub http: reqwest::Client,
}

pub async fn env(config: SimConfig) -> Env {
    let sim = Simulator::spawn(config).await.expect("spawn");
    let db = sim.add_database("tenant");
    sim.add_api_user(db, ApiUser::new(USER, SECRET, CODE));
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    Env { sim, db, http }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}/ATServicesRest/V1.0/{path}", self.sim.base_url())
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.req_as(USER, SECRET, method, path)
    }

    /// A request with another API user's credentials (same integration code).
    pub fn req_as(
        &self,
        user: &str,
        secret: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header("ApiIntegrationCode", CODE)
            .header("UserName", user)
            .header("Secret", secret)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        send(self.req(method, path), body).await
    }

    pub async fn call_as(
        &self,
        (user, secret): (&str, &str),
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        send(self.req_as(user, secret, method, path), body).await
    }

    /// Creates a webhook with update events and returns its id.
    pub async fn create_webhook(&self, url: &str) -> (u16, Value) {
        let body = webhook_body(url);
        self.call(reqwest::Method::POST, "TicketWebhooks", Some(body))
            .await
    }

    pub async fn add_field(&self, wid: i64, field: i64, sub: bool, always: bool) -> (u16, Value) {
        self.call(
            reqwest::Method::POST,
            &format!("TicketWebhooks/{wid}/Fields"),
            Some(json!({"webhookID": wid, "fieldID": field, "isSubscribedField": sub, "isDisplayAlwaysField": always})),
        )
        .await
    }
}

/// Callout delays scaled down a thousandfold.
pub fn fast() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        // 5,000 s scaled = 5 s: generous so a loaded test machine never times out a local receiver.
        callout_timeout: Duration::from_secs(5_000),
        ..SimConfig::default()
    }
}

/// A webhook subscribed to CompletedDate, display-always Status/Resolution/CreateDate.
pub async fn ready_webhook(e: &Env, url: &str) -> i64 {
    let (s, c) = e.create_webhook(url).await;
    assert_eq!(s, 200, "{c}");
    let wid = c["itemId"].as_i64().expect("id");
    assert_eq!(e.add_field(wid, 56, true, false).await.0, 200);
    for f in [27, 14, 41] {
        assert_eq!(e.add_field(wid, f, false, true).await.0, 200);
    }
    wid
}

/// A create body for an update-events webhook calling `url`.
pub fn webhook_body(url: &str) -> Value {
    json!({
        "name": "svc tenant 42 ticket-close",
        "webhookUrl": url,
        "deactivationUrl": format!("{url}/deactivated"),
        "secretKey": "9f8c1e0b6a4d4f7c8e2b51d3a9c07e66",
        "isActive": true,
        "isSubscribedToUpdateEvents": true,
    })
}

/// Sends with an optional JSON body; a non-JSON answer reads as `Null`.
async fn send(mut r: reqwest::RequestBuilder, body: Option<Value>) -> (u16, Value) {
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A tiny callout receiver that answers every POST with `status`.
pub struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
}

pub async fn receiver(status: u16) -> Receiver {
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let data = web::Data::new(hits.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(move || {
        App::new().app_data(data.clone()).default_service(web::to(
            move |req: HttpRequest, body: web::Bytes, hits: web::Data<Arc<Mutex<Vec<Hit>>>>| async move {
                hits.lock().push(Hit {
                    path: req.path().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                        .collect(),
                    body: body.to_vec(),
                });
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).finish()
            },
        ))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    Receiver {
        url: format!("http://127.0.0.1:{port}/hook"),
        hits,
    }
}

/// The last SequenceNumber the simulator handed out for the database's first webhook.
pub fn sequence(e: &Env) -> i64 {
    e.sim.webhooks(e.db)[0]["sequence"]
        .as_i64()
        .expect("sequence")
}

/// Polls `cond` every 20 ms for up to 20 s (far beyond what a loaded machine needs).
pub async fn wait_for(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..1000 {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cond()
}
