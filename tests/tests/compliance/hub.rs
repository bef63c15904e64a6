//! A real hub on its own SQLite file, on random loopback ports, pointed at the harnesses'
//! simulators, with the admin calls and public posts the suite makes.

use psa_hub::local::local_settings;
use psa_hub::Application;
use psa_hub_tests::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use url::Url;

use crate::harness::{Delivered, Harness};
use crate::wait::{sample, until};

pub struct Hub {
    pub admin: String,
    /// The public listener's base, where the PSAs call.
    pub public: String,
    token: String,
    http: reqwest::Client,
    /// The hub's database, kept for the hub's lifetime.
    _database: TestDatabase,
}

impl Hub {
    /// A hub serving every PSA, each harness in `tune` pointing it at its simulator.
    pub async fn start(tune: impl FnOnce(&mut psa_hub::config::Settings)) -> Hub {
        let database = TestDatabase::create().await;
        let unused = Url::parse("http://127.0.0.1:9/unused").expect("a URL");
        let mut settings = local_settings(database.url().to_owned(), unused);
        settings.admin.setup_wait = std::time::Duration::from_secs(20);
        // No periodic checks: one landing at a random moment would add PSA calls.
        settings.autotask.drift_check = std::time::Duration::ZERO;
        settings.connectwise.drift_check = std::time::Duration::ZERO;
        tune(&mut settings);
        let token = settings.admin.tokens[0].expose().to_owned();
        let app = Application::build(settings).await.expect("hub builds");
        let admin = format!("http://{}", app.admin_addr());
        let public = format!("http://{}", app.public_addr());
        actix_web::rt::spawn(app.run_until_stopped());
        Hub {
            admin,
            public,
            token,
            http: reqwest::Client::new(),
            _database: database,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.admin))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the admin API answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Connects `tenant` to the harness's PSA and waits until its webhook is active; returns
    /// the status.
    pub async fn connect<H: Harness>(&self, harness: &H, tenant: &str) -> Value {
        let path = format!("/api/v1/tenants/{tenant}/{}", H::NAME);
        let (status, body) = self
            .call(Method::PUT, &path, Some(harness.put_body(true)))
            .await;
        assert!(status.is_success(), "PUT {path}: {status} {body}");
        until(|| async {
            let (_, body) = self.call(Method::GET, &path, None).await;
            match body["webhook"]["state"].as_str() {
                Some("active") => Ok(body),
                _ => Err(body.to_string()),
            }
        })
        .await
    }

    pub async fn link(&self, tenant: &str, event: &str, ticket: i64) {
        let path = format!("/api/v1/tenants/{tenant}/events");
        let body = json!({"event_id": event, "ticket_id": ticket});
        let (status, answer) = self.call(Method::POST, &path, Some(body)).await;
        assert!(status.is_success(), "link {event}: {status} {answer}");
    }

    pub async fn event(&self, tenant: &str, event: &str) -> Value {
        let path = format!("/api/v1/tenants/{tenant}/events/{event}");
        let (status, body) = self.call(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Polls until the event is closed; returns it.
    pub async fn closed_event(&self, tenant: &str, event: &str) -> Value {
        until(|| async {
            let body = self.event(tenant, event).await;
            (body["status"] == "closed")
                .then_some(body.clone())
                .ok_or(body.to_string())
        })
        .await
    }

    pub async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.admin);
        let response = self.http.get(url).send().await.expect("metrics answer");
        response.text().await.expect("metrics body")
    }

    /// Waits until the sample `series` reaches `at_least`; returns its value.
    pub async fn metric_reaches(&self, series: &str, at_least: f64) -> f64 {
        until(|| async {
            let value = sample(&self.metrics().await, series);
            (value >= at_least)
                .then_some(value)
                .ok_or(format!("{series} = {value}"))
        })
        .await
    }

    /// Posts `callout` to the public listener as the PSA would, signature in `header`.
    pub async fn post(&self, callout: &Delivered, header: &str) -> StatusCode {
        self.http
            .post(&callout.url)
            .header("Content-Type", "application/json")
            .header(header, &callout.signature)
            .body(callout.body.clone())
            .send()
            .await
            .expect("the public listener answers")
            .status()
    }
}

/// The hook token at the end of a connection status's webhook URL.
pub fn hook_token(status: &Value) -> String {
    let url = status["webhook"]["url"].as_str().expect("a webhook url");
    url.rsplit('/').next().expect("a token").to_owned()
}
