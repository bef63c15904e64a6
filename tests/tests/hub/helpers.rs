//! A real hub (on its own SQLite file) and a simulated Autotask, both on random loopback ports,
//! with one method per admin call the tests make.

use std::time::Duration;

use autotask_sim::{ApiUser, DatabaseId, SimConfig, Simulator};
use psa_hub::config::Settings;
use psa_hub::local::local_settings;
use psa_hub::{AppHandle, Application};
use psa_hub_tests::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use url::Url;

use crate::wait::until;

pub const USERNAME: &str = "api-user@msp.example";
pub const SECRET: &str = "Api$ecret-123";
pub const CODE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ1";
pub const TENANT: &str = "tenant-a";

pub struct Hub {
    pub sim: Simulator,
    /// The Autotask database of `TENANT`'s API user.
    pub db: DatabaseId,
    pub settings: Settings,
    pub handle: AppHandle,
    pub admin: String,
    pub public: String,
    pub token: String,
    pub http: reqwest::Client,
    /// The hub's database, kept for the hub's lifetime.
    database: TestDatabase,
}

/// Autotask's delays scaled down a thousandfold.
pub fn fast_config() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        // Scaled like every Autotask delay, the 10 s callout timeout would be 10 ms: on a loaded
        // machine the hub would look like a failing receiver, and retries no test expects would
        // follow. Scaled, this is 5 s.
        callout_timeout: Duration::from_secs(5_000),
        ..SimConfig::default()
    }
}

impl Hub {
    pub async fn start() -> Hub {
        Self::start_with(fast_config(), |_| {}).await
    }

    /// A simulator with one database and API user (shaped by `user`) and a hub pointed at it.
    pub async fn start_with(config: SimConfig, user: impl FnOnce(&mut ApiUser)) -> Hub {
        Self::start_tuned(config, user, |_| {}).await
    }

    /// As [`Hub::start_with`], with the hub's settings adjusted by `tune`.
    pub async fn start_tuned(
        config: SimConfig,
        user: impl FnOnce(&mut ApiUser),
        tune: impl FnOnce(&mut Settings),
    ) -> Hub {
        let sim = Simulator::spawn(config).await.expect("simulator starts");
        let db = sim.add_database("Acme MSP");
        let mut api_user = ApiUser::new(USERNAME, SECRET, CODE);
        user(&mut api_user);
        sim.add_api_user(db, api_user);
        let database = TestDatabase::create().await;
        let zone = Url::parse(&sim.zone_lookup_url()).expect("zone url");
        let mut settings = local_settings(database.url().to_owned(), zone);
        settings.admin.setup_wait = Duration::from_secs(20);
        // No periodic checks unless a test asks for them: one landing at a random moment
        // would add Autotask calls that tests counting calls do not expect.
        settings.autotask.drift_check = Duration::ZERO;
        tune(&mut settings);
        let (handle, admin, public, settings) = launch(settings).await;
        let token = settings.admin.tokens[0].expose().to_owned();
        Hub {
            sim,
            db,
            settings,
            handle,
            admin,
            public,
            token,
            http: reqwest::Client::new(),
            database,
        }
    }

    /// Stops the hub and starts it again on the same database, key and public address.
    pub async fn restart(&mut self) {
        self.handle.stop().await;
        let (handle, admin, public, settings) = launch(self.settings.clone()).await;
        self.handle = handle;
        self.admin = admin;
        self.public = public;
        self.settings = settings;
    }

    /// A second Autotask database with its own API user, for another tenant.
    pub fn add_tenant_user(&self, name: &str) -> (DatabaseId, Value) {
        let db = self.sim.add_database(name);
        let username = format!("api@{name}.example");
        self.sim
            .add_api_user(db, ApiUser::new(&username, SECRET, CODE));
        (
            db,
            json!({"username": username, "secret": SECRET, "integration_code": CODE}),
        )
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
        let response = request.send().await.expect("admin API answers");
        let status = response.status();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn connect(&self, tenant: &str) -> (StatusCode, Value) {
        self.put_connection(tenant, credentials()).await
    }

    pub async fn put_connection(&self, tenant: &str, body: Value) -> (StatusCode, Value) {
        self.call(
            Method::PUT,
            &format!("/api/v1/tenants/{tenant}/autotask"),
            Some(body),
        )
        .await
    }

    pub async fn status(&self, tenant: &str) -> (StatusCode, Value) {
        self.call(
            Method::GET,
            &format!("/api/v1/tenants/{tenant}/autotask"),
            None,
        )
        .await
    }

    pub async fn retry(&self, tenant: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/api/v1/tenants/{tenant}/autotask/webhook/retry"),
            None,
        )
        .await
    }

    pub async fn remove(&self, tenant: &str) -> (StatusCode, Value) {
        self.call(
            Method::DELETE,
            &format!("/api/v1/tenants/{tenant}/autotask"),
            None,
        )
        .await
    }

