//! Bounded retries with exponential backoff and full jitter, honouring ConnectWise's Retry-After.

use std::future::Future;
use std::time::Duration;

use psa_proto::{AdapterError, ErrorClass};
use rand::Rng;

use crate::error::ConnectWiseError;
use crate::op::Op;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// No single wait is longer, even when ConnectWise asks for more (the caller retries later).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.max_delay);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_delay);
        // Full jitter between half and all of the ceiling spreads out tenants that failed together.
        let half = ceiling / 2;
        half + rand::thread_rng().gen_range(Duration::ZERO..=half)
    }

    /// Whether an error from `op` is worth another attempt: throttling always (the request was
    /// refused, not processed); transient failures only where repeating the call is harmless.
    fn retries(&self, op: Op, error: &ConnectWiseError) -> bool {
        match error.class() {
            ErrorClass::Throttled => true,
            ErrorClass::Transient => op.is_idempotent(),
            _ => false,
        }
    }

    /// Runs `call` until it succeeds, fails for good, or the attempts run out.
    pub async fn run<T, F, Fut>(&self, op: Op, mut call: F) -> Result<T, ConnectWiseError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ConnectWiseError>>,
    {
        let mut attempt = 1;
        loop {
            match call().await {
                Ok(value) => return Ok(value),
                Err(error) if attempt < self.max_attempts && self.retries(op, &error) => {
                    let wait = self.delay(attempt - 1, error.retry_after());
                    tracing::debug!(op = op.as_str(), attempt, ?wait, %error, "retrying ConnectWise call");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn throttled() -> ConnectWiseError {
        ConnectWiseError::Throttled {
            message: "busy".into(),
            retry_after: Some(Duration::from_millis(1)),
        }
    }

    fn server_error(op: Op) -> ConnectWiseError {
        ConnectWiseError::Server {
            op,
            status: 503,
            message: "down".into(),
        }
    }

    #[test]
    fn delays_grow_stay_bounded_and_honour_retry_after() {
        let policy = RetryPolicy::default();
        for retry in 0..40 {
            let wait = policy.delay(retry, None);
            assert!(wait <= policy.max_delay);
            assert!(wait >= (policy.base_delay * 2u32.pow(retry.min(5))).min(policy.max_delay) / 2);
        }
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600))),
            policy.max_delay
        );
    }

    #[tokio::test]
    async fn throttling_is_retried_until_success_and_bounded() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        };
        let calls = AtomicU32::new(0);
        let result = policy
            .run(Op::CallbackCreate, || async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(throttled())
                } else {
                    Ok(7)
                }
            })
            .await;
        assert_eq!(result.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        calls.store(0, Ordering::SeqCst);
        let result: Result<(), _> = policy
            .run(Op::CallbackGet, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(throttled())
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn server_errors_are_retried_only_where_repeating_is_harmless() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        };
        for (op, expected_calls) in [(Op::CallbackGet, 3), (Op::CallbackCreate, 1)] {
            let calls = AtomicU32::new(0);
            let result: Result<(), _> = policy
                .run(op, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err(server_error(op))
                })
                .await;
            assert!(result.is_err());
            assert_eq!(calls.load(Ordering::SeqCst), expected_calls, "{op}");
        }
    }
}
