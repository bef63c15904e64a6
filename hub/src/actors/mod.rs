//! The actor system: the [`registry::Registry`] and one supervised
//! [`connection::ConnectionActor`] per tenant connection, with the routing table they keep.
//!
//! The actor decides *when* (`connection`, `handlers`, `schedule`); plain async functions say
//! *what*: `setup`, `check` (hints and the periodic desired-state check, with repairs),
//! `cleanup` (webhooks of replaced credentials), `lookups` (tickets read for callouts that did
//! not say enough) and `removal`.

mod bucket;
mod check;
mod cleanup;
pub mod connection;
mod deps;
mod failure;
mod handlers;
mod lookups;
pub mod messages;
pub mod registry;
mod removal;
pub mod routes;
pub mod schedule;
mod setup;
pub mod stop;

pub use connection::ConnectionActor;
pub use deps::Deps;
pub use messages::{
    ActorError, Check, Forget, Hint, Lookup, LookupDue, Readiness, ReadyState, Removal, Remove,
    Setup, Start, StopAll, Sweep, UnreadableGone,
};
pub use registry::Registry;
pub use routes::{Route, Routes};
pub use stop::StopSignal;
