//! A single HTTP POST of a callout or deactivation notice, recorded in the delivery log.

use crate::log::{Delivery, DeliveryOutcome};
use crate::shared::Shared;
use std::time::Duration;

/// What one attempt needs.
pub struct Attempt<'a> {
    pub url: &'a str,
    pub body: Vec<u8>,
    pub signature: Option<String>,
    pub sequence: Option<i64>,
    pub deactivation: bool,
    pub timeout: Duration,
}

/// Posts once and records the attempt; returns the outcome.
pub async fn attempt(shared: &Shared, client: &reqwest::Client, a: Attempt<'_>) -> DeliveryOutcome {
    let mut req = client
        .post(a.url)
        .timeout(a.timeout.max(Duration::from_millis(1)))
        .header("Content-Type", "application/json")
        .body(a.body.clone());
    if let Some(sig) = &a.signature {
        req = req.header("X-Hook-Signature", sig);
    }
    let outcome = match req.send().await {
        Ok(resp) if resp.status().is_success() => {
            DeliveryOutcome::Delivered(resp.status().as_u16())
        }
        // .NET-style wording, as it would appear in the webhook error log.
        Ok(resp) => DeliveryOutcome::Failed(format!(
            "HTTP {}: The remote server returned an error: ({}) {}.",
            resp.status().as_u16(),
            resp.status().as_u16(),
            resp.status().canonical_reason().unwrap_or("Error")
        )),
        Err(e) if e.is_timeout() => DeliveryOutcome::Failed("The operation has timed out.".into()),
        Err(e) => DeliveryOutcome::Failed(format!("Unable to connect to the remote server: {e}")),
    };
    shared.deliveries.lock().push(Delivery {
        url: a.url.to_string(),
        body: a.body,
        signature: a.signature,
        outcome: outcome.clone(),
        sequence: a.sequence,
        deactivation: a.deactivation,
    });
    outcome
}
