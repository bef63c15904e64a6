//! Autotask faults converge: with 5xx answers, timeouts, slow answers, thread-limit and
//! threshold rejections injected during registration, check, repair and removal, every
//! connection ends active, or in a classified failure with its fix (then Retry Webhook Setup
//! makes it active), and never with two webhooks.

use std::time::Duration;

use autotask_sim::{Fault, FaultKind, Op as SimOp, WebhookId};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{fast_config, hook_token, Hub, TENANT};
use crate::wait::until_true;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// PUT: zone, permission preflight, field ids, leftovers, create, fields, confirm.
    Registration,
    /// A deactivation hint makes the hub look at a healthy webhook.
    Check,
    /// The periodic check finds the webhook disabled and repairs it.
    Repair,
    /// DELETE of the connection.
    Removal,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    ServerError,
    /// Held longer than the hub's 1 s request timeout.
    Timeout,
    /// Held 300 ms, well within the timeout.
    Slow,
    /// Autotask's thread limit, answered as a 500 naming Itgenatr005 (not always a 429).
    ThreadLimit,
    /// The hourly request threshold: 429.
    Threshold,
}

impl Kind {
    fn fault(self) -> FaultKind {
        let status = |status, text: &str| FaultKind::Status {
            status,
            body: json!({ "errors": [text] }),
        };
        match self {
            Kind::ServerError => status(503, "Service Unavailable"),
            Kind::Timeout => FaultKind::Latency(Duration::from_millis(1_500)),
            Kind::Slow => FaultKind::Latency(Duration::from_millis(300)),
            Kind::ThreadLimit => status(500, "Itgenatr005 Thread Threshold Exceeded"),
            Kind::Threshold => status(429, "Request Threshold Exceeded"),
        }
    }
}

struct Case {
    phase: Phase,
    op: SimOp,
    kind: Kind,
    times: u32,
    /// Where it must end: `active`, `failed:<code>` or `orphaned:<code>`.
    expect: &'static str,
}

fn case(phase: Phase, op: SimOp, kind: Kind, times: u32, expect: &'static str) -> Case {
    Case {
        phase,
        op,
        kind,
        times,
        expect,
    }
}

fn cases() -> Vec<Case> {
    use Kind::*;
    use Phase::*;
    vec![
        case(Registration, SimOp::WebhookQuery, ServerError, 1, "active"),
        case(
            Registration,
            SimOp::WebhookQuery,
            ServerError,
            50,
            "failed:transient",
        ),
        case(
            Registration,
            SimOp::WebhookCreate,
            ServerError,
            1,
            "failed:transient",
        ),
        case(
            Registration,
            SimOp::WebhookCreate,
            Timeout,
            1,
            "failed:transient",
        ),
        case(Registration, SimOp::EntityInformation, Slow, 4, "active"),
        case(
            Registration,
            SimOp::EntityInformation,
            ThreadLimit,
            2,
            "active",
        ),
        case(
            Registration,
            SimOp::EntityInformation,
            ThreadLimit,
            50,
            "failed:throttled",
        ),
        case(
            Registration,
            SimOp::FieldPicklist,
            Threshold,
            50,
            "failed:throttled",
        ),
        case(
            Registration,
            SimOp::FieldCreate,
            Timeout,
            1,
            "failed:transient",
        ),
        case(Registration, SimOp::WebhookGet, ServerError, 2, "active"),
        case(Check, SimOp::WebhookGet, ServerError, 50, "active"),
        case(Check, SimOp::WebhookGet, Timeout, 1, "active"),
        case(Check, SimOp::FieldList, Threshold, 2, "active"),
        case(
            Repair,
            SimOp::WebhookUpdate,
            ServerError,
            6,
            "active (in place)",
        ),
        case(
            Repair,
            SimOp::WebhookUpdate,
            ThreadLimit,
            1,
            "active (in place)",
        ),
        case(Repair, SimOp::WebhookGet, Slow, 3, "active (in place)"),
        case(Removal, SimOp::WebhookDelete, ServerError, 1, "removed"),
        case(Removal, SimOp::WebhookDelete, Threshold, 2, "removed"),
        case(
            Removal,
            SimOp::WebhookDelete,
            ServerError,
            50,
            "orphaned:transient",
        ),
        case(
            Removal,
            SimOp::WebhookDelete,
            Timeout,
            50,
            "orphaned:transient",
        ),
    ]
}

/// How a connection ended: `active`, `removed`, or `<state>:<error code>`.
fn ending(status: &Value) -> String {
    let state = status["webhook"]["state"].as_str().unwrap_or("?");
    match status["webhook"]["last_error"]["code"].as_str() {
        Some(code) if state != "active" => format!("{state}:{code}"),
        _ => state.to_owned(),
    }
}

