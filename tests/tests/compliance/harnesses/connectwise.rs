//! ConnectWise PSA for the suite: connectwise-sim with one company and API member,
//! `ConnectWiseProvider`.

use std::time::Duration;

use connectwise_sim::{ApiMember, CompanyId, Fault, FaultKind, Gate, Op, SimConfig, Simulator};
use psa_connectwise::{ConnectWiseProvider, ConnectWiseSettings};
use psa_hub::config::Settings;
use psa_hub::local::LOCAL_CLIENT_ID;
use psa_proto::{Connection, ErrorClass, Provider, PsaError, RegisteredWebhook, WebhookSpec};
use serde_json::{json, Value};

use crate::harness::{Delivered, Denial, Harness, Hook};
use crate::wait::until_true;

const COMPANY: &str = "Cobalt";
const PUBLIC: &str = "pUbLiCkEy123456";
const PRIVATE: &str = "pRiVaTeKeY654321";

pub struct ConnectWiseHarness {
    sim: Simulator,
    company: CompanyId,
    provider: ConnectWiseProvider,
}

/// ConnectWise's delays scaled down a thousandfold; the 5 s callback timeout kept (scaled
/// from 5,000 s), so a loaded machine's hub does not look like a failing receiver. Only the
/// clientId a local hub sends is accepted.
fn fast_config() -> SimConfig {
    SimConfig {
        time_scale: 0.001,
        callback_timeout: Duration::from_secs(5_000),
        client_ids: vec![LOCAL_CLIENT_ID.into()],
        // Autotask's simulator's first ticket id: side by side, both PSAs' tickets share ids,
        // so only the PSA tells which event a completion closes.
        first_ticket_id: 351_182,
        ..SimConfig::default()
    }
}

impl ConnectWiseHarness {
    /// The tenant's one callback entry's signing key (keys are per callback).
    fn signing_key(&self) -> String {
        let callbacks = self.sim.callbacks(&self.company);
        assert_eq!(callbacks.len(), 1, "one callback expected: {callbacks:?}");
        callbacks[0]
            .signing_key
            .clone()
            .expect("a key, once it sent")
    }
}

impl Harness for ConnectWiseHarness {
    const NAME: &'static str = "connectwise";
    const SIGNATURE_HEADER: &'static str = "x-content-signature";
    type Account = ApiMember;

    async fn start_with(account: fn(&mut ApiMember)) -> Self {
        let sim = Simulator::spawn(fast_config())
            .await
            .expect("simulator starts");
        let company = sim.add_company(COMPANY, "Cobalt MSP");
        let mut member = ApiMember::new("PsaHubApi", PUBLIC, PRIVATE);
        account(&mut member);
        sim.add_member(&company, member);
        let settings = ConnectWiseSettings {
            client_id: LOCAL_CLIENT_ID.into(),
            allow_http_sites: true,
            request_timeout: Duration::from_secs(5),
            ..ConnectWiseSettings::default()
        };
        let provider = ConnectWiseProvider::new(settings, None).expect("provider builds");
        Self {
            sim,
            company,
            provider,
        }
    }

    fn provider(&self) -> &dyn Provider {
        &self.provider
    }

    /// The site is connection data (the PUT body), nothing to set.
    fn tune_hub(&self, _: &mut Settings) {}

    fn put_body(&self, valid: bool) -> Value {
        let private = if valid { PRIVATE } else { "wRoNgPrIvAtEkEy9" };
        json!({"site": self.sim.site_url(), "company_id": COMPANY,
               "public_key": PUBLIC, "private_key": private})
    }

    fn revoke_credentials(&self) {
        self.sim
            .update_member(&self.company, PUBLIC, |m| m.inactive = true);
    }

    fn denials() -> Vec<Denial<ApiMember>> {
        vec![
            Denial {
                name: "callbacks right",
                deny: |m| m.can_manage_callbacks = false,
                class: ErrorClass::CannotCreateWebhooks,
                fix_names: &["System › Table Setup", "Security Roles"],
            },
            Denial {
                name: "tickets right",
                deny: |m| m.can_read_tickets = false,
                class: ErrorClass::NoTicketPermission,
                fix_names: &["Service Desk › Service Tickets"],
            },
        ]
    }

