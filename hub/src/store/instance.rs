//! One psa-hub per database, until several instances share connections through leases: each
//! instance runs an actor for every stored connection, so two on one PostgreSQL database would
//! register, repair and remove the same webhooks twice. The first instance holds a session
//! advisory lock on a connection of its own; PostgreSQL releases it when that session ends (the
//! process stopped or died), so a successor can start.

use std::sync::Arc;

use sqlx::{AnyConnection, Connection as _, Row as _};

use super::{Store, StoreError};

/// The advisory lock's key: "psa-hub" in ASCII, as a number.
const INSTANCE_LOCK: i64 = 0x0070_7361_2d68_7562;

/// Held for as long as the instance runs; [`InstanceClaim::release`] (or dropping the last
/// copy) ends the session and frees the lock.
#[derive(Clone)]
pub struct InstanceClaim {
    session: Arc<tokio::sync::Mutex<Option<AnyConnection>>>,
}

impl InstanceClaim {
    /// Frees the database for a successor (a restart in the same process, say).
    pub async fn release(&self) {
        if let Some(session) = self.session.lock().await.take() {
            let _ = session.close().await;
        }
    }
}

impl std::fmt::Debug for InstanceClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceClaim").finish_non_exhaustive()
    }
}

impl Store {
    /// Claims the database for this instance; [`StoreError::InUse`] when another psa-hub holds
    /// it. SQLite needs no claim here: its file is local to one host, and a second writer on it
    /// waits for the first.
    pub async fn claim_instance(&self, url: &str) -> Result<InstanceClaim, StoreError> {
        if self.is_sqlite() {
            return Ok(InstanceClaim {
                session: Arc::default(),
            });
        }
        let mut session = AnyConnection::connect(url)
            .await
            .map_err(StoreError::Connect)?;
        let claimed: bool = sqlx::query("SELECT pg_try_advisory_lock($1)")
            .bind(INSTANCE_LOCK)
            .fetch_one(&mut session)
            .await?
            .try_get(0)?;
        if !claimed {
            return Err(StoreError::InUse);
        }
        Ok(InstanceClaim {
            session: Arc::new(tokio::sync::Mutex::new(Some(session))),
        })
    }
}
