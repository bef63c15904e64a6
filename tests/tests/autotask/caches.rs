//! The zone and field-id caches are bounded: a user pushed out is looked up again.

use autotask_sim::{ApiUser, Op as SimOp};
use psa_autotask::{Autotask, AutotaskSettings, Credentials};
use psa_proto::PsaAdapter;

use crate::helpers::*;

const OTHER: &str = "second-user@msp.example";

fn other_credentials() -> Credentials {
    Credentials {
        username: OTHER.into(),
        secret: SECRET.into(),
        integration_code: CODE.into(),
    }
}

/// Connects and registers as the test user, another user, then the test user again, with
/// caches of `capacity`; answers how many zone and picklist lookups Autotask saw.
async fn lookups_with_capacity(capacity: usize) -> (usize, usize) {
    // Several webhooks per user: the test is about lookups, not the webhook limit.
    let world = world_with(fast_config(), |user| user.webhook_limit = 10).await;
    let mut other = ApiUser::new(OTHER, SECRET, CODE);
    other.webhook_limit = 10;
    world.sim.add_api_user(world.db, other);
    let autotask = Autotask::new(AutotaskSettings {
        cache_capacity: capacity,
        ..settings(&world.sim)
    })
    .expect("adapter builds");
    for (n, credentials) in [credentials(), other_credentials(), credentials()]
        .into_iter()
        .enumerate()
    {
        let connection = autotask.connect(credentials).await.expect("connects");
        connection
            .register(&spec(&format!("tok-cache-{n}")))
            .await
            .expect("registers");
    }
    let count = |op| world.sim.requests().iter().filter(|r| r.op == op).count();
    (count(SimOp::ZoneInformation), count(SimOp::FieldPicklist))
}

#[tokio::test]
async fn each_user_is_looked_up_once_while_the_caches_hold_them() {
    assert_eq!(lookups_with_capacity(16).await, (2, 2));
}

#[tokio::test]
async fn a_user_pushed_out_of_a_full_cache_is_looked_up_again() {
    assert_eq!(lookups_with_capacity(1).await, (3, 3));
}

#[test]
fn caches_hold_sixteen_thousand_entries_by_default() {
    assert_eq!(AutotaskSettings::default().cache_capacity, 16_384);
}
