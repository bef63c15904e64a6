//! Waiting on observable conditions with one deadline (never a fixed sleep), and reading a
//! sample out of Prometheus text.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long any condition may take; far beyond what a loaded machine needs.
pub const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(10);

/// Polls `probe` until it returns `Ok`; panics with its last `Err` (what it saw) at the deadline.
pub async fn until<T, F, Fut>(mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(found) => return found,
            Err(seen) if started.elapsed() > DEADLINE => {
                panic!("waited {DEADLINE:?} in vain; last seen: {seen}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// `until` for a plain condition; `what` names it in the panic.
pub async fn until_true<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    until(|| {
        let done = probe();
        async move { done.await.then_some(()).ok_or_else(|| what.to_owned()) }
    })
    .await
}

/// The sum of the samples of `series` in Prometheus text, as PromQL's `sum(series)` reads it:
/// every sample of that name whose labels include the ones given; 0 when there is none.
pub fn sample(metrics: &str, series: &str) -> f64 {
    let (name, wanted) = split_series(series);
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (found, labels) = split_series(series);
            (found == name && wanted.iter().all(|pair| labels.contains(pair)))
                .then(|| value.trim().parse::<f64>().expect("a number"))
        })
        .sum()
}

/// `name{a="x",b="y"}` → (`name`, [`a="x"`, `b="y"`]); label values here hold no commas.
fn split_series(series: &str) -> (&str, Vec<&str>) {
    match series.split_once('{') {
        Some((name, labels)) => {
            let labels = labels.trim_end_matches('}');
            (name, labels.split(',').filter(|l| !l.is_empty()).collect())
        }
        None => (series, Vec::new()),
    }
}
