//! Autotask's thread limit and request threshold: rejections are retried, concurrency is kept
//! under the limit, and an exhausted budget is reported as throttling.

use std::time::Duration;

use autotask_sim::{Fault, FaultKind, Op as SimOp, SimConfig};
use futures_util_free::join_all;
use psa_proto::{AdapterError, ErrorClass, PsaAdapter};
use serde_json::json;

use crate::helpers::*;

/// `join_all` without pulling in the futures crate: spawn, then await in order.
mod futures_util_free {
    pub async fn join_all<T: Send + 'static>(
        futures: Vec<impl std::future::Future<Output = T> + Send + 'static>,
    ) -> Vec<T> {
        let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::new();
        for handle in handles {
            out.push(handle.await.expect("task completes"));
        }
        out
    }
}

#[tokio::test]
async fn thread_limit_rejections_are_retried_until_success() {
    let world = world().await;
    let connection = world.connect().await;
    world.sim.inject(Fault {
        op: SimOp::WebhookQuery,
        times: 2,
        kind: FaultKind::Status {
            status: 429,
            body: json!({"errors": ["Itgenatr005 Thread Threshold Exceeded: too many concurrent requests"]}),
        },
    });
    connection
        .register(&spec("tok-throttle"))
        .await
        .expect("succeeds after the rejections");
    let statuses: Vec<Option<u16>> = world
        .sim
        .requests()
        .iter()
        .filter(|r| r.op == SimOp::WebhookQuery)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![Some(429), Some(429), Some(200)]);
}

#[tokio::test]
async fn concurrent_calls_of_one_database_stay_within_three_per_endpoint() {
    let world = world().await;
    let connection = world.connect().await;
    let spec = spec("tok-concurrent");
    let registered = connection.register(&spec).await.expect("registers");

    // The simulator really enforces the limit: four raw concurrent calls get one rejection.
    world.sim.inject(Fault {
        op: SimOp::WebhookGet,
        times: 4,
        kind: FaultKind::Latency(Duration::from_millis(300)),
    });
    let path = format!("TicketWebhooks/{}", registered.id);
    let raw = join_all(
        (0..4)
            .map(|_| {
                let (sim, path) = (world.sim.clone(), path.clone());
                async move { raw_get(&sim, &path).await.status().as_u16() }
            })
            .collect(),
    )
    .await;
    assert_eq!(raw.iter().filter(|s| **s == 429).count(), 1, "{raw:?}");

    // Through the adapter, eight concurrent checks all pass without a single rejection.
    world.sim.clear_requests();
    world.sim.inject(Fault {
        op: SimOp::WebhookGet,
        times: 8,
        kind: FaultKind::Latency(Duration::from_millis(100)),
    });
    let checks = join_all(
        (0..8)
            .map(|_| {
                let (connection, spec) = (connection.clone(), spec.clone());
                async move {
                    connection
                        .check(registered.id, &spec)
                        .await
                        .map(|c| c.is_healthy())
                }
            })
            .collect(),
    )
    .await;
    assert!(checks.iter().all(|c| matches!(c, Ok(true))), "{checks:?}");
    let requests = world.sim.requests();
    assert!(
        requests.iter().all(|r| r.status != Some(429)),
        "no call was rejected"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.op == SimOp::WebhookGet)
            .count(),
        8
    );
}

#[tokio::test]
async fn an_exhausted_request_threshold_is_reported_as_throttling() {
    let world = world_with(
        SimConfig {
            requests_per_hour: 4,
            ..fast_config()
        },
        |_| {},
    )
    .await;
    let error = world
        .register(&spec("tok-budget"))
        .await
        .expect_err("the budget runs out mid-registration");
    assert_eq!(error.class(), ErrorClass::Throttled);
    assert!(error.class().is_retryable());
    assert!(
        error.retry_after().is_some(),
        "Autotask's Retry-After is kept"
    );
    assert!(error.fix().contains("10,000 requests per hour"));
    assert!(
        world.webhooks().is_empty(),
        "refused before creation: nothing was created"
    );
}
