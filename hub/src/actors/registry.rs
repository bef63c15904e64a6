//! The registry: owns the running connection actors (one per connection, each under its own
//! supervisor) and the routing table the ingest path reads.

use std::collections::{HashMap, HashSet};

use actix::prelude::*;
use psa_proto::WebhookState;

use super::connection::{ConnectionActor, Resumable, Resume};
use super::deps::Deps;
use super::messages::{
    Check, Forget, Hint, Lookup, LookupDue, Readiness, Shutdown, Start, StopAll, UnreadableGone,
};
use crate::metrics::{CheckOutcome, CheckTrigger};
use crate::store::{ConnectionKey, StoreError};

#[derive(Debug)]
pub struct Registry {
    deps: Deps,
    actors: HashMap<ConnectionKey, Addr<ConnectionActor>>,
    /// Stored connections that could not be read at start (e.g. sealed with another master
    /// key), as `tenant/psa`: they have no actor, so the hub is not ready until they are
    /// deleted.
    unreadable: HashSet<String>,
    /// Handed to each actor, so one that finishes a removal on its own can be forgotten.
    me: Addr<Registry>,
}

impl Registry {
    /// Starts the registry with an actor (and a route) for every stored connection; each actor
    /// resumes whatever its connection's state says was unfinished.
    pub async fn start(deps: Deps) -> Result<Addr<Registry>, StoreError> {
        let mut records = Vec::new();
        let mut unreadable = HashSet::new();
        for row in deps.store.connections().await? {
            match row {
                Ok(record) => records.push(record),
                // The others still start; this one's status answers 409 until it is fixed.
                Err((key, error)) => {
                    let key = key.map_or_else(|| "?".to_owned(), |key| key.to_string());
                    tracing::error!(connection = %key, %error, "cannot read a stored connection; it is not started");
                    unreadable.insert(key);
                }
            }
        }
        let pending = deps.store.keys_with_pending_work().await?;
        let mut resumables = Vec::with_capacity(records.len());
        for record in records {
            if record.state != WebhookState::Orphaned {
                deps.routes.insert(&record);
            }
            let work = pending.contains(&record.key);
            resumables.push((record.key.clone(), Resumable::of(&record, work)));
        }
        Ok(Registry::create(move |ctx| {
            let mut registry = Registry {
                deps,
                actors: HashMap::new(),
                unreadable,
                me: ctx.address(),
            };
            for (key, resumable) in resumables {
                registry.spawn(key, Resume::Known(resumable));
            }
            tracing::info!(
                connections = registry.actors.len(),
                "connection actors started"
            );
            registry
        }))
    }

    /// Starts the actor of `key`; `None` for a PSA the hub does not serve.
    fn spawn(&mut self, key: ConnectionKey, resume: Resume) -> Option<Addr<ConnectionActor>> {
        let psa = self.deps.psas.get(key.psa)?.clone();
        let deps = self.deps.clone();
        let id = key.clone();
        let registry = self.me.clone();
        let addr = actix::Supervisor::start(move |_| {
            ConnectionActor::new(id, psa, deps, registry, resume)
        });
        self.actors.insert(key, addr.clone());
        Some(addr)
    }
}

impl Actor for Registry {
    type Context = Context<Self>;
}

impl Handler<Start> for Registry {
    type Result = MessageResult<Start>;

    fn handle(&mut self, msg: Start, _ctx: &mut Context<Self>) -> Self::Result {
        let addr = match self.actors.get(&msg.key) {
            Some(addr) if addr.connected() => Some(addr.clone()),
            _ => {
                let resume = if msg.resume {
                    Resume::FromStore
                } else {
                    Resume::No
                };
                self.spawn(msg.key, resume)
            }
        };
        MessageResult(addr)
    }
}

impl Handler<Forget> for Registry {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, msg: Forget, _ctx: &mut Context<Self>) -> Self::Result {
        let store = self.deps.store.clone();
        let key = msg.key.clone();
        let stored = async move { store.tenant_psas(&key.tenant).await };
        Box::pin(stored.into_actor(self).map(move |found, act, _ctx| {
            // A PUT may have created a new connection since the removal, and been handed this
            // same actor: then it stays. (If the store cannot tell, it stays too: a spare actor
            // does no harm, a missing one would.)
            if !matches!(found, Ok(psas) if !psas.contains(&msg.key.psa)) {
                return;
            }
            // A newer actor may already serve the connection; only the one that asked goes.
            if act.actors.get(&msg.key) == Some(&msg.actor) {
                act.actors.remove(&msg.key);
            }
            msg.actor.do_send(Shutdown);
        }))
    }
}

impl Handler<Hint> for Registry {
    type Result = ();

    fn handle(&mut self, msg: Hint, _ctx: &mut Context<Self>) {
        if let Some(addr) = self.actors.get(&msg.key) {
            // A full mailbox already holds work for this connection; a flood of hints is
            // dropped.
            if addr.try_send(Check).is_err() {
                tracing::debug!(connection = %msg.key, "deactivation hint dropped: the actor is busy");
                self.deps
                    .metrics
                    .check(msg.key.psa, CheckTrigger::Hint, CheckOutcome::Dropped);
            }
        }
    }
}

impl Handler<LookupDue> for Registry {
    type Result = ();

    fn handle(&mut self, msg: LookupDue, _ctx: &mut Context<Self>) {
        if let Some(addr) = self.actors.get(&msg.key) {
            // Dropped only when the mailbox is full; the lookup is stored, and the next
            // periodic check (or restart) picks it up.
            let _ = addr.try_send(Lookup);
        }
    }
}

impl Handler<Readiness> for Registry {
    type Result = MessageResult<Readiness>;

    fn handle(&mut self, _msg: Readiness, _ctx: &mut Context<Self>) -> Self::Result {
        MessageResult(super::messages::ReadyState {
            actors: self.actors.len(),
            unreadable: self.unreadable.len(),
        })
    }
}

impl Handler<UnreadableGone> for Registry {
    type Result = ();

    fn handle(&mut self, msg: UnreadableGone, _ctx: &mut Context<Self>) {
        self.unreadable.remove(&msg.key.to_string());
    }
}

impl Handler<StopAll> for Registry {
    type Result = ();

    fn handle(&mut self, _msg: StopAll, ctx: &mut Context<Self>) {
        for (_, addr) in self.actors.drain() {
            addr.do_send(Shutdown);
        }
        ctx.stop();
    }
}
