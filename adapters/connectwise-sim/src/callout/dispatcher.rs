//! The delivery task: retries only on the listed statuses, the failure clock that disables a
//! callback, and per-callback ordering (reference §4).

use super::deliver::attempt;
use super::{Action, Job};
use crate::log::DeliveryOutcome;
use crate::settings::{CallbackUrlForm, DeliveryOrder};
use crate::shared::Shared;
use crate::store::drift::disable;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Routes messages to per-callback workers (or straight out) until the channel closes.
pub async fn run(shared: Arc<Shared>, mut rx: UnboundedReceiver<Job>) {
    let client = match reqwest::Client::builder().no_proxy().build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("connectwise-sim: cannot build HTTP client: {e}");
            return;
        }
    };
    let mut queues: HashMap<(String, i64), UnboundedSender<Job>> = HashMap::new();
    while let Some(job) = rx.recv().await {
        if shared.config.delivery_order == DeliveryOrder::Concurrent {
            tokio::spawn(deliver(shared.clone(), client.clone(), job));
            continue;
        }
        let key = (job.company.key(), job.callback_id);
        let tx = queues.entry(key).or_insert_with(|| {
            let (tx, rx) = unbounded_channel();
            tokio::spawn(worker(shared.clone(), client.clone(), rx));
            tx
        });
        let _ = tx.send(job);
    }
}

/// Delivers one callback's messages strictly in order.
async fn worker(shared: Arc<Shared>, client: reqwest::Client, mut rx: UnboundedReceiver<Job>) {
    while let Some(job) = rx.recv().await {
        deliver(shared.clone(), client.clone(), job).await;
    }
}

/// One message: the first attempt and its retries.
async fn deliver(shared: Arc<Shared>, client: reqwest::Client, job: Job) {
    let cfg = shared.config.clone();
    let mut retries = 0usize;
    loop {
        // Read the entry afresh: a deleted or inactive entry drops its queued messages, and a
        // changed URL applies to the next attempt.
        let Some(url) = target(&shared, &job) else {
            shared.dropped.fetch_add(1, Ordering::SeqCst);
            return;
        };
        let outcome = attempt(&shared, &client, &job, &url, retries as u32 + 1).await;
        let retryable =
            matches!(outcome, DeliveryOutcome::Rejected(s) if cfg.retry_statuses.contains(&s));
        match outcome {
            DeliveryOutcome::Delivered(_) => return settle(&shared, &job, true),
            _ if retryable && retries < cfg.retry_delays.len() => {
                tokio::time::sleep(cfg.scaled(cfg.retry_delays[retries])).await;
                retries += 1;
            }
            _ => return settle(&shared, &job, false),
        }
    }
}

/// The URL to post to now, or None if the entry no longer takes messages.
fn target(shared: &Shared, job: &Job) -> Option<String> {
    let store = shared.store.lock();
    let cb = store
        .company(&job.company)?
        .callbacks
        .get(&job.callback_id)
        .filter(|cb| cb.live())?;
    Some(with_record(
        &cb.input.url,
        job.record_id,
        job.action,
        shared.config.url_form,
    ))
}

/// Adds the record id (and action) to the registered URL as `form` says.
pub fn with_record(url: &str, id: i64, action: Action, form: CallbackUrlForm) -> String {
    let action = action.as_str();
    match form {
        CallbackUrlForm::AppendId => format!("{url}{id}"),
        CallbackUrlForm::AppendIdAndAction => format!("{url}{id}&action={action}"),
        CallbackUrlForm::QueryParameters => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}recordId={id}&action={action}")
        }
        CallbackUrlForm::Unchanged => url.to_string(),
    }
}

/// A success stops the failure clock; a failed message starts it, and a clock that has run
/// `disable_after` (scaled) disables the entry.
fn settle(shared: &Shared, job: &Job, delivered: bool) {
    let cfg = &shared.config;
    let mut store = shared.store.lock();
    let Ok(cb) = store.callback_mut(&job.company, job.callback_id) else {
        return;
    };
    if delivered {
        cb.failing_since = None;
        return;
    }
    let since = *cb.failing_since.get_or_insert_with(Instant::now);
    if since.elapsed() >= cfg.scaled(cfg.disable_after) {
        disable(cb, cfg.disable_sets_inactive_flag);
    }
}
