//! The connection actor: one per tenant connection, supervised. It serializes setup, check and
//! removal for its tenant (each handler holds the mailbox until its work is done), keeps no
//! state the store does not have, and on a fatal error stops so its supervisor restarts it.

use std::time::{Duration, Instant};

use actix::prelude::*;
use psa_proto::{ErrorClass, TenantId, WebhookState};

use super::messages::{ActorError, Check, Forget, Removal, Remove, Setup, Shutdown};
use super::registry::Registry;
use super::work::{self, Deps, SetupEnd};

/// The first restart waits this long; each further one in a row doubles it, up to the maximum.
const FIRST_RESTART_DELAY: Duration = Duration::from_millis(200);
const MAX_RESTART_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct ConnectionActor {
    tenant: TenantId,
    deps: Deps,
    registry: Addr<Registry>,
    /// Restarts in a row without a successful piece of work since; kept across restarts
    /// because the supervisor reuses this value. Sets the restart backoff.
    crash_streak: u32,
    /// Consecutive retryable setup failures, for the retry timer's backoff.
    failures: u32,
    retry_timer: Option<SpawnHandle>,
    /// Set by `Shutdown`: the connection is gone or the hub stops. The actor then refuses work
    /// and ends once its last address is dropped.
    stopping_for_good: bool,
    /// Whether the first start picks up unfinished work (restarts always do).
    resume_at_start: bool,
    /// When a deactivation hint last led to a check; hints are unsigned, so they are spaced.
    last_check: Option<Instant>,
    /// When the latest setup began: it answers every setup asked for before then.
    last_setup_started: Option<Instant>,
}

impl ConnectionActor {
    pub fn new(
        tenant: TenantId,
        deps: Deps,
        registry: Addr<Registry>,
        resume_at_start: bool,
    ) -> Self {
        Self {
            tenant,
            deps,
            registry,
            crash_streak: 0,
            failures: 0,
            retry_timer: None,
            stopping_for_good: false,
            resume_at_start,
            last_check: None,
            last_setup_started: None,
        }
    }

    /// Picks up work a previous run (or a crash) left unfinished, as the store records it.
    fn resume(&mut self, ctx: &mut Context<Self>) {
        let store = self.deps.store.clone();
        let tenant = self.tenant.clone();
        ctx.wait(
            async move { store.connection(&tenant).await }
                .into_actor(self)
                .map(|found, act, ctx| match found {
                    Ok(Some(record)) => match record.state {
                        WebhookState::Registering | WebhookState::Deactivated => {
                            ctx.notify(Setup::now(None))
                        }
                        WebhookState::Removing => {
                            tracing::info!(tenant = %act.tenant, "resuming an interrupted removal");
                            ctx.notify(Remove)
                        }
                        // A retry timer does not survive a restart; the stored error says
                        // whether one was due.
                        WebhookState::Failed
                            if record.last_error.as_ref().is_some_and(|e| {
                                ErrorClass::from_code(&e.code).is_some_and(ErrorClass::is_retryable)
                            }) =>
                        {
                            act.schedule_retry(true, None, ctx)
                        }
                        _ => {}
                    },
                    Ok(None) => {}
                    Err(error) => act.fatal(&error.into(), ctx),
                }),
        );
    }

    /// Work that is asked for now replaces a retry scheduled for later.
    fn cancel_retry(&mut self, ctx: &mut Context<Self>) {
        if let Some(timer) = self.retry_timer.take() {
            ctx.cancel_future(timer);
        }
    }

    fn schedule_retry(
        &mut self,
        retryable: bool,
        after: Option<Duration>,
        ctx: &mut Context<Self>,
    ) {
        if let Some(delay) = work::retry_delay(retryable, after, self.failures) {
            self.failures += 1;
            tracing::info!(tenant = %self.tenant, ?delay, "retrying webhook setup later");
            self.retry_timer = Some(ctx.notify_later(Setup::now(None), delay));
        }
    }

    fn fatal(&mut self, error: &ActorError, ctx: &mut Context<Self>) {
        tracing::error!(tenant = %self.tenant, %error, "connection actor failed; its supervisor restarts it");
        ctx.stop();
    }

    fn after_setup(&mut self, end: SetupEnd, ctx: &mut Context<Self>) {
        self.crash_streak = 0;
        match end {
            SetupEnd::Failed { retryable, after } => self.schedule_retry(retryable, after, ctx),
            SetupEnd::Active | SetupEnd::Skipped => self.failures = 0,
        }
    }

    /// Runs `work` unless the hub stops first; a retired actor takes no new work.
    fn guarded<T: 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, ActorError>> + 'static,
    ) -> impl std::future::Future<Output = Result<T, ActorError>> + 'static {
        let stop = self.deps.stop.clone();
        let retired = self.stopping_for_good;
        async move {
            if retired {
                return Err(ActorError::Stopping);
            }
            stop.unless_stopped(work)
                .await
                .unwrap_or(Err(ActorError::Stopping))
        }
    }
}

impl Actor for ConnectionActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.stopping_for_good {
            // Restarted only because an address was still alive; it ends once they are dropped.
            return;
        }
        if self.crash_streak == 0 {
            if self.resume_at_start {
                self.resume(ctx);
            }
        } else {
            let delay = FIRST_RESTART_DELAY
                .saturating_mul(1 << (self.crash_streak - 1).min(16))
                .min(MAX_RESTART_DELAY);
            ctx.run_later(delay, |act, ctx| act.resume(ctx));
        }
    }
}

impl Supervised for ConnectionActor {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        if self.stopping_for_good {
            return;
        }
        self.crash_streak += 1;
        self.retry_timer = None;
        self.deps.metrics.actor_restarts.inc();
        tracing::warn!(tenant = %self.tenant, streak = self.crash_streak, "connection actor restarting");
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
        let tenant = self.tenant.clone();
        let work = self.guarded(async move { work::setup(&deps, &tenant, msg.replaced).await });
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|result, act, ctx| {
            match result {
                Ok(end) => act.after_setup(end, ctx),
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
            .is_some_and(|last| now.duration_since(last) < self.deps.check_interval)
        {
            tracing::debug!(tenant = %self.tenant, "deactivation hint ignored: checked recently");
            return AtomicResponse::new(Box::pin(actix::fut::ready(())));
        }
        self.last_check = Some(now);
        let deps = self.deps.clone();
        let tenant = self.tenant.clone();
        let work = self.guarded(async move { work::check(&deps, &tenant).await });
        AtomicResponse::new(Box::pin(work.into_actor(self).map(
            |result, act, ctx| match result {
                Ok(repair) => {
                    act.crash_streak = 0;
                    if repair {
                        ctx.notify(Setup::now(None));
                    }
                }
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
        let tenant = self.tenant.clone();
        let work = self.guarded(async move { work::remove(&deps, &tenant).await });
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|result, act, ctx| {
            match &result {
                // Gone for good (or never there): the registry retires this actor.
                Ok(None) => act.registry.do_send(Forget {
                    tenant: act.tenant.clone(),
                    actor: ctx.address(),
                }),
                Ok(Some(removal)) if !removal.retained => act.registry.do_send(Forget {
                    tenant: act.tenant.clone(),
                    actor: ctx.address(),
                }),
                Ok(_) => act.crash_streak = 0,
                Err(ActorError::Stopping) => {}
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
