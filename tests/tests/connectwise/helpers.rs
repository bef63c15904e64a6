//! A simulated ConnectWise PSA with one company and API member, the provider pointed at it
//! through the hub's boundary, and a callback receiver.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use connectwise_sim::{ApiMember, CompanyId, LoggedRequest, Op, SimConfig, Simulator};
use parking_lot::Mutex;
use psa_connectwise::{ConnectWiseProvider, ConnectWiseSettings, RetryPolicy};
use psa_proto::{
    ApiObserver, Connection, ConnectionInput, Provider, PsaName, WebhookSecret, WebhookSpec,
};
use serde_json::{json, Map, Value};

pub const COMPANY: &str = "Cobalt";
pub const PUBLIC: &str = "pUbLiCkEy123456";
pub const PRIVATE: &str = "pRiVaTeKeY654321";
pub const MEMBER: &str = "PsaHubApi";
pub const CLIENT_ID: &str = "0f4d3c2b-1a09-4e8f-9d7c-6b5a4f3e2d1c";

/// Every exchange the provider reported, as (operation, status).
#[derive(Debug, Default)]
pub struct Exchanges(pub Mutex<Vec<(&'static str, Option<u16>)>>);

impl ApiObserver for Exchanges {
    fn observe(&self, psa: PsaName, operation: &'static str, status: Option<u16>, _: Duration) {
        assert_eq!(psa.as_str(), "connectwise");
        self.0.lock().push((operation, status));
    }
}

pub struct World {
    pub sim: Simulator,
    pub company: CompanyId,
    pub provider: ConnectWiseProvider,
    pub exchanges: Arc<Exchanges>,
}

/// Fast but real retries: the simulator's answers decide, the waits are short.
pub fn settings() -> ConnectWiseSettings {
    ConnectWiseSettings {
        client_id: CLIENT_ID.into(),
        allow_http_sites: true,
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
        ..ConnectWiseSettings::default()
    }
}

/// ConnectWise's delays scaled down a thousandfold.
pub fn fast_config() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        // Scaled, the 5 s callback timeout would be 5 ms: a loaded machine would see callbacks
        // dropped before they reach the receiver (ConnectWise does not retry a timeout). 5 s.
        callback_timeout: Duration::from_secs(5_000),
        client_ids: vec![CLIENT_ID.into()],
        ..SimConfig::default()
    }
}

pub async fn world_with(
    config: SimConfig,
    settings: ConnectWiseSettings,
    member: impl FnOnce(&mut ApiMember),
) -> World {
    let sim = Simulator::spawn(config).await.expect("simulator starts");
    let company = sim.add_company(COMPANY, "Cobalt MSP");
    let mut api_member = ApiMember::new(MEMBER, PUBLIC, PRIVATE);
    member(&mut api_member);
    sim.add_member(&company, api_member);
    let exchanges = Arc::new(Exchanges::default());
    let provider =
        ConnectWiseProvider::new(settings, Some(exchanges.clone())).expect("provider builds");
    World {
        sim,
        company,
        provider,
        exchanges,
    }
}

pub async fn world() -> World {
    world_with(fast_config(), settings(), |_| {}).await
}

impl World {
    /// The PUT body of this tenant's connection.
    pub fn body(&self) -> Map<String, Value> {
        json!({"site": self.sim.site_url(), "company_id": COMPANY,
               "public_key": PUBLIC, "private_key": PRIVATE})
        .as_object()
        .cloned()
        .expect("an object")
    }

    pub fn input(&self) -> ConnectionInput {
        self.provider
            .parse_connection(&self.body())
            .expect("a valid connection")
    }

    pub async fn connect(&self) -> Box<dyn Connection> {
        self.provider
            .connect(&self.input().credentials)
            .await
            .expect("discovery succeeds")
    }

    /// REST calls the simulator received (company info and key fetches included), as
    /// `METHOD path?query` with the path after the API root.
    pub fn calls(&self) -> Vec<String> {
        let root = format!("/{}apis/3.0/", self.sim.config().codebase);
        self.sim
            .requests()
            .iter()
            .map(|r| {
                let path = r.path.strip_prefix(&root).unwrap_or(&r.path);
                match r.query.as_str() {
                    "" => format!("{} {path}", r.method),
                    query => format!("{} {path}?{}", r.method, decode(query)),
                }
            })
            .collect()
    }

    pub fn requests_of(&self, op: Op) -> Vec<LoggedRequest> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.op == op)
            .collect()
    }

    pub fn callbacks(&self) -> Vec<connectwise_sim::CallbackSnapshot> {
        self.sim.callbacks(&self.company)
    }
}

fn decode(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn spec_for(base: &str, token: &str) -> WebhookSpec {
    WebhookSpec {
        name: "SaaS Alerts Ticket Monitor".into(),
        webhook_url: format!("{base}/hooks/connectwise/{token}"),
        deactivation_url: format!("{base}/hooks/connectwise/{token}/deactivated"),
        secret: WebhookSecret::new("not used by ConnectWise"),
        notification_email: None,
    }
}

pub fn spec(token: &str) -> WebhookSpec {
    spec_for("https://hooks.example.com", token)
}

/// Polls `condition` until it holds (for at most 20 s, far beyond what a loaded machine
/// needs); the caller's assertion says what was missing.
pub async fn wait_for(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..1000 {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

/// One callback as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: String,
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// A real HTTP endpoint that records callbacks and answers 200.
#[derive(Clone)]
pub struct Receiver {
    pub base: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = listener.local_addr().expect("has an address").port();
        let r = received.clone();
        let server = HttpServer::new(move || {
            let r = r.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let r = r.clone();
                async move {
                    let signature = req
                        .headers()
                        .get("x-content-signature")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    r.lock().push(Received {
                        path: req.path().to_owned(),
                        query: req.query_string().to_owned(),
                        signature,
                        body: body.to_vec(),
                    });
                    HttpResponse::Ok().finish()
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
        }
    }

    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let arrived = wait_for(|| self.received.lock().len() >= n).await;
        let received = self.received.lock().clone();
        assert!(
            arrived,
            "expected {n} callbacks, received {}",
            received.len()
        );
        received
    }
}

impl World {
    /// A call straight to the simulator's REST API as our API member, as the product acting
    /// through the same member would make it; panics unless it answers 2xx.
    pub async fn as_member(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        use base64::Engine as _;
        let login = format!("{COMPANY}+{PUBLIC}:{PRIVATE}");
        let basic = base64::engine::general_purpose::STANDARD.encode(login);
        let response = reqwest::Client::new()
            .request(method.clone(), format!("{}/{path}", self.sim.api_url()))
            .header("Authorization", format!("Basic {basic}"))
            .header("clientId", CLIENT_ID)
            .json(&body)
            .send()
            .await
            .expect("the simulator answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}
