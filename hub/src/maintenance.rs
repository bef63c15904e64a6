//! Background upkeep of the database: the delivery log is pruned past its retention once at
//! start and then every hour, until the hub stops.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::actors::StopSignal;
use crate::metrics::HubMetrics;
use crate::store::Store;

/// How often the delivery log is pruned; retention is counted in days, so hourly is plenty.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Starts the upkeep task on the current runtime.
pub fn spawn(store: Store, metrics: Arc<HubMetrics>, retention: Duration, stop: StopSignal) {
    actix_web::rt::spawn(async move {
        loop {
            prune(&store, &metrics, retention).await;
            if stop
                .unless_stopped(tokio::time::sleep(PRUNE_EVERY))
                .await
                .is_none()
            {
                return;
            }
        }
    });
}

async fn prune(store: &Store, metrics: &HubMetrics, retention: Duration) {
    let retention = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    let cutoff = Utc::now()
        .checked_sub_signed(retention)
        .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC)
        .timestamp_millis();
    match store.prune_deliveries(cutoff).await {
        Ok(0) => {}
        Ok(n) => {
            metrics.deliveries_pruned.inc_by(n);
            tracing::info!(deliveries = n, "pruned the delivery log past its retention");
        }
        Err(error) => tracing::warn!(%error, "cannot prune the delivery log; trying again later"),
    }
}
