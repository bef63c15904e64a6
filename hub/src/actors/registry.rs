//! The registry: owns the running connection actors (one per tenant, each under its own
//! supervisor) and the routing table the ingest path reads.

use std::collections::{HashMap, HashSet};

use actix::prelude::*;
use psa_proto::{TenantId, WebhookState};

use super::connection::ConnectionActor;
use super::deps::Deps;
use super::messages::{Check, Forget, Hint, Readiness, Shutdown, Start, StopAll, UnreadableGone};
use crate::metrics::{CheckOutcome, CheckTrigger};
use crate::store::StoreError;

#[derive(Debug)]
pub struct Registry {
    deps: Deps,
    actors: HashMap<TenantId, Addr<ConnectionActor>>,
    /// Stored connections that could not be read at start (e.g. sealed with another master
    /// key): they have no actor, so the hub is not ready until they are deleted.
    unreadable: HashSet<TenantId>,
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
                // The others still start; this tenant's status answers 500 until it is fixed.
                Err((tenant, error)) => {
                    tracing::error!(%tenant, %error, "cannot read a stored connection; it is not started");
                    if let Ok(tenant) = TenantId::parse(tenant) {
                        unreadable.insert(tenant);
                    }
                }
            }
        }
        for record in &records {
            if record.state != WebhookState::Orphaned {
                deps.routes.insert(record);
            }
        }
        Ok(Registry::create(move |ctx| {
            let mut registry = Registry {
                deps,
                actors: HashMap::new(),
                unreadable,
                me: ctx.address(),
            };
            for record in records {
                registry.spawn(record.tenant_id, true);
            }
            tracing::info!(
                connections = registry.actors.len(),
                "connection actors started"
            );
            registry
        }))
    }

    fn spawn(&mut self, tenant: TenantId, resume: bool) -> Addr<ConnectionActor> {
        let deps = self.deps.clone();
        let id = tenant.clone();
        let registry = self.me.clone();
        let addr =
            actix::Supervisor::start(move |_| ConnectionActor::new(id, deps, registry, resume));
        self.actors.insert(tenant, addr.clone());
        addr
    }
}

impl Actor for Registry {
    type Context = Context<Self>;
}

impl Handler<Start> for Registry {
    type Result = MessageResult<Start>;

    fn handle(&mut self, msg: Start, _ctx: &mut Context<Self>) -> Self::Result {
        let addr = match self.actors.get(&msg.tenant) {
            Some(addr) if addr.connected() => addr.clone(),
            _ => self.spawn(msg.tenant, msg.resume),
        };
        MessageResult(addr)
    }
}

impl Handler<Forget> for Registry {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, msg: Forget, _ctx: &mut Context<Self>) -> Self::Result {
        let store = self.deps.store.clone();
        let tenant = msg.tenant.clone();
        let stored = async move { store.connection(&tenant).await };
        Box::pin(stored.into_actor(self).map(move |found, act, _ctx| {
            // A PUT may have created a new connection since the removal, and been handed this
            // same actor: then it stays. (If the store cannot tell, it stays too: a spare actor
            // does no harm, a missing one would.)
            if !matches!(found, Ok(None)) {
                return;
            }
            // A newer actor may already serve the tenant; only the one that asked is forgotten.
            if act.actors.get(&msg.tenant) == Some(&msg.actor) {
                act.actors.remove(&msg.tenant);
            }
            msg.actor.do_send(Shutdown);
        }))
    }
}

impl Handler<Hint> for Registry {
    type Result = ();

    fn handle(&mut self, msg: Hint, _ctx: &mut Context<Self>) {
        if let Some(addr) = self.actors.get(&msg.tenant) {
            // A full mailbox already holds work for this tenant; a flood of hints is dropped.
            if addr.try_send(Check).is_err() {
                tracing::debug!(tenant = %msg.tenant, "deactivation hint dropped: the actor is busy");
                self.deps
                    .metrics
                    .check(CheckTrigger::Hint, CheckOutcome::Dropped);
            }
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
        self.unreadable.remove(&msg.tenant);
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
