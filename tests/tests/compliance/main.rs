//! One compliance suite every PSA adapter passes: each test is written once against the
//! [`harness::Harness`] trait and instantiated for every adapter with its simulator, through
//! the provider boundary and through a real hub, over real HTTP on random ports.

mod boundary;
mod connectwise_cases;
mod harness;
mod harnesses;
mod hub;
mod ingest;
mod side_by_side;
mod wait;

/// Instantiates every generic test of the suite for one harness, as a module of tests.
macro_rules! compliance_tests {
    ($module:ident, $harness:ty) => {
        mod $module {
            use crate::{boundary, ingest};

            compliance_tests!(@each $harness;
                boundary::registration_costs_the_expected_requests_and_leaves_one_webhook,
                boundary::registering_again_replaces_our_webhook,
                boundary::a_leftover_of_ours_still_ends_with_exactly_one_webhook,
                boundary::each_missing_right_is_classified_with_its_fix,
                boundary::rejected_credentials_are_a_credentials_error,
                boundary::removal_when_present_and_when_already_gone,
                boundary::removal_with_revoked_credentials_leaves_the_webhook,
                ingest::the_whole_story_closes_the_event_with_the_resolution,
                ingest::the_same_callout_twice_has_one_effect,
                ingest::a_forged_signature_is_refused_and_closes_nothing,
            );
        }
    };
    (@each $harness:ty; $($module:ident :: $test:ident),+ $(,)?) => {
        $(
            #[actix_web::test]
            async fn $test() {
                $module::$test::<$harness>().await
            }
        )+
    };
}

compliance_tests!(autotask, crate::harnesses::AutotaskHarness);
compliance_tests!(connectwise, crate::harnesses::ConnectWiseHarness);

#[actix_web::test]
async fn autotask_and_connectwise_side_by_side() {
    side_by_side::one_hub_serves_both_and_keeps_them_apart::<
        harnesses::AutotaskHarness,
        harnesses::ConnectWiseHarness,
    >()
    .await
}

#[actix_web::test]
async fn a_tenant_connected_to_both_links_each_event_to_its_psa() {
    side_by_side::a_tenant_of_both_links_each_event_to_its_psa::<
        harnesses::AutotaskHarness,
        harnesses::ConnectWiseHarness,
    >()
    .await
}
