//! Autotask for the suite: autotask-sim with one database and API user, `AutotaskProvider`.

use std::time::Duration;

use autotask_sim::{ApiUser, DatabaseId, Fault, FaultKind, Op, SimConfig, Simulator};
use psa_autotask::{Autotask, AutotaskProvider, AutotaskSettings};
use psa_hub::config::Settings;
use psa_proto::{Connection, ErrorClass, Provider, PsaError, RegisteredWebhook, WebhookSpec};
use serde_json::{json, Value};
use url::Url;

use crate::harness::{Delivered, Denial, Harness, Hook};

const USERNAME: &str = "api-user@msp.example";
const SECRET: &str = "Api$ecret-123";
const CODE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ1";

pub struct AutotaskHarness {
    sim: Simulator,
    db: DatabaseId,
    provider: AutotaskProvider,
}

/// Autotask's delays scaled down a thousandfold; the callout timeout scaled to 5 s, so a
/// loaded machine's hub does not look like a failing receiver.
fn fast_config() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        callout_timeout: Duration::from_secs(5_000),
        ..SimConfig::default()
    }
}

impl AutotaskHarness {
    /// The webhook secret Autotask holds for the tenant's one webhook.
    fn secret(&self) -> String {
        let hooks = self.sim.webhooks(self.db);
        assert_eq!(hooks.len(), 1, "one webhook expected: {hooks:?}");
        hooks[0]["secretKey"]
            .as_str()
            .expect("secretKey")
            .to_owned()
    }
}

impl Harness for AutotaskHarness {
    const NAME: &'static str = "autotask";
    const SIGNATURE_HEADER: &'static str = "X-Hook-Signature";
    type Account = ApiUser;

