//! Everything Autotask-specific in psa-hub.
//!
//! Layout:
//! - [`signature`] and [`canonical`]: callout signatures over raw and .NET-escaped bodies.
//! - [`callout`]: defensive parsing of verified callouts into [`psa_proto::TicketChange`].
//! - [`error`]: every Autotask failure, classified, with a plain-language fix.
//! - [`zone`]: per-user zone discovery and URL normalization.
//! - [`cache`]: the bounded, expiring map behind the zone and field caches.
//! - [`limiter`] and [`retry`]: at most 3 concurrent calls per endpoint per database; bounded
//!   exponential backoff with jitter that honours Retry-After.
//! - [`client`]: one REST client per connection: auth headers, error classification, retries.
//! - [`fields`]: ticket webhook field ids resolved from Autotask's picklist, cached per zone.
//! - [`webhook`]: registration (with duplicate recovery), check, repair and removal.
//! - [`presence`]: whether a webhook still exists; "not found" only when a query confirms it.
//! - [`connection`]: the [`psa_proto::PsaAdapter`] for one tenant, and the shared factory.
//! - [`closure`]: a ticket's closure state read from Autotask.
//! - [`connect_input`]: the PUT body of an Autotask connection, its validation and schema.
//! - [`provider`]: Autotask as a hub provider ([`psa_proto::Provider`], [`psa_proto::Connection`]).

pub mod cache;
pub mod callout;
pub mod canonical;
pub mod client;
pub mod closure;
pub mod connect_input;
pub mod connection;
pub mod error;
pub mod fields;
pub mod limiter;
pub mod presence;
pub mod provider;
pub mod retry;
pub mod signature;
pub mod webhook;
pub mod zone;

pub use callout::AutotaskCallouts;
pub use client::Op;
pub use connection::{Autotask, AutotaskConnection, AutotaskSettings, Credentials};
pub use error::AutotaskError;
pub use provider::{AutotaskProvider, NAME};
pub use signature::{generate_secret, sign, verify, SIGNATURE_HEADER};
