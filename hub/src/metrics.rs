//! Prometheus metrics (`psa_hub_` prefix). Label values come from enums only and no metric is
//! labelled by tenant: per-tenant detail lives in the admin API and in log fields.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use psa_autotask::{ApiObserver, Op};
use psa_proto::{ErrorClass, WebhookState};

/// How a callout ended; the `outcome` label of `psa_hub_callouts_received_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutOutcome {
    Closed,
    AlreadyClosed,
    Unlinked,
    CreatedAtMismatch,
    Recorded,
    Duplicate,
    DeactivationHint,
    UnknownToken,
    BadSignature,
    Malformed,
    TooLarge,
    UnsupportedMediaType,
    Error,
}

impl CalloutOutcome {
    pub const ALL: [CalloutOutcome; 13] = [
        Self::Closed,
        Self::AlreadyClosed,
        Self::Unlinked,
        Self::CreatedAtMismatch,
        Self::Recorded,
        Self::Duplicate,
        Self::DeactivationHint,
        Self::UnknownToken,
        Self::BadSignature,
        Self::Malformed,
        Self::TooLarge,
        Self::UnsupportedMediaType,
        Self::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::AlreadyClosed => "already_closed",
            Self::Unlinked => "unlinked",
            Self::CreatedAtMismatch => "created_at_mismatch",
            Self::Recorded => "recorded",
            Self::Duplicate => "duplicate",
            Self::DeactivationHint => "deactivation_hint",
            Self::UnknownToken => "unknown_token",
            Self::BadSignature => "bad_signature",
            Self::Malformed => "malformed",
            Self::TooLarge => "too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Error => "error",
        }
    }
}

/// How a registration attempt ended: `success` or the error class's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationOutcome {
    Success,
    Failed(ErrorClass),
}

impl RegistrationOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed(class) => class.code(),
        }
    }
}

/// Every metric psa-hub exports, registered in one registry.
#[derive(Debug, Clone)]
pub struct HubMetrics {
    registry: Registry,
    pub callouts: IntCounterVec,
    pub ingest_seconds: Histogram,
    pub events_closed: IntCounter,
    pub registrations: IntCounterVec,
    pub connections: IntGaugeVec,
    pub autotask_requests: IntCounterVec,
    pub autotask_seconds: HistogramVec,
    pub actor_restarts: IntCounter,
}

impl HubMetrics {
    pub fn new() -> Result<Arc<Self>, prometheus::Error> {
        let registry = Registry::new_custom(Some("psa_hub".into()), None)?;
        let callouts = IntCounterVec::new(
            Opts::new(
                "callouts_received_total",
                "Callouts received on the public listener, by outcome.",
            ),
            &["outcome"],
        )?;
        let ingest_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "ingest_duration_seconds",
                "Time from a callout's arrival to its answer.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
        )?;
        let events_closed = IntCounter::new(
            "events_closed_total",
            "Events closed by a ticket completion.",
        )?;
        let registrations = IntCounterVec::new(
            Opts::new(
                "webhook_registrations_total",
                "Webhook registration attempts, by outcome.",
            ),
            &["outcome"],
        )?;
        let connections = IntGaugeVec::new(
            Opts::new("connections", "Tenant connections, by webhook state."),
            &["state"],
        )?;
        let autotask_requests = IntCounterVec::new(
            Opts::new(
                "autotask_requests_total",
                "Autotask REST exchanges, by operation and status class.",
            ),
            &["operation", "status_class"],
        )?;
        let autotask_seconds = HistogramVec::new(
            HistogramOpts::new(
                "autotask_request_duration_seconds",
                "Duration of Autotask REST exchanges.",
            )
            .buckets(vec![
                0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["operation"],
        )?;
        let actor_restarts = IntCounter::new(
            "actor_restarts_total",
            "Connection actors restarted by their supervisor after a fatal error.",
        )?;
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
        registry.register(Box::new(callouts.clone()))?;
        registry.register(Box::new(ingest_seconds.clone()))?;
        registry.register(Box::new(events_closed.clone()))?;
        registry.register(Box::new(registrations.clone()))?;
        registry.register(Box::new(connections.clone()))?;
        registry.register(Box::new(autotask_requests.clone()))?;
        registry.register(Box::new(autotask_seconds.clone()))?;
        registry.register(Box::new(actor_restarts.clone()))?;
        registry.register(Box::new(build_info))?;
        // Zero series for every known label value, so dashboards and rates see them from the start.
        for outcome in CalloutOutcome::ALL {
            callouts.with_label_values(&[outcome.as_str()]);
        }
        for state in WebhookState::ALL {
            connections.with_label_values(&[state.as_str()]);
        }
        registrations.with_label_values(&[RegistrationOutcome::Success.as_str()]);
        Ok(Arc::new(Self {
            registry,
            callouts,
            ingest_seconds,
            events_closed,
            registrations,
            connections,
            autotask_requests,
            autotask_seconds,
            actor_restarts,
        }))
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

/// Feeds the Autotask client's exchanges into the metrics.
#[derive(Debug)]
pub struct AutotaskObserver(pub Arc<HubMetrics>);

impl ApiObserver for AutotaskObserver {
    fn observe(&self, op: Op, status: Option<u16>, elapsed: Duration) {
        let class = match status {
            None => "network_error",
            Some(s) if s < 300 => "2xx",
            Some(s) if s < 400 => "3xx",
            Some(429) => "429",
            Some(s) if s < 500 => "4xx",
            Some(_) => "5xx",
        };
        self.0
            .autotask_requests
            .with_label_values(&[op.as_str(), class])
            .inc();
        self.0
            .autotask_seconds
            .with_label_values(&[op.as_str()])
            .observe(elapsed.as_secs_f64());
    }
}
