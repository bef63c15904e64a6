//! The demo: the Autotask side of psa-hub's loop, end to end, with nothing else running.
//! A simulated Autotask and a callout listener both run in this process on free ports.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::{bail, Context};
use autotask_sim::{ApiUser, SimConfig, Simulator};
use parking_lot::Mutex;
use psa_autotask::{generate_secret, Autotask, AutotaskCallouts, AutotaskSettings, Credentials};
use psa_proto::{CalloutFormat, PsaAdapter, Verified, WebhookSpec};

/// One callout as it arrived: signature header and body.
type Arrived = (Option<String>, Vec<u8>);

pub async fn run() -> anyhow::Result<()> {
    let sim = Simulator::spawn(SimConfig {
        time_scale: 0.01,
        ..SimConfig::default()
    })
    .await
    .context("cannot start the Autotask simulator")?;
    let db = sim.add_database("Demo MSP");
    sim.add_api_user(
        db,
        ApiUser::new(
            "api@demo-msp.example",
            "demo-secret",
            "DEMOINTEGRATIONCODE00000001",
        ),
    );
    println!(
        "1. simulated Autotask at {} (zone lookup {})",
        sim.base_url(),
        sim.zone_lookup_url()
    );

    let (listener_url, arrived) = start_listener().context("cannot start the callout listener")?;
    println!("2. callout listener at {listener_url}");

    let autotask = Autotask::new(AutotaskSettings {
        zone_lookup_url: sim.zone_lookup_url(),
        ..AutotaskSettings::default()
    })?;
    let connection = autotask
        .connect(Credentials {
            username: "api@demo-msp.example".into(),
            secret: "demo-secret".into(),
            integration_code: "DEMOINTEGRATIONCODE00000001".into(),
        })
        .await?;
    println!("3. zone discovered: {}", connection.zone().api_base);

    let spec = WebhookSpec {
        name: "SaaS Alerts Ticket Monitor".into(),
        webhook_url: format!("{listener_url}/hooks/autotask/demo-token"),
        deactivation_url: format!("{listener_url}/hooks/autotask/demo-token/deactivated"),
        secret: generate_secret(),
        notification_email: None,
    };
    let before = sim.requests().len();
    let registered = connection.register(&spec).await?;
    println!(
        "4. webhook {} registered (active={}, ready={}, guid={}) in {} Autotask calls",
        registered.id,
        registered.is_active,
        registered.is_ready,
        registered
            .guid
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        sim.requests().len() - before
    );

    let ticket = sim.create_ticket(db, "Suspicious inbox rule for jdoe@customer.example");
    sim.complete_ticket(db, ticket, "Rule removed & password reset");
    println!("5. ticket {} completed in Autotask", ticket.0);

    let (signature, body) = wait_for_callout(&arrived).await?;
    let verified = Verified::check(
        &AutotaskCallouts,
        &[&spec.secret],
        signature.as_deref(),
        &body,
    )
    .context("the callout's signature did not verify")?;
    let change = AutotaskCallouts.parse(&verified)?;
    if !change.is_completion() {
        bail!("the callout does not report the ticket as completed: {change:?}");
    }
    println!(
        "6. signed callout verified ({} form): ticket {} completed={} resolution={:?}",
        verified.form().as_str(),
        change.ticket_id,
        change.is_completion(),
        change
            .resolution
            .as_set()
            .map(String::as_str)
            .unwrap_or_default()
    );

    let check = connection.check(registered.id, &spec).await?;
    if !check.is_healthy() {
        bail!("the webhook check found drift: {:?}", check.problems());
    }
    println!(
        "7. webhook check: healthy={} {:?}",
        check.is_healthy(),
        check.problems()
    );
    connection.remove(Some(registered.id), &spec).await?;
    println!(
        "8. webhook removed; {} webhooks left in Autotask",
        sim.webhooks(db).len()
    );
    Ok(())
}

fn start_listener() -> anyhow::Result<(String, Arc<Mutex<Vec<Arrived>>>)> {
    let arrived = Arc::new(Mutex::new(Vec::new()));
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let sink = arrived.clone();
    let server = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let sink = sink.clone();
            async move {
                let signature = req
                    .headers()
                    .get(psa_autotask::SIGNATURE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                sink.lock().push((signature, body.to_vec()));
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    Ok((url, arrived))
}

async fn wait_for_callout(arrived: &Mutex<Vec<Arrived>>) -> anyhow::Result<Arrived> {
    for _ in 0..500 {
        if let Some(first) = arrived.lock().first() {
            return Ok(first.clone());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bail!("no callout arrived within 5 seconds")
}
