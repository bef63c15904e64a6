//! Declaring and registering every metric: names, help texts, labels and buckets in one place.

use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
};
use psa_proto::PsaName;

use super::HubMetrics;

fn counters(name: &str, help: &str, labels: &[&str]) -> Result<IntCounterVec, prometheus::Error> {
    IntCounterVec::new(Opts::new(name, help), labels)
}

fn gauges(name: &str, help: &str, labels: &[&str]) -> Result<IntGaugeVec, prometheus::Error> {
    IntGaugeVec::new(Opts::new(name, help), labels)
}

fn histograms(
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: Vec<f64>,
) -> Result<HistogramVec, prometheus::Error> {
    HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels)
}

pub(super) fn build(psas: &[PsaName]) -> Result<HubMetrics, prometheus::Error> {
    let metrics = HubMetrics {
        registry: Registry::new_custom(Some("psa_hub".into()), None)?,
        psas: psas.into(),
        callouts: counters(
            "callouts_received_total",
            "Callouts received on the public listener, by PSA and outcome.",
            &["psa", "outcome"],
        )?,
        ingest_seconds: histograms(
            "ingest_duration_seconds",
            "Time from a callout's arrival to its answer, by PSA.",
            &["psa"],
            vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ],
        )?,
        events_closed: counters(
            "events_closed_total",
            "Events closed by a ticket completion, by PSA.",
            &["psa"],
        )?,
        registrations: counters(
            "webhook_registrations_total",
            "Webhook registration attempts, by PSA and outcome.",
            &["psa", "outcome"],
        )?,
        connections: gauges(
            "connections",
            "Tenant connections, by PSA and webhook state.",
            &["psa", "state"],
        )?,
        connections_failing_long: gauges(
            "connections_failing_over_a_day",
            "Connections whose webhook setup has failed for more than a day, by PSA.",
            &["psa"],
        )?,
        checks: counters(
            "webhook_checks_total",
            "Webhook checks (deactivation hints and the periodic desired-state check), by PSA, \
             trigger and outcome.",
            &["psa", "trigger", "outcome"],
        )?,
        repairs: counters(
            "webhook_repairs_total",
            "Drifts repaired in webhooks (in place or by registering anew), by PSA and reason.",
            &["psa", "reason"],
        )?,
        cleanups: counters(
            "webhook_cleanups_total",
            "Attempts to delete webhooks of replaced credentials, by PSA and outcome.",
            &["psa", "outcome"],
        )?,
        lookups: counters(
            "ticket_lookups_total",
            "Tickets read from the PSA for callouts that did not say enough, by PSA and outcome.",
            &["psa", "outcome"],
        )?,
        deliveries_pruned: IntCounter::new(
            "deliveries_pruned_total",
            "Delivery-log rows deleted after their retention.",
        )?,
        psa_requests: counters(
            "psa_requests_total",
            "PSA API exchanges, by PSA, operation and status class.",
            &["psa", "operation", "status_class"],
        )?,
        psa_seconds: histograms(
            "psa_request_duration_seconds",
            "Duration of PSA API exchanges, by PSA and operation.",
            &["psa", "operation"],
            vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
        )?,
        actor_restarts: counters(
            "actor_restarts_total",
            "Connection actors restarted by their supervisor after a fatal error, by PSA.",
            &["psa"],
        )?,
    };
    register_all(&metrics)?;
    Ok(metrics)
}

fn register_all(metrics: &HubMetrics) -> Result<(), prometheus::Error> {
    let build_info = gauges(
        "build_info",
        "Always 1; the version label says which build runs.",
        &["version"],
    )?;
    build_info
        .with_label_values(&[env!("CARGO_PKG_VERSION")])
        .set(1);
    let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
        Box::new(metrics.callouts.clone()),
        Box::new(metrics.ingest_seconds.clone()),
        Box::new(metrics.events_closed.clone()),
        Box::new(metrics.registrations.clone()),
        Box::new(metrics.connections.clone()),
        Box::new(metrics.connections_failing_long.clone()),
        Box::new(metrics.checks.clone()),
        Box::new(metrics.repairs.clone()),
        Box::new(metrics.cleanups.clone()),
        Box::new(metrics.lookups.clone()),
        Box::new(metrics.deliveries_pruned.clone()),
        Box::new(metrics.psa_requests.clone()),
        Box::new(metrics.psa_seconds.clone()),
        Box::new(metrics.actor_restarts.clone()),
        Box::new(build_info),
    ];
    for collector in collectors {
        metrics.registry.register(collector)?;
    }
    Ok(())
}
