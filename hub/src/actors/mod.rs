//! The actor system: the [`registry::Registry`] and one supervised
//! [`connection::ConnectionActor`] per tenant connection, with the routing table they keep.

pub mod connection;
pub mod messages;
pub mod registry;
pub mod routes;
pub mod stop;
pub mod work;

pub use connection::ConnectionActor;
pub use messages::{ActorError, Check, Forget, Hint, Removal, Remove, Setup, Start, StopAll};
pub use registry::Registry;
pub use routes::{Route, Routes};
pub use stop::StopSignal;
pub use work::{Deps, WebhookTemplate};
