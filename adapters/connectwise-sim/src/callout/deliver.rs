//! A single POST of a callback message, recorded in the delivery log.

use super::Job;
use crate::log::{Delivery, DeliveryOutcome};
use crate::shared::Shared;
use std::time::Duration;

/// Posts once and records the attempt; returns the outcome.
pub async fn attempt(
    shared: &Shared,
    client: &reqwest::Client,
    job: &Job,
    url: &str,
    number: u32,
) -> DeliveryOutcome {
    let timeout = shared.config.scaled(shared.config.callback_timeout);
    let req = client
        .post(url)
        .timeout(timeout.max(Duration::from_millis(1)))
        .header("Content-Type", "application/json")
        .header("x-content-signature", &job.signature)
        .body(job.body.clone());
    let outcome = match req.send().await {
        Ok(resp) if resp.status().is_success() => {
            DeliveryOutcome::Delivered(resp.status().as_u16())
        }
        Ok(resp) => DeliveryOutcome::Rejected(resp.status().as_u16()),
        Err(e) if e.is_timeout() => DeliveryOutcome::TimedOut,
        Err(e) => DeliveryOutcome::Unreachable(e.to_string()),
    };
    shared.deliveries.lock().push(Delivery {
        company: job.company.clone(),
        callback: crate::ids::CallbackId(job.callback_id),
        url: url.to_string(),
        body: job.body.clone(),
        signature: job.signature.clone(),
        message_id: job.message_id.clone(),
        attempt: number,
        outcome: outcome.clone(),
    });
    outcome
}
