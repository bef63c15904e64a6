//! Prometheus metrics (`psa_hub_` prefix). Label values come from enums and from the served PSAs'
//! names only, and no metric is labelled by tenant: per-tenant detail lives in the admin API and
//! in log fields.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Registry, TextEncoder,
};
use psa_proto::{ApiObserver, Drift, PsaName, WebhookState};

mod labels;
mod register;

pub use labels::{CalloutOutcome, CheckOutcome, CheckTrigger, CleanupOutcome, RegistrationOutcome};

/// The `psa` label of a callout whose path names no PSA this hub serves.
const UNKNOWN_PSA: &str = "unknown";

/// Every metric psa-hub exports, registered in one registry.
#[derive(Debug, Clone)]
pub struct HubMetrics {
    registry: Registry,
    psas: Arc<[PsaName]>,
    callouts: IntCounterVec,
    ingest_seconds: HistogramVec,
    events_closed: IntCounterVec,
    registrations: IntCounterVec,
    connections: IntGaugeVec,
    connections_failing_long: IntGaugeVec,
    checks: IntCounterVec,
    repairs: IntCounterVec,
    cleanups: IntCounterVec,
    lookups: IntCounterVec,
    pub deliveries_pruned: IntCounter,
    psa_requests: IntCounterVec,
    psa_seconds: HistogramVec,
    actor_restarts: IntCounterVec,
}

impl HubMetrics {
    /// The metrics of a hub serving `psas`; every known series starts at zero.
    pub fn new(psas: &[PsaName]) -> Result<Arc<Self>, prometheus::Error> {
        let metrics = register::build(psas)?;
        metrics.zero_series();
        Ok(Arc::new(metrics))
    }

    /// Zero series for every known label value, so dashboards and rates see them from the start.
    fn zero_series(&self) {
        for psa in self.psas.iter().map(|p| p.as_str()) {
            for outcome in CalloutOutcome::ALL {
                self.callouts.with_label_values(&[psa, outcome.as_str()]);
            }
            for state in WebhookState::ALL {
                self.connections.with_label_values(&[psa, state.as_str()]);
            }
            for trigger in CheckTrigger::ALL {
                for outcome in CheckOutcome::ALL {
                    self.checks
                        .with_label_values(&[psa, trigger.as_str(), outcome.as_str()]);
                }
            }
            for drift in Drift::ALL {
                self.repairs.with_label_values(&[psa, drift.as_str()]);
            }
            for outcome in CleanupOutcome::ALL {
                self.cleanups.with_label_values(&[psa, outcome.as_str()]);
            }
            self.registrations
                .with_label_values(&[psa, RegistrationOutcome::Success.as_str()]);
            self.events_closed.with_label_values(&[psa]);
            self.connections_failing_long.with_label_values(&[psa]);
            self.actor_restarts.with_label_values(&[psa]);
        }
        self.callouts
            .with_label_values(&[UNKNOWN_PSA, CalloutOutcome::UnknownToken.as_str()]);
    }

    /// A callout's answer; `psa` is `None` when its path names no PSA this hub serves.
    pub fn callout(&self, psa: Option<PsaName>, outcome: CalloutOutcome, elapsed: Duration) {
        let psa = psa.map_or(UNKNOWN_PSA, PsaName::as_str);
        self.callouts
            .with_label_values(&[psa, outcome.as_str()])
            .inc();
        self.ingest_seconds
            .with_label_values(&[psa])
            .observe(elapsed.as_secs_f64());
    }

    pub fn events_closed(&self, psa: PsaName, events: u64) {
        self.events_closed
            .with_label_values(&[psa.as_str()])
            .inc_by(events);
    }

    pub fn registration(&self, psa: PsaName, outcome: RegistrationOutcome) {
        self.registrations
            .with_label_values(&[psa.as_str(), outcome.as_str()])
            .inc();
    }

    pub fn check(&self, psa: PsaName, trigger: CheckTrigger, outcome: CheckOutcome) {
        self.checks
            .with_label_values(&[psa.as_str(), trigger.as_str(), outcome.as_str()])
            .inc();
    }

    /// Counts each drift a repair fixed.
    pub fn repaired(&self, psa: PsaName, drifts: &[Drift]) {
        for drift in drifts {
            self.repairs
                .with_label_values(&[psa.as_str(), drift.as_str()])
                .inc();
        }
    }

    pub fn cleanup(&self, psa: PsaName, outcome: CleanupOutcome) {
        self.cleanups
            .with_label_values(&[psa.as_str(), outcome.as_str()])
            .inc();
    }

    /// A ticket read from the PSA for a callout that did not say enough, and what it did.
    pub fn lookup(&self, psa: PsaName, outcome: CalloutOutcome) {
        self.lookups
            .with_label_values(&[psa.as_str(), outcome.as_str()])
            .inc();
    }

    pub fn actor_restarted(&self, psa: PsaName) {
        self.actor_restarts.with_label_values(&[psa.as_str()]).inc();
    }

    /// Replaces the per-PSA, per-state connection counts (read from the store at scrape time).
    pub fn set_connection_states(&self, counts: &[(PsaName, WebhookState, i64)]) {
        for psa in self.psas.iter() {
            for state in WebhookState::ALL {
                let n = counts
                    .iter()
                    .find(|(p, s, _)| p == psa && *s == state)
                    .map_or(0, |(_, _, n)| *n);
                self.connections
                    .with_label_values(&[psa.as_str(), state.as_str()])
                    .set(n);
            }
        }
    }

    /// Replaces the per-PSA counts of connections failing for more than a day.
    pub fn set_failing_long(&self, counts: &[(PsaName, i64)]) {
        for psa in self.psas.iter() {
            let n = counts.iter().find(|(p, _)| p == psa).map_or(0, |(_, n)| *n);
            self.connections_failing_long
                .with_label_values(&[psa.as_str()])
                .set(n);
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