/// A hub with a 1 s Autotask timeout; periodic checks (every second) only where the case is a
/// repair by the periodic check, so they cannot interfere with the other phases.
async fn hub(phase: Phase) -> Hub {
    Hub::start_tuned(
        fast_config(),
        |_| {},
        |settings| {
            settings.autotask.request_timeout = Duration::from_secs(1);
            if phase == Phase::Repair {
                settings.autotask.drift_check = Duration::from_secs(1);
            }
        },
    )
    .await
}

/// Runs one case; returns where it ended, and where a Retry then took it.
async fn run(case: &Case) -> (String, String) {
    let hub = hub(case.phase).await;
    let inject = || {
        hub.sim.inject(Fault {
            op: case.op,
            times: case.times,
            kind: case.kind.fault(),
        })
    };
    if case.phase == Phase::Registration {
        inject();
    }
    let (_, mut status) = hub.connect(TENANT).await;
    // Under load the 1 s Autotask timeout can fail a setup before any fault is injected; the
    // later phases are about what follows an active webhook, so they start from one.
    for _ in 0..5 {
        if case.phase == Phase::Registration || status["webhook"]["state"] == "active" {
            break;
        }
        status = hub.retry(TENANT).await.1;
    }
    if case.phase != Phase::Registration {
        assert_eq!(
            status["webhook"]["state"], "active",
            "before the fault: {status}"
        );
    }
    let ended = match case.phase {
        Phase::Registration => ending(&status),
        Phase::Check => {
            inject();
            let path = format!("/hooks/autotask/{}/deactivated", hook_token(&status));
            hub.post_public(&path, b"{}", None, "application/json")
                .await;
            until_true("the fault was met", || async { !fault_pending(&hub, case) }).await;
            ending(&hub.status(TENANT).await.1)
        }
        Phase::Repair => {
            inject();
            let id = WebhookId(status["webhook"]["id"].as_i64().expect("id"));
            hub.sim.set_webhook_active_silently(hub.db, id, false);
            let done = hub
                .status_until(TENANT, |s| !s["webhook"]["last_repair"].is_null())
                .await;
            let how = if done["webhook"]["id"] == status["webhook"]["id"] {
                "in place"
            } else {
                "recreated"
            };
            format!("{} ({how})", ending(&done))
        }
        Phase::Removal => {
            inject();
            let (_, answer) = hub.remove(TENANT).await;
            if answer["webhook_removed"] == true {
                "removed".to_owned()
            } else {
                assert!(answer["manual_cleanup"].is_string(), "{answer}");
                ending(&hub.status(TENANT).await.1)
            }
        }
    };
    // Held requests (timeouts) finish in Autotask even though the hub gave up on them.
    until_true("every request answered", || async {
        hub.sim.requests().iter().all(|r| r.status.is_some())
    })
    .await;
    assert!(hub.sim.webhooks(hub.db).len() <= 1, "never two webhooks");
    hub.sim.clear_faults();
    let after_retry = if ended.starts_with("failed") {
        let (_, status) = hub.retry(TENANT).await;
        ending(&status)
    } else {
        "-".to_owned()
    };
    (ended, after_retry)
}

/// Whether some of the case's injected fault is still unused.
fn fault_pending(hub: &Hub, case: &Case) -> bool {
    let seen = hub
        .sim
        .requests()
        .iter()
        .filter(|r| r.op == case.op && r.status.is_some())
        .count();
    // Registration's own calls of the op were answered before the fault was injected.
    seen < usize::try_from(case.times).unwrap_or(usize::MAX).min(4) + registration_calls(case.op)
}

fn registration_calls(op: SimOp) -> usize {
    match op {
        SimOp::WebhookGet => 1,
        _ => 0,
    }
}

#[actix_web::test]
async fn autotask_faults_converge_to_active_or_a_classified_failure() {
    let cases = cases();
    let ends = join_all(cases.iter().map(run)).await;
    println!("phase | operation | fault | times | ended | after Retry");
    let mut wrong = Vec::new();
    for (case, (ended, retried)) in cases.iter().zip(&ends) {
        println!(
            "{:?} | {:?} | {:?} | {} | {ended} | {retried}",
            case.phase, case.op, case.kind, case.times
        );
        if ended != case.expect {
            wrong.push(format!(
                "{:?} {:?} {:?}: {ended}",
                case.phase, case.op, case.kind
            ));
        }
        if ended.starts_with("failed") {
            assert_eq!(retried, "active", "Retry after the fault cleared");
        }
    }
    assert!(wrong.is_empty(), "unexpected endings: {wrong:#?}");
}
