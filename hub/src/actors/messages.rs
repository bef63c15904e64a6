//! The messages of the actor system: one small struct per intent, with typed results.

use actix::prelude::*;
use serde::Serialize;

use super::connection::ConnectionActor;
use crate::store::{ConnectionKey, StoreError};

/// A failure the connection actor cannot handle itself; the actor stops and its supervisor
/// restarts it.
#[derive(Debug, thiserror::Error)]
pub enum ActorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The hub is stopping; the work was abandoned and resumes at the next start.
    #[error("psa-hub is shutting down")]
    Stopping,
    /// Another request changed the connection (its credentials) while this work ran; the
    /// work's result was not written.
    #[error("the connection changed while the work ran")]
    Changed,
    /// A connection of a PSA this hub does not serve (a bug of the caller).
    #[error("psa-hub does not serve the PSA {0:?}")]
    UnknownPsa(String),
}

/// Register (or re-register) the webhook now: after a PUT, on Retry Webhook Setup, to resume
/// interrupted work, or to repair a deactivated webhook. A setup that began after this one was
/// asked for (and so read the latest credentials) answers it too.
#[derive(Debug, Message)]
#[rtype(result = "Result<(), ActorError>")]
pub struct Setup {
    pub requested_at: std::time::Instant,
}

impl Setup {
    pub fn now() -> Self {
        Self {
            requested_at: std::time::Instant::now(),
        }
    }
}

/// Remove the connection's webhook and then the connection.
#[derive(Debug, Message)]
#[rtype(result = "Result<Option<Removal>, ActorError>")]
pub struct Remove;

/// What removal achieved, as the admin API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Removal {
    /// Whether the PSA confirmed the connection's webhook gone (deleted now, or already).
    pub webhook_removed: bool,
    /// What to delete by hand, and where, when the webhook could not be deleted.
    pub manual_cleanup: Option<String>,
    /// Whether the connection stays (as `orphaned`), so its actor stays too.
    #[serde(skip)]
    pub retained: bool,
}

/// The PSA called the deactivation URL (or sent an unsigned deactivation notice): look at the
/// webhook in the PSA and repair it if it really is disabled. Never changes state by itself.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Check;

/// The periodic desired-state check: compare the webhook with what it should be and repair
/// drift; also picks up lost or failed setups and pending clean-ups.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Sweep;

/// Read from the PSA the tickets of callouts that did not say enough, and apply what it says.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Lookup;

/// Stop for good (the connection was removed or the hub is shutting down).
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Shutdown;

/// Registry: start the actor of a stored connection, or return the running one.
#[derive(Debug, Message)]
#[rtype(result = "Option<Addr<ConnectionActor>>")]
pub struct Start {
    pub key: ConnectionKey,
    /// Whether the actor picks up unfinished work by itself (at hub start) or is about to be
    /// told what to do (by the admin API).
    pub resume: bool,
}

/// Registry: the tenant's connection is gone; stop `actor`.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Forget {
    pub key: ConnectionKey,
    pub actor: Addr<ConnectionActor>,
}

/// Registry: pass a deactivation hint to the connection's actor.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct Hint {
    pub key: ConnectionKey,
}

/// Registry: how complete the actor system is, for `/readyz`.
#[derive(Debug, Message)]
#[rtype(result = "ReadyState")]
pub struct Readiness;

/// What the registry knows about its actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyState {
    pub actors: usize,
    /// Stored connections that could not be read, so have no actor.
    pub unreadable: usize,
}

/// Registry: a stored connection that could not be read was deleted.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct UnreadableGone {
    pub key: ConnectionKey,
}

/// Registry: pass a callout that needs its ticket read to the connection's actor.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct LookupDue {
    pub key: ConnectionKey,
}

/// Registry: stop every connection actor (hub shutdown).
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct StopAll;
