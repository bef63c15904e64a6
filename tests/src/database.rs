//! The database a black-box test's hub stores in: a SQLite file in a temporary directory, or,
//! when `PSA_HUB_TEST_POSTGRES` names a PostgreSQL server, a fresh database on it that is dropped
//! when the test ends. Each test gets its own, so tests run in parallel.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::any::install_default_drivers;
use sqlx::{AnyPool, Connection as _};
use tempfile::TempDir;

/// Names the PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432`) the hub tests run on;
/// unset, they run on SQLite.
pub const POSTGRES_VAR: &str = "PSA_HUB_TEST_POSTGRES";

/// Prefix of every database the tests create: a killed run leaves its databases behind, and
/// they are found by it (to `DROP DATABASE` by hand).
const NAME_PREFIX: &str = "psa_hub_test_";

static NEXT: AtomicU32 = AtomicU32::new(0);

/// One test's database; PostgreSQL's is dropped with it.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    place: Place,
}

#[derive(Debug)]
enum Place {
    Sqlite(#[allow(dead_code)] TempDir),
    Postgres { server: String, name: String },
}

impl TestDatabase {
    /// A new, empty database of the kind the environment asks for.
    pub async fn create() -> Self {
        match std::env::var(POSTGRES_VAR) {
            Ok(server) if !server.trim().is_empty() => Self::postgres(server.trim()).await,
            _ => Self::sqlite(),
        }
    }

    /// A new SQLite database, whatever the environment says (for tests about SQLite files).
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("hub.db").display());
        Self {
            url,
            place: Place::Sqlite(dir),
        }
    }

    async fn postgres(server: &str) -> Self {
        let server = server.trim_end_matches('/').to_owned();
        // Unique across concurrent runs (even in other containers sharing the server, whose
        // process ids may coincide) by the clock as well.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "{NAME_PREFIX}{}_{}_{nanos:08x}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(&server, &format!("CREATE DATABASE {name}")).await;
        Self {
            url: format!("{server}/{name}"),
            place: Place::Postgres { server, name },
        }
    }

    /// The URL to give the hub as `database.url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// True when this is a PostgreSQL database (SQL that differs, such as triggers, needs it).
    pub fn is_postgres(&self) -> bool {
        matches!(self.place, Place::Postgres { .. })
    }

    /// A second connection to the database, to look at or break it under the hub.
    pub async fn pool(&self) -> AnyPool {
        install_default_drivers();
        AnyPool::connect(&self.url)
            .await
            .expect("the hub's database opens")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Place::Postgres { server, name } = &self.place else {
            return;
        };
        let (server, name) = (server.clone(), name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its own
        // runtime can, and joining it means the database is gone when the test ends.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(admin(
                &server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            ));
        });
        let _ = dropped.join();
    }
}

/// Runs one statement on the server's maintenance database.
async fn admin(server: &str, statement: &str) {
    install_default_drivers();
    let url = format!("{server}/postgres");
    let mut connection = sqlx::AnyConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server} answers ({POSTGRES_VAR}): {e}"));
    sqlx::query(statement)
        .execute(&mut connection)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    let _ = connection.close().await;
}
