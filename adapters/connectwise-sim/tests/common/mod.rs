//! Shared test helpers: a simulator with one company and member, an authenticated client, a
//! callback receiver, and waiting on observable conditions.
#![allow(dead_code)]

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use connectwise_sim::{ApiMember, CompanyId, SimConfig, Simulator};
use parking_lot::Mutex;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const COMPANY: &str = "Cobalt";
pub const PUBLIC: &str = "pUbLiCkEy123456";
pub const PRIVATE: &str = "pRiVaTeKeY654321";
pub const MEMBER: &str = "PsaHubApi";
pub const CLIENT_ID: &str = "0f4d3c2b-1a09-4e8f-9d7c-6b5a4f3e2d1c";

pub struct Env {
    pub sim: Simulator,
    pub company: CompanyId,
    pub http: reqwest::Client,
}

pub async fn env(config: SimConfig) -> Env {
    let sim = Simulator::spawn(config).await.expect("spawn");
    let company = sim.add_company(COMPANY, "Cobalt MSP");
    sim.add_member(&company, ApiMember::new(MEMBER, PUBLIC, PRIVATE));
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    Env { sim, company, http }
}

/// `Basic base64("{company}+{public}:{private}")`.
pub fn basic(company: &str, public: &str, private: &str) -> String {
    let raw = format!("{company}+{public}:{private}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.sim.api_url())
    }

    /// A request with the member's keys, the clientId and a version Accept header.
    pub fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.req_as((PUBLIC, PRIVATE), method, path)
    }

    pub fn req_as(
        &self,
        (public, private): (&str, &str),
        method: Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .header("Authorization", basic(COMPANY, public, private))
            .header("clientId", CLIENT_ID)
            .header(
                "Accept",
                "application/vnd.connectwise.com+json; version=2025.1",
            )
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        send(self.req(method, path), body).await
    }

    pub async fn call_as(
        &self,
        keys: (&str, &str),
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        send(self.req_as(keys, method, path), body).await
    }

    /// Registers an owner-level ticket callback to `url`; returns its id.
    pub async fn owner_callback(&self, url: &str) -> i64 {
        let (s, c) = self
            .call(Method::POST, "system/callbacks", Some(callback_body(url)))
            .await;
        assert_eq!(s, 201, "{c}");
        c["id"].as_i64().expect("id")
    }

    /// Messages queued so far for a callback.
    pub fn queued(&self, id: i64) -> u64 {
        self.sim
            .callback(&self.company, connectwise_sim::CallbackId(id))
            .expect("callback")
            .queued
    }
}

/// An owner-level ticket callback body, the way AMP registers one.
pub fn callback_body(url: &str) -> Value {
    json!({
        "description": "SaaS Alerts Ticket Monitor",
        "url": url,
        "objectId": 1,
        "type": "ticket",
        "level": "owner",
        "payloadVersion": "3.0.0",
        "inactiveFlag": false,
        "isSoapCallbackFlag": false,
        "isSelfSuppressedFlag": false,
    })
}

/// Sends with an optional JSON body; an empty or non-JSON answer reads as `Null`.
pub async fn send(mut r: reqwest::RequestBuilder, body: Option<Value>) -> (u16, Value) {
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Callback delays scaled down a thousandfold; a generous timeout so a loaded machine never
/// times out a local receiver (5,000 s scaled is 5 s).
pub fn fast() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        callback_timeout: Duration::from_secs(5_000),
        ..SimConfig::default()
    }
}

/// One request a receiver got.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub query: String,
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

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("json body")
    }
}

/// A callback receiver answering every POST with its current `status`, or with the next of
/// the `script`ed statuses while there are any.
pub struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
    pub status: Arc<AtomicU16>,
    pub script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Answers the next requests with these statuses, in order.
    pub fn answer_next(&self, statuses: &[u16]) {
        self.script.lock().extend(statuses);
    }

    pub fn count(&self) -> usize {
        self.hits.lock().len()
    }
}

type State = (
    Arc<Mutex<Vec<Hit>>>,
    Arc<AtomicU16>,
    Arc<Mutex<VecDeque<u16>>>,
);

pub async fn receiver(status: u16) -> Receiver {
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let code = Arc::new(AtomicU16::new(status));
    let script: Arc<Mutex<VecDeque<u16>>> = Arc::default();
    let data = web::Data::new((hits.clone(), code.clone(), script.clone()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(record))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    Receiver {
        url: format!("http://127.0.0.1:{port}/hooks/cw"),
        hits,
        status: code,
        script,
    }
}

async fn record(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    state.0.lock().push(Hit {
        path: req.path().to_string(),
        query: req.query_string().to_string(),
        headers: req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: body.to_vec(),
    });
    let scripted = state.2.lock().pop_front();
    let status = scripted.unwrap_or_else(|| state.1.load(Ordering::SeqCst));
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).finish()
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
