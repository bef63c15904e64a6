//! The delivery task: one ordered queue per webhook, retries, error log and auto-deactivation (§5).

use super::deliver::{attempt, Attempt};
use super::Job;
use crate::config::WireBody;
use crate::escape::sign;
use crate::ids::DatabaseId;
use crate::log::DeliveryOutcome;
use crate::shared::Shared;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Routes jobs to per-webhook workers until the channel closes.
pub async fn run(shared: Arc<Shared>, mut rx: UnboundedReceiver<Job>) {
    let client = match reqwest::Client::builder().no_proxy().build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("autotask-sim: cannot build HTTP client: {e}");
            return;
        }
    };
    let mut queues: HashMap<(DatabaseId, i64), UnboundedSender<Job>> = HashMap::new();
    while let Some(job) = rx.recv().await {
        match job {
            Job::Event { db, webhook_id, .. } => {
                let key = (db, webhook_id);
                let tx = queues.entry(key).or_insert_with(|| {
                    let (tx, rx) = unbounded_channel();
                    tokio::spawn(worker(shared.clone(), client.clone(), key, rx));
                    tx
                });
                let _ = tx.send(job);
            }
            Job::Deactivate { url, payload } => {
                let shared = shared.clone();
                let client = client.clone();
                tokio::spawn(async move {
                    let timeout = shared.config.scaled(shared.config.callout_timeout);
                    let a = Attempt {
                        url: &url,
                        body: payload.render(false).into_bytes(),
                        signature: None,
                        sequence: None,
                        deactivation: true,
                        timeout,
                    };
                    attempt(&shared, &client, a).await;
                });
            }
        }
    }
}

/// Delivers one webhook's events strictly in order; a failing event blocks the ones behind it.
async fn worker(
    shared: Arc<Shared>,
    client: reqwest::Client,
    (db, webhook_id): (DatabaseId, i64),
    mut rx: UnboundedReceiver<Job>,
) {
    let cfg = shared.config.clone();
    while let Some(job) = rx.recv().await {
        let Job::Event {
            sequence, payload, ..
        } = job
        else {
            continue;
        };
        let escaped = payload.render(true);
        let wire = match cfg.wire_body {
            WireBody::Escaped => escaped.clone(),
            WireBody::Plain => payload.render(false),
        };
        let mut attempts = 0u32;
        loop {
            // Read the webhook fresh: a PATCHed secret or URL applies to the next attempt.
            let target = {
                let store = shared.store.lock();
                store
                    .dbs
                    .get(&db)
                    .and_then(|d| d.webhooks.get(&webhook_id))
                    .filter(|w| w.is_active)
                    .map(|w| (w.webhook_url.clone(), w.secret_key.clone()))
            };
            let Some((url, secret)) = target else {
                break; // deleted or deactivated: queued events are dropped
            };
            let a = Attempt {
                url: &url,
                body: wire.clone().into_bytes(),
                signature: Some(sign(&secret, escaped.as_bytes())),
                sequence: Some(sequence),
                deactivation: false,
                timeout: cfg.scaled(cfg.callout_timeout),
            };
            let outcome = attempt(&shared, &client, a).await;
            attempts += 1;
            let error = match outcome {
                DeliveryOutcome::Delivered(_) => {
                    record_success(&shared, db, webhook_id);
                    break;
                }
                DeliveryOutcome::Failed(e) => e,
            };
            let disabled = record_failure(&shared, db, webhook_id);
            if disabled || attempts >= cfg.attempts_per_event.max(1) {
                log_error(&shared, db, webhook_id, sequence, &wire, &error);
                break;
            }
            tokio::time::sleep(cfg.scaled(cfg.retry_delay)).await;
        }
    }
}

fn record_success(shared: &Shared, db: DatabaseId, webhook_id: i64) {
    let mut store = shared.store.lock();
    if let Some(w) = store
        .dbs
        .get_mut(&db)
        .and_then(|d| d.webhooks.get_mut(&webhook_id))
    {
        w.consecutive_failures = 0;
    }
}

/// Counts a failed attempt; returns true when this failure disabled the webhook.
fn record_failure(shared: &Shared, db: DatabaseId, webhook_id: i64) -> bool {
    let mut store = shared.store.lock();
    let limit = store.config.disable_after_failures.max(1);
    let Some(w) = store
        .dbs
        .get_mut(&db)
        .and_then(|d| d.webhooks.get_mut(&webhook_id))
    else {
        return false;
    };
    w.consecutive_failures += 1;
    if w.consecutive_failures < limit {
        return false;
    }
    w.is_active = false;
    w.consecutive_failures = 0;
    let job = super::Job::deactivation(w);
    store.send(job);
    true
}

fn log_error(
    shared: &Shared,
    db: DatabaseId,
    webhook_id: i64,
    sequence: i64,
    body: &str,
    error: &str,
) {
    let mut store = shared.store.lock();
    let Some(d) = store.dbs.get_mut(&db) else {
        return;
    };
    let id = d.next_error_id();
    d.error_log.push(json!({
        "id": id,
        "createDateTime": crate::store::now_text(),
        "errorMessage": error,
        "payload": body,
        "sequenceNumber": sequence,
        "ticketWebhookID": webhook_id,
    }));
}
