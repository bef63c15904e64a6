//! The demo's simulated ConnectWise PSA: one company with one API member, and its tickets.

use anyhow::Context;
use connectwise_sim::{ApiMember, CompanyId, SimConfig, Simulator, TicketId};
use psa_hub::local::LOCAL_CLIENT_ID;
use serde_json::{json, Value};
use url::Url;

use super::DemoPsa;

const COMPANY: &str = "demomsp";
const PUBLIC_KEY: &str = "DemoPublicKey01";
const PRIVATE_KEY: &str = "DemoPrivateKey01";

pub struct ConnectWiseDemo {
    sim: Simulator,
    company: CompanyId,
}

impl ConnectWiseDemo {
    pub async fn start() -> anyhow::Result<Self> {
        let sim = Simulator::spawn(SimConfig {
            time_scale: 0.01,
            // 500 s scaled is 5 s: a busy laptop must not drop the demo's one callout.
            callback_timeout: std::time::Duration::from_secs(500),
            client_ids: vec![LOCAL_CLIENT_ID.to_owned()],
            ..SimConfig::default()
        })
        .await
        .context("cannot start the ConnectWise PSA simulator")?;
        let company = sim.add_company(COMPANY, "Demo MSP");
        sim.add_member(
            &company,
            ApiMember::new("PsaHubApi", PUBLIC_KEY, PRIVATE_KEY),
        );
        Ok(Self { sim, company })
    }
}

impl DemoPsa for ConnectWiseDemo {
    fn name(&self) -> &'static str {
        "connectwise"
    }

    fn display_name(&self) -> &'static str {
        "ConnectWise PSA"
    }

    fn location(&self) -> String {
        self.sim.site_url()
    }

    fn zone_lookup_url(&self) -> anyhow::Result<Url> {
        // No Autotask tenant in this walk-through: the default is never called.
        Url::parse("https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation")
            .context("zone URL")
    }

    fn connect_body(&self) -> Value {
        json!({
            "site": self.sim.site_url(),
            "company_id": COMPANY,
            "public_key": PUBLIC_KEY,
            "private_key": PRIVATE_KEY,
        })
    }

    fn open_ticket(&self, summary: &str) -> (i64, Option<String>) {
        let ticket = self.sim.create_ticket(&self.company, summary);
        let created_at = self
            .sim
            .ticket(&self.company, ticket)
            .and_then(|t| t["dateEntered"].as_str().map(str::to_owned));
        (ticket.0, created_at)
    }

    fn complete_ticket(&self, ticket: i64, resolution: &str) {
        self.sim
            .close_ticket(&self.company, TicketId(ticket), resolution);
    }
}
