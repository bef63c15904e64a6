//! The store: one `sqlx` pool over SQLite (the embedded default) or PostgreSQL, with portable SQL
//! so the same migrations and queries run on both. Migrations are compiled in and applied at start.
//!
//! Write transactions always begin with a write, so that SQLite takes its write lock up front
//! and waits on `busy_timeout` instead of failing a lock upgrade.

mod batch;
mod callouts;
mod cleanups;
mod connection_row;
mod connections;
mod events;
mod group_commit;
mod instance;
mod legacy;
mod lookups;
mod ordering;
mod retention;
mod status_writes;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use psa_proto::PsaName;
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::AnyPool;

use crate::config::{DatabaseBackend, DatabaseSettings};
use crate::crypto::{CryptoError, MasterKey};

pub use callouts::{CalloutCommit, CalloutEffect};
pub use cleanups::Cleanup;
pub use connections::{
    ConnectionKey, ConnectionRecord, ConnectionSummary, LastError, LastRepair, TenantSummary,
};
pub use events::{EventRecord, EventStatus, LinkOutcome, NewLink};
pub use instance::InstanceClaim;
pub use legacy::LegacyUpgrade;
pub use lookups::PendingLookup;
pub use status_writes::CredentialUpdate;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("a stored secret cannot be opened (wrong secrets.master_key?): {0}")]
    Sealed(#[from] CryptoError),
    /// Another psa-hub instance runs on this database.
    #[error(
        "another psa-hub instance is running on this PostgreSQL database; several instances on \
         one database are not supported yet (stop the other one, or give this one its own database)"
    )]
    InUse,
    /// The store is shutting down; nothing was committed.
    #[error("the store is shutting down")]
    Stopped,
    #[error("a stored row is invalid: {0}")]
    Corrupt(String),
    /// The row belongs to a PSA this build of psa-hub does not serve.
    #[error("a stored connection is for the PSA {0:?}, which this psa-hub does not serve")]
    UnknownPsa(String),
}

/// The schema, in order. Each file is applied once and recorded with its checksum.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../../migrations/0001_init.sql")),
    (
        2,
        "hardening",
        include_str!("../../migrations/0002_hardening.sql"),
    ),
    (
        3,
        "providers",
        include_str!("../../migrations/0003_providers.sql"),
    ),
    (
        4,
        "pending work",
        include_str!("../../migrations/0004_pending_work.sql"),
    ),
];

/// The database handle shared by the API, the ingest path and the connection actors.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    key: MasterKey,
    /// The PSAs this hub serves: a stored row of another is unreadable.
    psas: Arc<[PsaName]>,
    /// SQLite has a single writer. Queuing writers here, in arrival order, replaces SQLite's
    /// busy-wait (sleep and poll), which under load left some callouts waiting a second.
    /// PostgreSQL writers run side by side and serialize on row locks instead (`None`).
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Where callouts are committed, grouped; `None` in the writers' own handle.
    committer: Option<group_commit::Committer>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub async fn open(
        settings: &DatabaseSettings,
        key: MasterKey,
        psas: Vec<PsaName>,
    ) -> Result<Self, StoreError> {
        install_default_drivers();
        let url = sqlite_url(&settings.url);
        let pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .connect(&url)
            .await
            .map_err(StoreError::Connect)?;
        let sqlite = settings.backend() == DatabaseBackend::Sqlite;
        if sqlite {
            // WAL lets readers (status, events) proceed while a callout commits; it is a
            // property of the database file, so setting it once is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_optional(&pool)
                .await
                .map_err(StoreError::Connect)?;
        }
        migrator().run(&pool).await?;
        let mut store = Self {
            pool,
            key,
            psas: psas.into(),
            writer: sqlite.then(Arc::default),
            committer: None,
        };
        // PostgreSQL commits several groups at once (one collecting while another commits).
        let writers = if sqlite { 1 } else { 4 };
        store.committer = Some(group_commit::Committer::start(store.clone(), writers));
        Ok(store)
    }

    /// The served PSA a stored `psa` column names.
    pub(crate) fn psa_of(&self, name: &str) -> Result<PsaName, StoreError> {
        self.psas
            .iter()
            .copied()
            .find(|psa| psa.as_str() == name)
            .ok_or_else(|| StoreError::UnknownPsa(name.to_owned()))
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// SQLite (one writer, queued in the store) rather than PostgreSQL.
    pub(crate) fn is_sqlite(&self) -> bool {
        self.writer.is_some()
    }

    fn committer(&self) -> Option<&group_commit::Committer> {
        self.committer.as_ref()
    }

    pub(crate) fn key(&self) -> &MasterKey {
        &self.key
    }

    /// Held for the length of every write transaction (on SQLite; nothing to hold otherwise).
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.writer {
            Some(writer) => Some(writer.lock().await),
            None => None,
        }
    }
}

/// Makes sure the tenant exists, then locks it (see [`lock_tenant`]).
pub(crate) async fn ensure_and_lock_tenant(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &psa_proto::TenantId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tenants (tenant_id, created_at) VALUES ($1, $2) \
         ON CONFLICT (tenant_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    lock_tenant(tx, tenant).await
}

/// Starts a write transaction's work on one existing tenant by locking its row, so that a link
/// and a callout for the same tenant never interleave (PostgreSQL's row lock; on SQLite the
/// first write already takes the database's write lock). A callout's tenant always exists: its
/// connection references it, and tenants are never deleted.
pub(crate) async fn lock_tenant(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &psa_proto::TenantId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tenants SET created_at = created_at WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn migrator() -> Migrator {
    let migrations: Vec<Migration> = MIGRATIONS
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// SQLite creates the file only when asked to; an operator pointing at a new path expects it.
fn sqlite_url(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        let joiner = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joiner}mode=rwc")
    } else {
        url.to_owned()
    }
}

pub(crate) fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode_once() {
        assert_eq!(sqlite_url("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(
            sqlite_url("sqlite://a.db?x=1"),
            "sqlite://a.db?x=1&mode=rwc"
        );
        assert_eq!(sqlite_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
    }
}
