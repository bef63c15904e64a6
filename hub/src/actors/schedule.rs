//! When to act again: setup retries that back off with the length of the failure run and slow
//! down after a day, and periodic checks spread with jitter, so tenants that failed together, or
//! started together, never call their PSA in step.

use std::time::Duration;

use rand::Rng;

/// The first retry after a setup failed for a reason that may pass.
pub const FIRST_RETRY: Duration = Duration::from_secs(30);
/// The longest wait between retries during the first day of failures.
pub const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long failures may last before the status says so and retries slow down.
pub const FAILING_LONG: Duration = Duration::from_secs(24 * 3600);
/// The wait between retries after a day of failures: they go on, slowly.
pub const SLOW_RETRY: Duration = Duration::from_secs(6 * 3600);

/// The wait before the next setup attempt of a connection whose setups have failed for
/// `failing_for`. It grows with the failure run (so it survives restarts: the run's start is
/// stored), honours a longer wait the PSA asked for, and is jittered.
pub fn retry_delay(failing_for: Duration, asked: Option<Duration>) -> Duration {
    let base = if failing_for >= FAILING_LONG {
        SLOW_RETRY
    } else {
        failing_for.clamp(FIRST_RETRY, MAX_RETRY)
    };
    let delay = spread(base, 0.5);
    match asked {
        Some(asked) if asked > delay => {
            spread(asked.min(SLOW_RETRY), 0.8) + asked.min(SLOW_RETRY) / 5
        }
        _ => delay,
    }
}

/// The wait before retrying a clean-up that failed `attempts` times for a passing reason.
pub fn cleanup_retry(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 7)).unwrap_or(7);
    spread(
        FIRST_RETRY.saturating_mul(1 << doublings).min(MAX_RETRY),
        0.5,
    )
}

/// The first periodic check after a start: anywhere within one period, so a restart of many
/// connections does not check them all at once.
pub fn first_check(period: Duration) -> Duration {
    period.mul_f64(rand::thread_rng().gen_range(0.0..1.0))
}

/// The wait until the next periodic check: between three quarters of a period and a whole one,
/// so drift is found within one period and checks drift apart rather than bunch up.
pub fn next_check(period: Duration) -> Duration {
    spread(period, 0.75)
}

/// A random duration between `low` × `d` and `d`.
fn spread(d: Duration, low: f64) -> Duration {
    d.mul_f64(rand::thread_rng().gen_range(low..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_grow_with_the_failure_run_and_slow_down_after_a_day() {
        for _ in 0..200 {
            let first = retry_delay(Duration::ZERO, None);
            assert!(
                first >= FIRST_RETRY / 2 && first <= FIRST_RETRY,
                "{first:?}"
            );
            let later = retry_delay(Duration::from_secs(600), None);
            assert!(later >= Duration::from_secs(300) && later <= Duration::from_secs(600));
            let capped = retry_delay(Duration::from_secs(20 * 3600), None);
            assert!(capped <= MAX_RETRY && capped >= MAX_RETRY / 2);
            let slow = retry_delay(FAILING_LONG, None);
            assert!(slow >= SLOW_RETRY / 2 && slow <= SLOW_RETRY);
        }
    }

    #[test]
    fn a_longer_wait_the_psa_asked_for_is_honoured() {
        for _ in 0..200 {
            let asked = Duration::from_secs(120);
            let delay = retry_delay(Duration::ZERO, Some(asked));
            assert!(delay >= asked && delay <= asked + asked / 5, "{delay:?}");
            let short = retry_delay(Duration::from_secs(600), Some(Duration::from_secs(1)));
            assert!(short >= Duration::from_secs(300));
        }
    }

    #[test]
    fn tenants_failing_together_do_not_retry_together() {
        let delays: std::collections::HashSet<u128> = (0..50)
            .map(|_| retry_delay(Duration::ZERO, None).as_millis())
            .collect();
        assert!(
            delays.len() > 40,
            "jittered: {} distinct of 50",
            delays.len()
        );
    }

    #[test]
    fn checks_stay_within_one_period() {
        let period = Duration::from_secs(21_600);
        for _ in 0..500 {
            assert!(first_check(period) < period);
            let next = next_check(period);
            assert!(next <= period && next >= period.mul_f64(0.75));
        }
        for attempts in [0, 3, 50, -1] {
            assert!(cleanup_retry(attempts) <= MAX_RETRY);
        }
    }
}
