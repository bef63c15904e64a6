//! The connection actor's messages: setup, the deactivation-hint check, the periodic check,
//! ticket lookups, removal and shutdown. Each holds the mailbox until its work is done.

use std::time::Instant;

use actix::prelude::*;

use super::check::{self, CheckEnd};
use super::cleanup;
use super::connection::ConnectionActor;
use super::lookups;
use super::messages::{ActorError, Check, Lookup, Removal, Remove, Setup, Shutdown, Sweep};
use super::setup::{self, SetupResult};
use crate::metrics::{CheckOutcome, CheckTrigger};

impl ConnectionActor {
    /// Checks the webhook and, when it needs it, sets it up again in the same turn; a periodic
    /// check also retries pending clean-ups.
    fn check_work(
        &self,
        trigger: CheckTrigger,
    ) -> impl std::future::Future<Output = Result<Option<SetupResult>, ActorError>> + 'static {
        let deps = self.deps.clone();
        let key = self.key.clone();
        self.guarded(async move {
            let retry_check = match check::check(&deps, &key, trigger).await? {
                CheckEnd::Setup(drifts) => {
                    return setup::setup(&deps, &key, drifts).await.map(Some)
                }
                CheckEnd::RetrySoon(delay) => Some(delay),
                CheckEnd::Done => None,
            };
            let (cleanup_retry, lookup_retry) = if trigger == CheckTrigger::Periodic {
                (
                    cleanup::run(&deps, &key).await?.retry_in,
                    lookups::run(&deps, &key).await?,
                )
            } else {
                (None, None)
            };
            let soonest = [retry_check, cleanup_retry, lookup_retry]
                .into_iter()
                .flatten()
                .min();
            Ok(Some(SetupResult::skipped(soonest)))
        })
    }

    fn after_check(
        &mut self,
        result: Result<Option<SetupResult>, ActorError>,
        ctx: &mut Context<Self>,
    ) {
        match result {
            Ok(Some(result)) => self.after_setup(result, ctx),
            Ok(None) => self.crash_streak = 0,
            Err(ActorError::Stopping) => {}
            Err(error) => self.fatal(&error, ctx),
        }
    }
}

impl Handler<Setup> for ConnectionActor {
    type Result = AtomicResponse<Self, Result<(), ActorError>>;

    fn handle(&mut self, msg: Setup, ctx: &mut Context<Self>) -> Self::Result {
        if self
            .last_setup_started
            .is_some_and(|started| started >= msg.requested_at)
        {
            // A setup that began after this request read the same or newer credentials.
            return AtomicResponse::new(Box::pin(actix::fut::ready(Ok(()))));
        }
        self.last_setup_started = Some(Instant::now());
        self.cancel_retry(ctx);
        let deps = self.deps.clone();
        let key = self.key.clone();
        let work = self.guarded(async move { setup::setup(&deps, &key, None).await });
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|result, act, ctx| {
            match result {
                Ok(result) => act.after_setup(result, ctx),
                Err(ActorError::Stopping) => return Err(ActorError::Stopping),
                Err(error) => {
                    act.fatal(&error, ctx);
                    return Err(error);
                }
            }
            Ok(())
        })))
    }
}

impl Handler<Check> for ConnectionActor {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, _msg: Check, _ctx: &mut Context<Self>) -> Self::Result {
        let now = Instant::now();
        if self
            .last_check
            .is_some_and(|last| now.duration_since(last) < self.psa.check_interval)
        {
            tracing::debug!(connection = %self.key, "deactivation hint ignored: checked recently");
            self.deps
                .metrics
                .check(self.key.psa, CheckTrigger::Hint, CheckOutcome::Skipped);
            return AtomicResponse::new(Box::pin(actix::fut::ready(())));
        }
        self.last_check = Some(now);
        let work = self.check_work(CheckTrigger::Hint);
        AtomicResponse::new(Box::pin(
            work.into_actor(self)
                .map(|result, act, ctx| act.after_check(result, ctx)),
        ))
    }
}

impl Handler<Sweep> for ConnectionActor {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, _msg: Sweep, ctx: &mut Context<Self>) -> Self::Result {
        // Scheduled first, so a failure in this check never ends the periodic checks.
        self.sweep_done(ctx);
        let work = self.check_work(CheckTrigger::Periodic);
        AtomicResponse::new(Box::pin(
            work.into_actor(self)
                .map(|result, act, ctx| act.after_check(result, ctx)),
        ))
    }
}

impl Handler<Lookup> for ConnectionActor {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, _msg: Lookup, _ctx: &mut Context<Self>) -> Self::Result {
        let deps = self.deps.clone();
        let key = self.key.clone();
        let work = self.guarded(async move { lookups::run(&deps, &key).await });
        AtomicResponse::new(Box::pin(work.into_actor(self).map(
            |result, act, ctx| match result {
                Ok(retry) => act.after_setup(SetupResult::skipped(retry), ctx),
                Err(ActorError::Stopping) => {}
                Err(error) => act.fatal(&error, ctx),
            },
        )))
    }
}

impl Handler<Remove> for ConnectionActor {
    type Result = AtomicResponse<Self, Result<Option<Removal>, ActorError>>;

    fn handle(&mut self, _msg: Remove, ctx: &mut Context<Self>) -> Self::Result {
        self.cancel_retry(ctx);
        let deps = self.deps.clone();
        let key = self.key.clone();
        let work = self.guarded(async move { super::removal::remove(&deps, &key).await });
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|result, act, ctx| {
            match &result {
                Ok(None) => act.retire(ctx),
                Ok(Some(removal)) if !removal.retained => act.retire(ctx),
                Ok(_) => act.crash_streak = 0,
                Err(ActorError::Stopping | ActorError::Changed) => {}
                Err(error) => act.fatal(error, ctx),
            }
            result
        })))
    }
}

impl Handler<Shutdown> for ConnectionActor {
    type Result = ();

    fn handle(&mut self, _msg: Shutdown, ctx: &mut Context<Self>) {
        self.stopping_for_good = true;
        self.cancel_retry(ctx);
        ctx.stop();
    }
}
