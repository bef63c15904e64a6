//! Many tenants on one hub: how fast they connect (each a real webhook registration against
//! the simulator, one Autotask database per tenant), what they cost in memory, how long a hub
//! restart takes to bring every connection back, and whether a callout still closes its event
//! promptly among them.
//!
//! The hub runs as its own process (`psa-hub serve`), so its memory is its own.
//!
//! `cargo build --release -p psa-hub -p psa-hub-bench && target/release/tenant-scale --tenants 2000`

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use autotask_sim::{ApiUser, SimConfig, Simulator};
use clap::Parser;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 2000)]
    tenants: usize,
    /// Concurrent admin PUTs while connecting.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// The psa-hub binary to run.
    #[arg(long, default_value = "target/release/psa-hub")]
    hub: std::path::PathBuf,
}

/// A `psa-hub serve` child process on fixed loopback ports.
struct HubProcess {
    child: std::process::Child,
}

impl HubProcess {
    fn start(args: &Args, env: &[(&str, String)]) -> anyhow::Result<Self> {
        let mut command = std::process::Command::new(&args.hub);
        command.arg("serve").env("RUST_LOG", "warn");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot run {}", args.hub.display()))?;
        Ok(Self { child })
    }

    fn rss_kib(&self) -> u64 {
        rss_kib(&format!("/proc/{}/status", self.child.id()))
    }

    fn stop(mut self) -> anyhow::Result<()> {
        std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        self.child.wait()?;
        Ok(())
    }
}

async fn wait_ready(http: &reqwest::Client, admin: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if let Ok(response) = http.get(format!("{admin}/readyz")).send().await {
            if response.status().is_success() {
                return Ok(());
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the hub never became ready");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = Simulator::spawn(SimConfig::default()).await?;
    let dir = tempfile::tempdir()?;
    let free = || -> anyhow::Result<std::net::SocketAddr> {
        Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?)
    };
    let (public, admin_addr) = (free()?, free()?);
    let token = "bench-admin-token-0123456789abcdef".to_owned();
    let env = [
        ("PSA_HUB__PUBLIC__LISTEN", public.to_string()),
        ("PSA_HUB__PUBLIC__URL", format!("http://{public}")),
        ("PSA_HUB__ADMIN__LISTEN", admin_addr.to_string()),
        ("PSA_HUB__ADMIN__TOKENS", token.clone()),
        ("PSA_HUB__ADMIN__SETUP_WAIT_SECONDS", "120".to_owned()),
        (
            "PSA_HUB__SECRETS__MASTER_KEY",
            psa_hub::crypto::MasterKey::generate().to_base64(),
        ),
        (
            "PSA_HUB__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("scale.db").display()),
        ),
        ("PSA_HUB__AUTOTASK__ZONE_LOOKUP_URL", sim.zone_lookup_url()),
    ];
    let admin = format!("http://{admin_addr}");
    let http = reqwest::Client::new();
    let hub = HubProcess::start(&args, &env)?;
    wait_ready(&http, &admin).await?;
    let rss_before = hub.rss_kib();

    let mut dbs = Vec::with_capacity(args.tenants);
    for i in 0..args.tenants {
        let db = sim.add_database(&format!("MSP {i}"));
        sim.add_api_user(
            db,
            ApiUser::new(&format!("api{i}@msp.example"), "secret", "CODE"),
        );
        dbs.push(db);
    }
    let started = Instant::now();
    let answers: Vec<anyhow::Result<Value>> = stream::iter(0..args.tenants)
        .map(|i| {
            let http = http.clone();
            let url = format!("{admin}/api/v1/tenants/tenant-{i:05}/autotask");
            let token = token.clone();
            async move {
                let body = json!({"username": format!("api{i}@msp.example"), "secret": "secret", "integration_code": "CODE"});
                Ok(http.put(url).bearer_auth(token).json(&body).send().await?.json().await?)
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let connect_time = started.elapsed();
    let mut active = 0;
    for answer in answers {
        if answer?["webhook"]["state"] == "active" {
            active += 1;
        }
    }
    if active != args.tenants {
        bail!("only {active} of {} tenants became active", args.tenants);
    }
    let rss_connected = hub.rss_kib();
    println!(
        "connected {} tenants (each a webhook registration, 11 Autotask calls) in {:.1} s: {:.0} tenants/s",
        args.tenants,
        connect_time.as_secs_f64(),
        args.tenants as f64 / connect_time.as_secs_f64()
    );
    println!(
        "psa-hub RSS: {} MiB idle, {} MiB with every tenant connected ({:.1} KiB per tenant)",
        rss_before / 1024,
        rss_connected / 1024,
        (rss_connected.saturating_sub(rss_before)) as f64 / args.tenants as f64
    );

    hub.stop()?;
    let started = Instant::now();
    let hub = HubProcess::start(&args, &env)?;
    wait_ready(&http, &admin).await?;
    println!(
        "restart with {} stored connections: process start to /readyz 200 in {:.0} ms; RSS {} MiB",
        args.tenants,
        started.elapsed().as_secs_f64() * 1000.0,
        hub.rss_kib() / 1024
    );

    let last = args.tenants - 1;
    let tenant = format!("tenant-{last:05}");
    let ticket = sim.create_ticket(dbs[last], "one among many");
    let link = json!({"event_id": "evt-1", "ticket_id": ticket.0});
    http.post(format!("{admin}/api/v1/tenants/{tenant}/events"))
        .bearer_auth(&token)
        .json(&link)
        .send()
        .await?
        .error_for_status()?;
    let started = Instant::now();
    sim.complete_ticket(dbs[last], ticket, "done");
    loop {
        let event: Value = http
            .get(format!("{admin}/api/v1/tenants/{tenant}/events/evt-1"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        if event["status"] == "closed" {
            break;
        }
        if started.elapsed() > Duration::from_secs(10) {
            bail!("not closed: {event}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    println!(
        "after the restart, a completion closed its event in {:.1} ms (polled over the admin API)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    hub.stop()
}

/// Resident memory of a process, from /proc (Linux).
fn rss_kib(status_file: &str) -> u64 {
    std::fs::read_to_string(status_file)
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .context("VmRSS")
        .unwrap_or(0)
}
