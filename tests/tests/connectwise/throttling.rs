//! ConnectWise's rate limit: 429 with Retry-After is waited out and retried; when retries run
//! out the wait asked for is carried to the hub.

use std::time::Duration;

use connectwise_sim::{Op, SimConfig};
use psa_connectwise::{ConnectWiseSettings, RetryPolicy};
use psa_proto::ErrorClass;

use crate::helpers::*;

fn limited() -> SimConfig {
    SimConfig {
        requests_per_window: 2,
        // Long enough that even a slow machine's registration (4 counted requests) reaches the
        // limit, short enough that the retries get through within a second or so.
        rate_window: Duration::from_millis(1_000),
        time_scale: 1.0,
        ..fast_config()
    }
}

#[tokio::test]
async fn a_throttled_registration_waits_and_retries_until_it_succeeds() {
    let settings = ConnectWiseSettings {
        retry: RetryPolicy {
            max_attempts: 100,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
        },
        ..settings()
    };
    let world = world_with(limited(), settings, |_| {}).await;
    let registered = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect("registers");
    assert_eq!(world.callbacks()[0].id.0, registered.id.0);
    let throttled: Vec<_> = world
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.status == Some(429))
        .collect();
    assert!(!throttled.is_empty(), "the limit was reached");
    assert_eq!(
        world
            .requests_of(Op::CallbackCreate)
            .iter()
            .filter(|r| r.status == Some(201))
            .count(),
        1
    );
    assert!(world
        .exchanges
        .0
        .lock()
        .iter()
        .any(|(_, status)| *status == Some(429)));
}

#[tokio::test]
async fn when_retries_run_out_the_wait_asked_for_reaches_the_hub() {
    let settings = ConnectWiseSettings {
        retry: RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        },
        ..settings()
    };
    let config = SimConfig {
        requests_per_window: 1,
        rate_window: Duration::from_secs(60),
        time_scale: 1.0,
        ..fast_config()
    };
    let world = world_with(config, settings, |_| {}).await;
    // Discovery is not rate limited; the ticket check is the first request counted, the
    // callback listing the second.
    let error = world
        .connect()
        .await
        .register(&spec("tok1"))
        .await
        .expect_err("throttled");
    assert_eq!(error.class, ErrorClass::Throttled);
    let wait = error.retry_after.expect("Retry-After kept");
    assert!(
        wait >= Duration::from_secs(1) && wait <= Duration::from_secs(60),
        "{wait:?}"
    );
    assert!(error.fix.contains("Retry-After"), "{}", error.fix);
    assert!(
        error.message.contains("Too many requests"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn server_errors_are_retried_only_where_repeating_is_harmless() {
    use connectwise_sim::{Fault, FaultKind};
    let world = world().await;
    let connection = world.connect().await;
    let down = || FaultKind::Status {
        status: 503,
        body: serde_json::json!({"message": "down"}),
    };
    world.sim.inject(Fault {
        op: Op::CallbackList,
        times: 2,
        kind: down(),
    });
    connection
        .register(&spec("tok1"))
        .await
        .expect("the listing is retried");
    assert_eq!(world.requests_of(Op::CallbackList).len(), 3);
    // A create that failed may have happened: it is not sent again.
    world.sim.inject(Fault {
        op: Op::CallbackCreate,
        times: 1,
        kind: FaultKind::CreateThenFail {
            status: 503,
            body: serde_json::json!({}),
        },
    });
    let error = connection
        .register(&spec("tok2"))
        .await
        .expect_err("not retried");
    assert_eq!(error.class, ErrorClass::Transient);
    let creates = world.requests_of(Op::CallbackCreate);
    assert_eq!(creates.len(), 2, "one for tok1, one for tok2");
    // What it left behind is ours and is cleared by the next registration.
    assert_eq!(world.callbacks().len(), 2);
    connection.register(&spec("tok2")).await.expect("registers");
    assert_eq!(world.callbacks().len(), 2);
}
