//! The demo's simulated Autotask: one database with one API user, and its tickets.

use anyhow::Context;
use autotask_sim::{ApiUser, DatabaseId, SimConfig, Simulator};
use serde_json::{json, Value};
use url::Url;

use super::DemoPsa;

const USER: &str = "api@demo-msp.example";
const SECRET: &str = "demo-secret";
const CODE: &str = "DEMOINTEGRATIONCODE00000001";

pub struct AutotaskDemo {
    sim: Simulator,
    db: DatabaseId,
}

impl AutotaskDemo {
    pub async fn start() -> anyhow::Result<Self> {
        let sim = Simulator::spawn(SimConfig {
            time_scale: 0.01,
            // 500 s scaled is 5 s: a busy laptop must not drop the demo's one callout.
            callout_timeout: std::time::Duration::from_secs(500),
            ..SimConfig::default()
        })
        .await
        .context("cannot start the Autotask simulator")?;
        let db = sim.add_database("Demo MSP");
        sim.add_api_user(db, ApiUser::new(USER, SECRET, CODE));
        Ok(Self { sim, db })
    }
}

impl DemoPsa for AutotaskDemo {
    fn name(&self) -> &'static str {
        "autotask"
    }

    fn display_name(&self) -> &'static str {
        "Autotask"
    }

    fn location(&self) -> String {
        self.sim.base_url()
    }

    fn zone_lookup_url(&self) -> anyhow::Result<Url> {
        Url::parse(&self.sim.zone_lookup_url()).context("simulator zone URL")
    }

    fn connect_body(&self) -> Value {
        json!({"username": USER, "secret": SECRET, "integration_code": CODE})
    }

    fn open_ticket(&self, summary: &str) -> (i64, Option<String>) {
        let ticket = self.sim.create_ticket(self.db, summary);
        let created_at = self
            .sim
            .ticket(self.db, ticket)
            .and_then(|t| t["createDate"].as_str().map(str::to_owned));
        (ticket.0, created_at)
    }

    fn complete_ticket(&self, ticket: i64, resolution: &str) {
        self.sim
            .complete_ticket(self.db, autotask_sim::TicketId(ticket), resolution);
    }
}
