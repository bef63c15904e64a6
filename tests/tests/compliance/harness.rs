//! The harness trait: the only place the suite lets the two PSAs differ (accounts and their
//! rights, PUT bodies, the requests a registration costs, tickets, callouts and signatures).

use psa_hub::config::Settings;
use psa_proto::{Connection, Credentials, ErrorClass, Provider, RegisteredWebhook, WebhookSecret};
use psa_proto::{PsaError, WebhookSpec};
use serde_json::{Map, Value};

/// The public base our webhook URLs start with in the tests below the hub.
pub const BASE: &str = "https://hooks.example.com";

/// A webhook (callback entry) as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub id: i64,
    pub url: String,
}

/// One callout, as a simulator delivered it (or as a test sends it).
#[derive(Clone)]
pub struct Delivered {
    pub url: String,
    pub body: Vec<u8>,
    pub signature: String,
}

impl std::fmt::Debug for Delivered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivered")
            .field("url", &self.url)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("signature", &self.signature)
            .finish()
    }
}

/// A right taken from the tenant's API account, and what registration must then say.
pub struct Denial<A> {
    pub name: &'static str,
    pub deny: fn(&mut A),
    pub class: ErrorClass,
    /// Each must appear in the error's fix: what to grant, and where.
    pub fix_names: &'static [&'static str],
}

/// One PSA with its simulator and one tenant account in it.
pub trait Harness: Sized {
    /// The PSA's name: route segment and metric label.
    const NAME: &'static str;
    /// The header a callout's signature travels in.
    const SIGNATURE_HEADER: &'static str;
    /// The tenant's API account in the simulator (an API user or an API member).
    type Account;

    /// A simulator with the tenant's account, shaped by `account`, and a provider for it.
    async fn start_with(account: fn(&mut Self::Account)) -> Self;

    async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    fn provider(&self) -> &dyn Provider;

    /// Points a hub at this simulator, where that is a setting rather than connection data.
    fn tune_hub(&self, settings: &mut Settings);

    /// The PUT body of the tenant's connection; `valid: false` carries a wrong secret.
    fn put_body(&self, valid: bool) -> Value;

    /// Makes the stored credentials invalid in the PSA (rotated or deactivated there).
    fn revoke_credentials(&self);

    /// Every right whose absence registration must report, with its class and fix.
    fn denials() -> Vec<Denial<Self::Account>>;

    /// Requests the simulator logged, as `METHOD path` (after the API root, no query).
    fn calls(&self) -> Vec<String>;

    /// The requests one first registration of webhook `id` costs, in order.
    fn registration_calls(&self, id: i64) -> Vec<String>;

    /// The request deleting webhook `id`.
    fn delete_call(id: i64) -> String;

    /// The URL the PSA stores for a webhook registered at `url`.
    fn stored_url(url: &str) -> String;

    /// Every webhook of the tenant, by id.
    fn webhooks(&self) -> Vec<Hook>;

    /// Creates requests the PSA refused (e.g. as a duplicate).
    fn refused_creates(&self) -> usize;

    /// Registers `spec` while a leftover of ours at the same URL appears where the
    /// registration cannot see it beforehand; returns the result and the leftover's id.
    async fn register_over_leftover(
        &self,
        connection: &dyn Connection,
        spec: &WebhookSpec,
    ) -> (Result<RegisteredWebhook, PsaError>, i64);

    fn create_ticket(&self, title: &str) -> i64;
    fn close_ticket(&self, ticket: i64, resolution: &str);

    /// Callouts telling of a closed ticket that the simulator delivered with a 2xx answer.
    fn closing_callouts(&self) -> Vec<Delivered>;

    /// `template` retold about `ticket` closed (with `resolution`, where the PSA's callouts
    /// carry it), as a new message, unsigned.
    fn retell(&self, template: &Delivered, ticket: i64, resolution: &str) -> Delivered;

    /// A signature of `body` with the webhook's real key (`genuine`) or with another one.
    fn sign(&self, body: &[u8], genuine: bool) -> String;
}

/// The webhook the hub would want for `token`, as the hub builds it for this PSA.
pub fn spec<H: Harness>(base: &str, token: &str) -> WebhookSpec {
    let hooks = format!("{base}/hooks/{}/{token}", H::NAME);
    WebhookSpec {
        name: "SaaS Alerts Ticket Monitor".into(),
        webhook_url: hooks.clone(),
        deactivation_url: format!("{hooks}/deactivated"),
        secret: WebhookSecret::new("c29tZS1yYW5kb20tc2VjcmV0LW9mLTMyLWJ5dGVz"),
        notification_email: Some("ops@msp.example".into()),
    }
}

/// The PUT body as an object.
pub fn object(body: Value) -> Map<String, Value> {
    body.as_object().cloned().expect("a PUT body is an object")
}

/// The tenant's credentials, as the provider understands its PUT body.
pub fn credentials<H: Harness>(harness: &H, valid: bool) -> Credentials {
    harness
        .provider()
        .parse_connection(&object(harness.put_body(valid)))
        .expect("a well-formed PUT body")
        .credentials
}

/// A connection with the tenant's valid credentials.
pub async fn connect<H: Harness>(harness: &H) -> Box<dyn Connection> {
    harness
        .provider()
        .connect(&credentials(harness, true))
        .await
        .expect("discovery succeeds")
}
