//! A simulated Autotask with one API user, the adapter pointed at it, and a callout receiver.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use autotask_sim::{ApiUser, DatabaseId, SimConfig, Simulator};
use parking_lot::Mutex;
use psa_autotask::retry::RetryPolicy;
use psa_autotask::{generate_secret, Autotask, AutotaskConnection, AutotaskSettings, Credentials};
use psa_proto::{PsaAdapter, RegisteredWebhook, WebhookSpec};

pub const USERNAME: &str = "api-user@msp.example";
pub const SECRET: &str = "Api$ecret-123";
pub const CODE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ1";

pub struct World {
    pub sim: Simulator,
    pub db: DatabaseId,
    pub autotask: Autotask,
}

/// Fast but real retries: the simulator's answers decide, the waits are short.
pub fn settings(sim: &Simulator) -> AutotaskSettings {
    AutotaskSettings {
        zone_lookup_url: sim.zone_lookup_url(),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
        ..AutotaskSettings::default()
    }
}

pub async fn world_with(config: SimConfig, user: impl FnOnce(&mut ApiUser)) -> World {
    let sim = Simulator::spawn(config).await.expect("simulator starts");
    let db = sim.add_database("Acme MSP");
    let mut api_user = ApiUser::new(USERNAME, SECRET, CODE);
    user(&mut api_user);
    sim.add_api_user(db, api_user);
    let autotask = Autotask::new(settings(&sim)).expect("adapter builds");
    World { sim, db, autotask }
}

pub async fn world() -> World {
    world_with(fast_config(), |_| {}).await
}

/// Autotask's delays scaled down a thousandfold.
pub fn fast_config() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        // Scaled, the 10 s callout timeout would be 10 ms and a loaded machine would lose
        // callouts to it; this scales to 5 s.
        callout_timeout: Duration::from_secs(5_000),
        ..SimConfig::default()
    }
}

pub fn credentials() -> Credentials {
    Credentials {
        username: USERNAME.into(),
        secret: SECRET.into(),
        integration_code: CODE.into(),
    }
}

impl World {
    pub async fn connect(&self) -> AutotaskConnection {
        self.autotask
            .connect(credentials())
            .await
            .expect("zone discovery succeeds")
    }

    /// Connects afresh and registers `spec`, as a tenant's first setup does.
    pub async fn register(
        &self,
        spec: &WebhookSpec,
    ) -> Result<RegisteredWebhook, psa_autotask::AutotaskError> {
        self.connect().await.register(spec).await
    }

    pub fn webhooks(&self) -> Vec<serde_json::Value> {
        self.sim.webhooks(self.db)
    }
}

pub fn spec_for(base: &str, token: &str) -> WebhookSpec {
    WebhookSpec {
        name: "SaaS Alerts Ticket Monitor".into(),
        webhook_url: format!("{base}/hooks/autotask/{token}"),
        deactivation_url: format!("{base}/hooks/autotask/{token}/deactivated"),
        secret: generate_secret(),
        notification_email: Some("ops@msp.example".into()),
    }
}

pub fn spec(token: &str) -> WebhookSpec {
    spec_for("https://hooks.example.com", token)
}

/// One callout as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub signature: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// A real HTTP endpoint that records callouts and answers a chosen status.
#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<Mutex<u16>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200u16));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("has an address").port();
        let (r, s) = (received.clone(), status.clone());
        let server = HttpServer::new(move || {
            let (r, s) = (r.clone(), s.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (r, s) = (r.clone(), s.clone());
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    r.lock().push(Received {
                        path: req.path().to_owned(),
                        signature: header("x-hook-signature"),
                        content_type: header("content-type"),
                        body: body.to_vec(),
                    });
                    let code = *s.lock();
                    HttpResponse::build(
                        actix_web::http::StatusCode::from_u16(code).expect("valid status"),
                    )
                    .finish()
                }
            }))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listens")
        .run();
        tokio::spawn(server);
        Receiver {
            base: format!("http://127.0.0.1:{port}"),
            received,
            status,
        }
    }

    /// Waits until `n` callouts arrived (for at most 20 s, far beyond what a loaded machine
    /// needs), then returns them all; the caller's count assertion says what was missing.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..1000 {
            if self.received.lock().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.received.lock().clone()
    }
}

/// A GET straight to the simulator with the test user's credentials, bypassing the adapter.
pub async fn raw_get(sim: &Simulator, path: &str) -> reqwest::Response {
    raw(sim, reqwest::Method::GET, path, None).await
}

/// A call straight to the simulator's REST API as the test user, as someone editing the
/// webhook in Autotask would; panics unless it answers 2xx.
pub async fn as_api_user(
    sim: &Simulator,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let response = raw(sim, method.clone(), path, body).await;
    let status = response.status();
    let text = response.text().await.expect("the simulator answers");
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).expect("JSON")
}

async fn raw(
    sim: &Simulator,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(
            method,
            format!("{}/ATServicesRest/V1.0/{path}", sim.base_url()),
        )
        .header("ApiIntegrationCode", CODE)
        .header("UserName", USERNAME)
        .header("Secret", SECRET);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("the simulator answers")
}

/// The REST paths (after `/V1.0/`, lower-cased) the simulator received, with their methods.
pub fn calls(sim: &Simulator) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| {
            let lower = r.path.to_ascii_lowercase();
            let tail = lower.split("/v1.0/").nth(1).unwrap_or(&lower).to_owned();
            format!("{} {tail}", r.method)
        })
        .collect()
}
