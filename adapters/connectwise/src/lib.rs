//! Everything ConnectWise PSA-specific in psa-hub (reference: connectwise-api.md).
//!
//! Layout:
//! - [`settings`]: how the adapter talks to ConnectWise, with production defaults.
//! - [`site`]: a tenant's site, its exact grammar, and the cloud `api-` host rules.
//! - [`connect_input`]: the PUT body of a connection, its credentials document and schema.
//! - [`discovery`]: the company's codebase and API root, cached per site and company.
//! - [`op`]: the bounded list of operations (retries, errors, metric labels).
//! - [`transport`], [`retry`], [`cache`]: what every exchange shares; backoff with jitter that
//!   honours Retry-After; the bounded expiring map behind the caches.
//! - [`client`]: one REST client per connection: auth headers, errors, redaction, paging.
//! - [`error`] and [`fixes`]: every failure, classified, with a plain-language fix.
//! - [`webhook`]: the ticket callback: register (with duplicate recovery), check, repair, remove.
//! - [`presence`]: whether a callback still exists; "gone" only when a listing confirms it.
//! - [`signature`], [`key_url`], [`signing_key`]: callback signatures, which key URLs may be
//!   fetched, and fetching keys.
//! - [`callout`] and [`dates`]: verified callbacks into [`psa_proto::TicketChange`].
//! - [`closure`]: a ticket's closure state and resolution note.
//! - [`connection`] and [`provider`]: ConnectWise as a hub provider ([`psa_proto::Provider`],
//!   [`psa_proto::Connection`]).

/// The name of ConnectWise PSA among the hub's providers (route segment, `psa` column and
/// the `psa` label of metrics).
pub const NAME: psa_proto::PsaName = psa_proto::PsaName::new("connectwise");

pub mod cache;
pub mod callout;
pub mod client;
pub mod closure;
pub mod connect_input;
pub mod connection;
pub mod dates;
pub mod discovery;
pub mod error;
pub mod fixes;
pub mod key_url;
pub mod op;
pub mod presence;
pub mod provider;
pub mod retry;
pub mod settings;
pub mod signature;
pub mod signing_key;
pub mod site;
pub mod transport;
pub mod webhook;

#[cfg(test)]
mod test_server;

pub use client::{ApiKeys, ConnectWiseClient};
pub use connection::ConnectWiseConnection;
pub use error::ConnectWiseError;
pub use op::Op;
pub use provider::ConnectWiseProvider;
pub use retry::RetryPolicy;
pub use settings::{ConnectWiseSettings, DEFAULT_API_VERSION};
pub use signature::{sign, SigningKey, SIGNATURE_HEADER};
pub use site::Site;
pub use webhook::RECORD_ID_SUFFIX;