    pub async fn link(&self, tenant: &str, event: &str, ticket: i64) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/api/v1/tenants/{tenant}/events"),
            Some(json!({"event_id": event, "ticket_id": ticket})),
        )
        .await
    }

    /// Links with the ticket's create date, as the product knows it.
    pub async fn link_created(
        &self,
        tenant: &str,
        event: &str,
        ticket: i64,
        created: &str,
    ) -> (StatusCode, Value) {
        let body = json!({"event_id": event, "ticket_id": ticket, "ticket_created_at": created});
        self.call(
            Method::POST,
            &format!("/api/v1/tenants/{tenant}/events"),
            Some(body),
        )
        .await
    }

    pub async fn event(&self, tenant: &str, event: &str) -> (StatusCode, Value) {
        self.call(
            Method::GET,
            &format!("/api/v1/tenants/{tenant}/events/{event}"),
            None,
        )
        .await
    }

    /// Polls until the event is closed.
    pub async fn closed_event(&self, tenant: &str, event: &str) -> Value {
        until(|| async {
            let (_, body) = self.event(tenant, event).await;
            if body["status"] == "closed" {
                Ok(body)
            } else {
                Err(format!("event {event}: {body}"))
            }
        })
        .await
    }

    /// Polls the connection until its webhook state is `state`.
    pub async fn state_becomes(&self, tenant: &str, state: &str) -> Value {
        self.status_until(tenant, |body| body["webhook"]["state"] == state)
            .await
    }

    /// Polls the connection status until `done` holds.
    pub async fn status_until(&self, tenant: &str, done: impl Fn(&Value) -> bool) -> Value {
        until(|| async {
            let (_, body) = self.status(tenant).await;
            if done(&body) {
                Ok(body)
            } else {
                Err(body.to_string())
            }
        })
        .await
    }

    /// A second connection to the hub's database, to look at or break it under the hub.
    pub async fn database(&self) -> sqlx::AnyPool {
        self.database.pool().await
    }

    pub fn on_postgres(&self) -> bool {
        self.database.is_postgres()
    }

    pub async fn metrics(&self) -> String {
        self.http
            .get(format!("{}/metrics", self.admin))
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("metrics body")
    }

    /// Posts a callout to the public listener as Autotask would.
    pub async fn post_callout(
        &self,
        token: &str,
        body: &[u8],
        signature: Option<&str>,
    ) -> (StatusCode, Value) {
        self.post_public(
            &format!("/hooks/autotask/{token}"),
            body,
            signature,
            "application/json",
        )
        .await
    }

    pub async fn post_public(
        &self,
        path: &str,
        body: &[u8],
        signature: Option<&str>,
        content_type: &str,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.public))
            .header("Content-Type", content_type)
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("X-Hook-Signature", signature);
        }
        let response = request.send().await.expect("public listener answers");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The webhook secret Autotask holds for the (only) webhook of `db`.
    pub fn webhook_secret(&self, db: DatabaseId) -> String {
        let webhooks = self.sim.webhooks(db);
        assert_eq!(webhooks.len(), 1, "one webhook expected: {webhooks:?}");
        webhooks[0]["secretKey"]
            .as_str()
            .expect("secretKey")
            .to_owned()
    }

    /// Waits for the simulator's successful deliveries to reach `n`, and returns them.
    pub async fn deliveries(&self, n: usize) -> Vec<autotask_sim::Delivery> {
        until(|| async {
            let done: Vec<_> = self
                .sim
                .deliveries()
                .into_iter()
                .filter(|d| d.succeeded() && !d.deactivation)
                .collect();
            if done.len() >= n {
                Ok(done)
            } else {
                Err(format!("{} of {n} deliveries", done.len()))
            }
        })
        .await
    }

    /// Waits until the sample `series` in `/metrics` reaches `at_least`; returns its value.
    pub async fn metric_reaches(&self, series: &str, at_least: f64) -> f64 {
        until(|| async {
            let value = sample(&self.metrics().await, series);
            if value >= at_least {
                Ok(value)
            } else {
                Err(format!("{series} = {value}"))
            }
        })
        .await
    }
}

pub fn credentials() -> Value {
    json!({"username": USERNAME, "secret": SECRET, "integration_code": CODE})
}

/// The hook token in a connection status's webhook URL.
pub fn hook_token(status: &Value) -> String {
    let url = status["webhook"]["url"].as_str().expect("webhook url");
    url.rsplit('/').next().expect("token").to_owned()
}

/// The sum of the samples of `series` in Prometheus text, as PromQL's `sum(series)` reads it:
/// every sample of that metric name whose labels include the ones given (`name{a="x"}`
/// matches `name{a="x",psa="autotask"}`); 0 when there is none.
pub fn sample(metrics: &str, series: &str) -> f64 {
    let (name, wanted) = split_series(series);
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (found, labels) = split_series(series);
            (found == name && wanted.iter().all(|pair| labels.contains(pair)))
                .then(|| value.trim().parse::<f64>().expect("a number"))
        })
        .sum()
}

/// `name{a="x",b="y"}` → (`name`, [`a="x"`, `b="y"`]). Label values in these tests hold no
/// commas or braces.
fn split_series(series: &str) -> (&str, Vec<&str>) {
    match series.split_once('{') {
        Some((name, labels)) => {
            let labels = labels.trim_end_matches('}');
            (name, labels.split(',').filter(|l| !l.is_empty()).collect())
        }
        None => (series, Vec::new()),
    }
}

async fn launch(mut settings: Settings) -> (AppHandle, String, String, Settings) {
    let app = Application::build(settings.clone())
        .await
        .expect("hub builds");
    let admin = format!("http://{}", app.admin_addr());
    let public = format!("http://{}", app.public_addr());
    // A restart must come back where Autotask already calls.
    settings.public.listen = app.public_addr();
    settings.public.url = Some(Url::parse(app.public_url()).expect("public url"));
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    (handle, admin, public, settings)
}

/// A completion callout as Autotask sends it.
pub fn completion(guid: &str, sequence: i64, ticket: i64, resolution: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "Action": "Update", "Guid": guid, "EntityType": "Ticket", "Id": ticket,
        "Fields": {"CompletedDate": "2026-11-27T12:00:00Z", "Status": 5, "Resolution": resolution},
        "EventTime": "2026-11-27T12:00:01Z", "SequenceNumber": sequence, "PersonID": 29682885
    }))
    .expect("serializes")
}
