//! Prometheus metrics (`psa_hub_` prefix). Label values come from enums only and no metric is
//! labelled by tenant: per-tenant detail lives in the admin API and in log fields.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use psa_proto::{ApiObserver, Drift, PsaName, WebhookState};

mod labels;

pub use labels::{CalloutOutcome, CheckOutcome, CheckTrigger, CleanupOutcome, RegistrationOutcome};

/// Every metric psa-hub exports, registered in one registry.
#[derive(Debug, Clone)]
pub struct HubMetrics {
    registry: Registry,
    pub callouts: IntCounterVec,
    pub ingest_seconds: Histogram,
    pub events_closed: IntCounter,
    pub registrations: IntCounterVec,
    pub connections: IntGaugeVec,
    pub connections_failing_long: IntGauge,
    pub checks: IntCounterVec,
    pub repairs: IntCounterVec,
    pub cleanups: IntCounterVec,
    pub deliveries_pruned: IntCounter,
    pub psa_requests: IntCounterVec,
    pub psa_seconds: HistogramVec,
    pub actor_restarts: IntCounter,
}

fn counter_vec(
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntCounterVec, prometheus::Error> {
    IntCounterVec::new(Opts::new(name, help), labels)
}

impl HubMetrics {
    pub fn new() -> Result<Arc<Self>, prometheus::Error> {
        let registry = Registry::new_custom(Some("psa_hub".into()), None)?;
        let metrics = Self {
            callouts: counter_vec(
                "callouts_received_total",
                "Callouts received on the public listener, by outcome.",
                &["outcome"],
            )?,
            ingest_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "ingest_duration_seconds",
                    "Time from a callout's arrival to its answer.",
                )
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ]),
            )?,
            events_closed: IntCounter::new(
                "events_closed_total",
                "Events closed by a ticket completion.",
            )?,
            registrations: counter_vec(
                "webhook_registrations_total",
                "Webhook registration attempts, by outcome.",
                &["outcome"],
            )?,
            connections: IntGaugeVec::new(
                Opts::new("connections", "Tenant connections, by webhook state."),
                &["state"],
            )?,
            connections_failing_long: IntGauge::new(
                "connections_failing_over_a_day",
                "Connections whose webhook setup has failed for more than a day.",
            )?,
            checks: counter_vec(
                "webhook_checks_total",
                "Webhook checks (deactivation hints and the periodic desired-state check), by trigger and outcome.",
                &["trigger", "outcome"],
            )?,
            repairs: counter_vec(
                "webhook_repairs_total",
                "Drifts repaired in webhooks (in place or by registering anew), by reason.",
                &["reason"],
            )?,
            cleanups: counter_vec(
                "webhook_cleanups_total",
                "Attempts to delete webhooks of replaced credentials, by outcome.",
                &["outcome"],
            )?,
            deliveries_pruned: IntCounter::new(
                "deliveries_pruned_total",
                "Delivery-log rows deleted after their retention.",
            )?,
            psa_requests: counter_vec(
                "psa_requests_total",
                "PSA API exchanges, by PSA, operation and status class.",
                &["psa", "operation", "status_class"],
            )?,
            psa_seconds: HistogramVec::new(
                HistogramOpts::new(
                    "psa_request_duration_seconds",
                    "Duration of PSA API exchanges, by PSA and operation.",
                )
                .buckets(vec![
                    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                ]),
                &["psa", "operation"],
            )?,
            actor_restarts: IntCounter::new(
                "actor_restarts_total",
                "Connection actors restarted by their supervisor after a fatal error.",
            )?,
            registry,
        };
        metrics.register_all()?;
        metrics.zero_series();
        Ok(Arc::new(metrics))
    }

    fn register_all(&self) -> Result<(), prometheus::Error> {
        let build_info = IntGaugeVec::new(
            Opts::new(
                "build_info",
                "Always 1; the version label says which build runs.",
            ),
            &["version"],
        )?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(self.callouts.clone()),
            Box::new(self.ingest_seconds.clone()),
            Box::new(self.events_closed.clone()),
            Box::new(self.registrations.clone()),
            Box::new(self.connections.clone()),
            Box::new(self.connections_failing_long.clone()),
            Box::new(self.checks.clone()),
            Box::new(self.repairs.clone()),
            Box::new(self.cleanups.clone()),
            Box::new(self.deliveries_pruned.clone()),
            Box::new(self.psa_requests.clone()),
            Box::new(self.psa_seconds.clone()),
            Box::new(self.actor_restarts.clone()),
            Box::new(build_info),
        ];
        for collector in collectors {
            self.registry.register(collector)?;
        }
        Ok(())
    }

    /// Zero series for every known label value, so dashboards and rates see them from the start.
    fn zero_series(&self) {
        for outcome in CalloutOutcome::ALL {
            self.callouts.with_label_values(&[outcome.as_str()]);
        }
        for state in WebhookState::ALL {
            self.connections.with_label_values(&[state.as_str()]);
        }
        for trigger in CheckTrigger::ALL {
            for outcome in CheckOutcome::ALL {
                self.checks
                    .with_label_values(&[trigger.as_str(), outcome.as_str()]);
            }
        }
        for drift in Drift::ALL {
            self.repairs.with_label_values(&[drift.as_str()]);
        }
        for outcome in CleanupOutcome::ALL {
            self.cleanups.with_label_values(&[outcome.as_str()]);
        }
        self.registrations
            .with_label_values(&[RegistrationOutcome::Success.as_str()]);
    }

    pub fn callout(&self, outcome: CalloutOutcome, elapsed: Duration) {
        self.callouts.with_label_values(&[outcome.as_str()]).inc();
        self.ingest_seconds.observe(elapsed.as_secs_f64());
    }

    pub fn registration(&self, outcome: RegistrationOutcome) {
        self.registrations
            .with_label_values(&[outcome.as_str()])
            .inc();
    }

    pub fn check(&self, trigger: CheckTrigger, outcome: CheckOutcome) {
        self.checks
            .with_label_values(&[trigger.as_str(), outcome.as_str()])
            .inc();
    }

    /// Counts each drift a repair fixed.
    pub fn repaired(&self, drifts: &[Drift]) {
        for drift in drifts {
            self.repairs.with_label_values(&[drift.as_str()]).inc();
        }
    }

    pub fn cleanup(&self, outcome: CleanupOutcome) {
        self.cleanups.with_label_values(&[outcome.as_str()]).inc();
    }

    /// Replaces the per-state connection counts (read from the store at scrape time).
    pub fn set_connection_states(&self, counts: &[(WebhookState, i64)]) {
        for state in WebhookState::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| *s == state)
                .map_or(0, |(_, n)| *n);
            self.connections.with_label_values(&[state.as_str()]).set(n);
        }
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(%error, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Feeds every adapter's exchanges with its PSA into the metrics.
#[derive(Debug)]
pub struct PsaObserver(pub Arc<HubMetrics>);

impl ApiObserver for PsaObserver {
    fn observe(&self, psa: PsaName, op: &'static str, status: Option<u16>, elapsed: Duration) {
        let class = match status {
            None => "network_error",
            Some(s) if s < 300 => "2xx",
            Some(s) if s < 400 => "3xx",
            Some(429) => "429",
            Some(s) if s < 500 => "4xx",
            Some(_) => "5xx",
        };
        self.0
            .psa_requests
            .with_label_values(&[psa.as_str(), op, class])
            .inc();
        self.0
            .psa_seconds
            .with_label_values(&[psa.as_str(), op])
            .observe(elapsed.as_secs_f64());
    }
}