    async fn start_with(account: fn(&mut ApiUser)) -> Self {
        let sim = Simulator::spawn(fast_config())
            .await
            .expect("simulator starts");
        let db = sim.add_database("Acme MSP");
        let mut user = ApiUser::new(USERNAME, SECRET, CODE);
        account(&mut user);
        sim.add_api_user(db, user);
        let autotask = Autotask::new(AutotaskSettings {
            zone_lookup_url: sim.zone_lookup_url(),
            request_timeout: Duration::from_secs(5),
            ..AutotaskSettings::default()
        })
        .expect("the client builds");
        let provider = AutotaskProvider::new(autotask);
        Self { sim, db, provider }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    fn tune_hub(&self, settings: &mut Settings) {
        settings.autotask.zone_lookup_url =
            Url::parse(&self.sim.zone_lookup_url()).expect("zone lookup URL");
    }

    fn put_body(&self, valid: bool) -> Value {
        let secret = if valid { SECRET } else { "not-the-secret" };
        json!({"username": USERNAME, "secret": secret, "integration_code": CODE})
    }

    fn revoke_credentials(&self) {
        self.sim
            .update_api_user(USERNAME, |u| u.secret = "rotated-elsewhere".into());
    }

    fn denials() -> Vec<Denial<ApiUser>> {
        vec![
            Denial {
                name: "Can create WebHooks",
                deny: |u| u.can_create_webhooks = false,
                class: ErrorClass::CannotCreateWebhooks,
                fix_names: &["Can create WebHooks", "Security Levels"],
            },
            Denial {
                name: "webhook limit",
                deny: |u| u.webhook_limit = 0,
                class: ErrorClass::WebhookLimitReached,
                fix_names: &["maximum webhook limit"],
            },
            Denial {
                name: "ticket permission",
                deny: |u| u.ticket_access = false,
                class: ErrorClass::NoTicketPermission,
                fix_names: &["Tickets"],
            },
        ]
    }

    fn calls(&self) -> Vec<String> {
        self.sim
            .requests()
            .iter()
            .map(|r| {
                let tail = r.path.split_once("/V1.0/").map_or(&*r.path, |(_, t)| t);
                format!("{} {tail}", r.method)
            })
            .collect()
    }

    fn registration_calls(&self, id: i64) -> Vec<String> {
        let fields = format!("POST TicketWebhooks/{id}/Fields");
        let mut calls = vec![
            "GET zoneInformation".to_owned(),
            "GET TicketWebhooks/entityInformation".to_owned(),
            "GET Tickets/entityInformation".to_owned(),
            "GET TicketWebhookFields/entityInformation/fields".to_owned(),
            "POST TicketWebhooks/query".to_owned(),
            "POST TicketWebhooks".to_owned(),
        ];
        calls.extend(std::iter::repeat_n(fields, 4));
        calls.push(format!("GET TicketWebhooks/{id}"));
        calls
    }

    fn delete_call(id: i64) -> String {
        format!("DELETE TicketWebhooks/{id}")
    }

    fn stored_url(url: &str) -> String {
        url.to_owned()
    }

    fn webhooks(&self) -> Vec<Hook> {
        self.sim
            .webhooks(self.db)
            .iter()
            .map(|w| Hook {
                id: w["id"].as_i64().expect("id"),
                url: w["webhookUrl"].as_str().expect("webhookUrl").to_owned(),
            })
            .collect()
    }

    fn refused_creates(&self) -> usize {
        let requests = self.sim.requests();
        let refused = |r: &&autotask_sim::LoggedRequest| r.status.is_some_and(|s| s >= 400);
        requests
            .iter()
            .filter(|r| r.op == Op::WebhookCreate)
            .filter(refused)
            .count()
    }

    /// A leftover with another secret, which the pre-creation query misses (as if it
    /// appeared between query and create): the create meets Autotask's duplicate rule.
    async fn register_over_leftover(
        &self,
        connection: &dyn Connection,
        spec: &WebhookSpec,
    ) -> (Result<RegisteredWebhook, PsaError>, i64) {
        self.sim.update_api_user(USERNAME, |u| u.webhook_limit = 5);
        let stale = WebhookSpec {
            secret: psa_autotask::generate_secret(),
            ..spec.clone()
        };
        let leftover = connection.register(&stale).await.expect("the leftover");
        self.sim.clear_requests();
        let empty = json!({"items": [], "pageDetails": {"count": 0, "requestCount": 500,
                            "prevPageUrl": null, "nextPageUrl": null}});
        self.sim.inject(Fault {
            op: Op::WebhookQuery,
            times: 1,
            kind: FaultKind::Status {
                status: 200,
                body: empty,
            },
        });
        (connection.register(spec).await, leftover.id.0)
    }

    fn create_ticket(&self, title: &str) -> i64 {
        self.sim.create_ticket(self.db, title).0
    }

    fn close_ticket(&self, ticket: i64, resolution: &str) {
        self.sim
            .complete_ticket(self.db, autotask_sim::TicketId(ticket), resolution);
    }

    fn closing_callouts(&self) -> Vec<Delivered> {
        let completes = |d: &autotask_sim::Delivery| {
            d.json()
                .is_some_and(|b| !b["Fields"]["CompletedDate"].is_null())
        };
        self.sim
            .deliveries()
            .into_iter()
            .filter(|d| d.succeeded() && !d.deactivation && completes(d))
            .map(|d| Delivered {
                url: d.url,
                body: d.body,
                signature: d.signature.unwrap_or_default(),
            })
            .collect()
    }

    fn retell(&self, template: &Delivered, ticket: i64, resolution: &str) -> Delivered {
        let mut body: Value = serde_json::from_slice(&template.body).expect("JSON callout");
        body["Id"] = json!(ticket);
        body["Fields"]["Resolution"] = json!(resolution);
        Delivered {
            url: template.url.clone(),
            body: serde_json::to_vec(&body).expect("serializes"),
            signature: String::new(),
        }
    }

    fn sign(&self, body: &[u8], genuine: bool) -> String {
        let key = if genuine {
            self.secret()
        } else {
            "a-secret-that-is-not-ours".to_owned()
        };
        autotask_sim::sign(&key, body)
    }
}