    fn calls(&self) -> Vec<String> {
        let root = format!("/{}apis/3.0/", self.sim.config().codebase);
        self.sim
            .requests()
            .iter()
            .map(|r| {
                let path = r.path.strip_prefix(&root).unwrap_or(&r.path);
                format!("{} {}", r.method, path.trim_start_matches('/'))
            })
            .collect()
    }

    fn registration_calls(&self, id: i64) -> Vec<String> {
        vec![
            format!("GET login/companyinfo/{COMPANY}"),
            "GET service/tickets".to_owned(),
            "GET system/callbacks".to_owned(),
            "POST system/callbacks".to_owned(),
            format!("GET system/callbacks/{id}"),
        ]
    }

    fn delete_call(id: i64) -> String {
        format!("DELETE system/callbacks/{id}")
    }

    fn stored_url(url: &str) -> String {
        format!("{url}?recordId=")
    }

    fn webhooks(&self) -> Vec<Hook> {
        self.sim
            .callbacks(&self.company)
            .into_iter()
            .map(|c| Hook {
                id: c.id.0,
                url: c.url,
            })
            .collect()
    }

    fn refused_creates(&self) -> usize {
        let requests = self.sim.requests();
        requests
            .iter()
            .filter(|r| r.op == Op::CallbackCreate)
            .filter(|r| r.status.is_some_and(|s| s >= 400))
            .count()
    }

    /// Our create is held until a second registration of ours got in first: the create then
    /// meets the duplicate rule (`ObjectExists`), as after an interrupted setup.
    async fn register_over_leftover(
        &self,
        connection: &dyn Connection,
        spec: &WebhookSpec,
    ) -> (Result<RegisteredWebhook, PsaError>, i64) {
        let gate = Gate::new();
        self.sim.inject(Fault {
            op: Op::CallbackCreate,
            times: 1,
            kind: FaultKind::Hold(gate.clone()),
        });
        let squatter = async {
            until_true("our create is held", || async {
                self.sim.held(Op::CallbackCreate) == 1
            })
            .await;
            let other = crate::harness::connect(self).await;
            let leftover = other.register(spec).await.expect("the leftover registers");
            gate.open();
            leftover.id.0
        };
        tokio::join!(connection.register(spec), squatter)
    }

    fn create_ticket(&self, title: &str) -> i64 {
        self.sim.create_ticket(&self.company, title).0
    }

    fn close_ticket(&self, ticket: i64, resolution: &str) {
        let id = connectwise_sim::TicketId(ticket);
        self.sim.close_ticket(&self.company, id, resolution);
    }

    /// `updated` messages whose ticket (the `Entity` text) is closed.
    fn closing_callouts(&self) -> Vec<Delivered> {
        let closes = |d: &connectwise_sim::Delivery| {
            let body = d.json().unwrap_or_default();
            let entity = body["Entity"].as_str().unwrap_or("null");
            let entity: Value = serde_json::from_str(entity).unwrap_or_default();
            body["Action"] == "updated" && entity["closedFlag"] == true
        };
        self.sim
            .deliveries()
            .into_iter()
            .filter(|d| d.succeeded() && closes(d))
            .map(|d| Delivered {
                url: d.url,
                body: d.body,
                signature: d.signature,
            })
            .collect()
    }

    fn retell(&self, template: &Delivered, ticket: i64, _resolution: &str) -> Delivered {
        let mut body: Value = serde_json::from_slice(&template.body).expect("JSON callback");
        let entity = body["Entity"].as_str().expect("Entity text");
        let mut entity: Value = serde_json::from_str(entity).expect("Entity JSON");
        entity["id"] = json!(ticket);
        body["Entity"] = json!(entity.to_string());
        body["ID"] = json!(ticket);
        body["MessageId"] = json!(format!("00000000-0000-4000-8000-{ticket:012}"));
        let (base, _) = template.url.split_once("recordId=").expect("a recordId");
        Delivered {
            url: format!("{base}recordId={ticket}"),
            body: serde_json::to_vec(&body).expect("serializes"),
            signature: String::new(),
        }
    }

    fn sign(&self, body: &[u8], genuine: bool) -> String {
        let key = if genuine {
            self.signing_key()
        } else {
            "a-signing-key-that-is-not-ours".to_owned()
        };
        connectwise_sim::sign(&key, body)
    }
}
