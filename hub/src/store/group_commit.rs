//! Group commit of callouts: writer tasks take what arrived while the previous commit ran and
//! commit it as one transaction, so many callouts share one fsync. Each caller still hears back
//! only once its callout is committed (or failed), so a 2xx still means durable.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex};

use super::callouts::CalloutCommit;
use super::{CalloutEffect, Store, StoreError};

/// At most this many callouts share one transaction; more wait for the next.
const MAX_BATCH: usize = 512;
/// Callouts waiting for a writer; senders wait (back-pressure) when it is full.
const QUEUE: usize = 8192;

type Reply = oneshot::Sender<Result<CalloutEffect, StoreError>>;

/// The handle the ingest path commits through.
#[derive(Debug, Clone)]
pub(super) struct Committer {
    queue: mpsc::Sender<(CalloutCommit, Reply)>,
}

impl Committer {
    /// Starts `writers` writer tasks on `store` (which must not itself commit through a
    /// committer). SQLite has one writer; PostgreSQL's run side by side, one collecting while
    /// another commits. They end when the last `Committer` is dropped.
    pub(super) fn start(store: Store, writers: usize) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..writers.max(1) {
            tokio::spawn(write(store.clone(), Arc::clone(&receiver)));
        }
        Self { queue }
    }

    pub(super) async fn commit(&self, commit: CalloutCommit) -> Result<CalloutEffect, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((commit, reply))
            .await
            .map_err(|_| StoreError::Stopped)?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }
}

async fn write(store: Store, receiver: Arc<Mutex<mpsc::Receiver<(CalloutCommit, Reply)>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            let mut receiver = receiver.lock().await;
            if receiver.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
        }
        // One order for every transaction: by connection, arrival order kept within one.
        batch.sort_by(|(a, _), (b, _)| a.key.cmp(&b.key));
        let (commits, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        commit_batch(&store, commits, replies).await;
    }
}

async fn commit_batch(store: &Store, commits: Vec<CalloutCommit>, replies: Vec<Reply>) {
    match store.apply_batch(&commits).await {
        Ok(effects) => {
            for (reply, effect) in replies.into_iter().zip(effects) {
                let _ = reply.send(effect);
            }
        }
        Err(error) if commits.len() > 1 => {
            // One bad callout must not fail the others: each alone, in its own transaction.
            tracing::warn!(%error, callouts = commits.len(), "a group commit failed; committing one by one");
            for (commit, reply) in commits.into_iter().zip(replies) {
                let _ = reply.send(store.apply_one(&commit).await);
            }
        }
        Err(error) => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(error));
            }
        }
    }
}
