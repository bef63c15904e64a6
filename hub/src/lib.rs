//! psa-hub: keeps security-alert events in step with the tickets MSPs work in their PSA.
//!
//! Layout:
//! - [`config`]: layered, validated settings; [`crypto`]: secrets sealed at rest.
//! - [`store`]: tenants, connections, events and the delivery log on sqlx (SQLite by default).
//! - [`actors`]: the registry and one supervised connection actor per tenant.
//! - [`api`]: the admin listener (`/api/v1`, `/metrics`, `/healthz`, `/readyz`).
//! - [`ingest`]: the public listener, where the PSAs' signed callouts arrive.
//! - [`psa`]: the PSAs the hub serves; [`providers`]: the one place that names them.
//! - [`metrics`]: the Prometheus metrics; [`maintenance`]: pruning past retention.
//! - [`startup`]: putting it all together.

pub mod actors;
pub mod api;
pub mod config;
pub mod crypto;
pub mod ingest;
pub mod local;
pub mod maintenance;
pub mod metrics;
pub mod providers;
pub mod psa;
pub mod startup;
pub mod store;
pub mod telemetry;

pub use startup::{AppHandle, Application};
