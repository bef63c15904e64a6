//! The load generator: `connections` clients on their own threads, each keeping one request in
//! flight on its own keep-alive connection until every request was sent once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One prepared callout.
#[derive(Clone)]
pub struct Request {
    pub path: String,
    pub body: bytes::Bytes,
    pub signature: String,
}

/// What one run measured.
pub struct Run {
    pub wall: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
    pub failures: usize,
}

impl Run {
    pub fn throughput(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    /// Milliseconds at quantile `q` (1.0: the maximum).
    pub fn percentile(&self, q: f64) -> f64 {
        let Some(last) = self.latencies.len().checked_sub(1) else {
            return 0.0;
        };
        let at = ((self.latencies.len() as f64 * q) as usize).min(last);
        self.latencies[at].as_secs_f64() * 1000.0
    }
}

/// Posts every request once to `base`, from a runtime of its own (two threads, like the
/// machine's cores) so the target's threads are not the generator's. The caller's thread is not
/// blocked: in-process targets (psa-hub's writer) may need it.
pub async fn run(
    base: &str,
    requests: Arc<Vec<Request>>,
    connections: usize,
) -> anyhow::Result<Run> {
    let base = base.to_owned();
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let measured = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(drive(base, requests, connections)));
        let _ = done.send(measured);
    });
    result
        .await
        .map_err(|_| anyhow::anyhow!("the load generator panicked"))?
}

async fn drive(
    base: String,
    requests: Arc<Vec<Request>>,
    connections: usize,
) -> anyhow::Result<Run> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        // One client each: one connection each, kept alive.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()?;
        let (base, requests, next) = (base.clone(), requests.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(i) else {
                    break;
                };
                let sent = Instant::now();
                let answer = http
                    .post(format!("{base}{}", request.path))
                    .header("Content-Type", "application/json")
                    .header("X-Hook-Signature", &request.signature)
                    .body(request.body.clone())
                    .send()
                    .await;
                let ok = match answer {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        ok && response.bytes().await.is_ok()
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                failures += usize::from(!ok);
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(requests.len());
    let mut failures = 0;
    for client in clients {
        let (mine, failed) = client.await?;
        latencies.extend(mine);
        failures += failed;
    }
    let wall = started.elapsed();
    latencies.sort();
    Ok(Run {
        wall,
        latencies,
        failures,
    })
}
