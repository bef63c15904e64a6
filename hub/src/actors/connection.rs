//! The connection actor: one per tenant connection, supervised. It serializes setup, checks and
//! removal for its tenant (each handler holds the mailbox until its work is done), schedules its
//! own retries and periodic checks, keeps no state the store does not have, and on a fatal error
//! stops so its supervisor restarts it.

use std::time::{Duration, Instant};

use actix::prelude::*;
use chrono::Utc;
use psa_proto::{ErrorClass, WebhookState};

use super::deps::Deps;
use super::messages::{ActorError, Forget, Setup, Sweep};
use super::registry::Registry;
use super::schedule::{first_check, next_check, retry_delay};
use super::setup::{SetupEnd, SetupResult};
use crate::psa::Psa;
use crate::store::ConnectionKey;

/// The first restart waits this long; each further one in a row doubles it, up to the maximum.
const FIRST_RESTART_DELAY: Duration = Duration::from_millis(200);
const MAX_RESTART_DELAY: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct ConnectionActor {
    pub(super) key: ConnectionKey,
    /// The connection's PSA, with its check periods.
    pub(super) psa: Psa,
    pub(super) deps: Deps,
    pub(super) registry: Addr<Registry>,
    /// Restarts in a row without a successful piece of work since; kept across restarts
    /// because the supervisor reuses this value. Sets the restart backoff.
    pub(super) crash_streak: u32,
    retry_timer: Option<SpawnHandle>,
    /// The next periodic check, and when it is due.
    sweep_timer: Option<(SpawnHandle, Instant)>,
    /// Set by `Shutdown`: the connection is gone or the hub stops. The actor then refuses work
    /// and ends once its last address is dropped.
    pub(super) stopping_for_good: bool,
    /// What the first start does about unfinished work (restarts always read the store).
    resume_at_start: Resume,
    /// When a deactivation hint last led to a check; hints are unsigned, so they are spaced.
    pub(super) last_check: Option<Instant>,
    /// When the latest setup began: it answers every setup asked for before then.
    pub(super) last_setup_started: Option<Instant>,
}

/// What an actor's first start does about work a previous run left unfinished.
#[derive(Debug, Clone)]
pub enum Resume {
    /// Nothing: a new connection, whose caller says what to do.
    No,
    /// Read the connection from the store and pick up what it says.
    FromStore,
    /// What the registry read for every connection at once when the hub started (100,000
    /// actors each reading their own row would queue on the pool for seconds).
    Known(Resumable),
}

/// What resuming needs to know of a stored connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resumable {
    pub state: WebhookState,
    /// For a setup that failed for a passing reason: how long its failures have lasted.
    pub retry_after_failing: Option<Duration>,
    /// Clean-ups or ticket lookups are waiting.
    pub work_pending: bool,
}

impl Resumable {
    pub fn of(record: &crate::store::ConnectionRecord, work_pending: bool) -> Self {
        let retryable = record
            .last_error
            .as_ref()
            .is_some_and(|e| ErrorClass::from_code(&e.code).is_some_and(ErrorClass::is_retryable));
        let failing_for = || {
            record
                .failing_since
                .and_then(|since| (Utc::now() - since).to_std().ok())
                .unwrap_or_default()
        };
        Self {
            state: record.state,
            retry_after_failing: retryable.then(failing_for),
            work_pending,
        }
    }
}

impl ConnectionActor {
    pub fn new(
        key: ConnectionKey,
        psa: Psa,
        deps: Deps,
        registry: Addr<Registry>,
        resume_at_start: Resume,
    ) -> Self {
        Self {
            key,
            psa,
            deps,
            registry,
            crash_streak: 0,
            retry_timer: None,
            sweep_timer: None,
            stopping_for_good: false,
            resume_at_start,
            last_check: None,
            last_setup_started: None,
        }
    }

    /// Picks up work a previous run (or a crash) left unfinished, as the store records it.
    fn resume(&mut self, ctx: &mut Context<Self>) {
        let store = self.deps.store.clone();
        let key = self.key.clone();
        let work = async move {
            let record = store.connection(&key).await?;
            let cleanups = store.cleanups(&key).await?.iter().any(|c| !c.gave_up);
            let lookups = !store.pending_lookups(&key, 1).await?.is_empty();
            Ok::<_, crate::store::StoreError>((record, cleanups || lookups))
        };
        ctx.wait(work.into_actor(self).map(|found, act, ctx| match found {
            Ok((Some(record), pending)) => act.resume_record(&Resumable::of(&record, pending), ctx),
            Ok((None, _)) => {}
            Err(error) => act.fatal(&error.into(), ctx),
        }));
    }

    fn resume_record(&mut self, resumable: &Resumable, ctx: &mut Context<Self>) {
        match resumable.state {
            WebhookState::Registering => ctx.notify(Setup::now()),
            // The check repairs it in place where it can.
            WebhookState::Deactivated => ctx.notify(Sweep),
            WebhookState::Removing => {
                tracing::info!(connection = %self.key, "resuming an interrupted removal");
                ctx.notify(super::messages::Remove)
            }
            // A retry timer does not survive a restart; the stored error says whether one was
            // due, and the stored start of the failure run how long to wait.
            WebhookState::Failed if resumable.retry_after_failing.is_some() => {
                let failing_for = resumable.retry_after_failing.unwrap_or_default();
                self.schedule_retry(failing_for, None, ctx)
            }
            _ if resumable.work_pending => ctx.notify(Sweep),
            _ => {}
        }
    }

    /// Work that is asked for now replaces a retry scheduled for later.
    pub(super) fn cancel_retry(&mut self, ctx: &mut Context<Self>) {
        if let Some(timer) = self.retry_timer.take() {
            ctx.cancel_future(timer);
        }
    }

    fn schedule_retry(
        &mut self,
        failing_for: Duration,
        after: Option<Duration>,
        ctx: &mut Context<Self>,
    ) {
        let delay = retry_delay(failing_for, after);
        tracing::info!(connection = %self.key, ?delay, "retrying webhook setup later");
        self.cancel_retry(ctx);
        self.retry_timer = Some(ctx.notify_later(Setup::now(), delay));
    }

    /// The next periodic check runs after `delay`, replacing any scheduled one. A zero
    /// `drift_check` period turns periodic checks off (tests that must not be disturbed).
    pub(super) fn schedule_sweep(&mut self, delay: Duration, ctx: &mut Context<Self>) {
        if let Some((timer, _)) = self.sweep_timer.take() {
            ctx.cancel_future(timer);
        }
        if !self.stopping_for_good && !self.psa.drift_check.is_zero() {
            let due = Instant::now() + delay;
            self.sweep_timer = Some((ctx.notify_later(Sweep, delay), due));
        }
    }

    /// Brings the next check forward to within `delay` (a retry of a clean-up or a repair); a
    /// check due sooner stays, so the periodic check is never pushed back.
    pub(super) fn sweep_within(&mut self, delay: Duration, ctx: &mut Context<Self>) {
        let sooner = match self.sweep_timer {
            Some((_, due)) => Instant::now() + delay < due,
            None => true,
        };
        if sooner {
            self.schedule_sweep(delay, ctx);
        }
    }

    /// After a periodic check: the next one within a period.
    pub(super) fn sweep_done(&mut self, ctx: &mut Context<Self>) {
        self.schedule_sweep(next_check(self.psa.drift_check), ctx);
    }

    pub(super) fn fatal(&mut self, error: &ActorError, ctx: &mut Context<Self>) {
        tracing::error!(connection = %self.key, %error, "connection actor failed; its supervisor restarts it");
        ctx.stop();
    }

    pub(super) fn after_setup(&mut self, result: SetupResult, ctx: &mut Context<Self>) {
        self.crash_streak = 0;
        match result.end {
            SetupEnd::Failed {
                retryable: true,
                after,
                failing_for,
            } => self.schedule_retry(failing_for, after, ctx),
            // Set up (also by a periodic check): a retry scheduled earlier is moot, and would
            // replace a healthy webhook.
            SetupEnd::Active => self.cancel_retry(ctx),
            SetupEnd::Failed { .. } | SetupEnd::Skipped => {}
        }
        if let Some(delay) = result.retry_check {
            // A clean-up or a repair failed for a passing reason: the check that retries it
            // comes sooner.
            self.sweep_within(delay, ctx);
        }
    }

    /// The connection is gone for good (or never was): the registry retires this actor.
    pub(super) fn retire(&self, ctx: &mut Context<Self>) {
        self.registry.do_send(Forget {
            key: self.key.clone(),
            actor: ctx.address(),
        });
    }

    /// Runs `work` unless the hub stops first; a retired actor takes no new work.
    pub(super) fn guarded<T: 'static>(
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
        self.schedule_sweep(first_check(self.psa.drift_check), ctx);
        if self.crash_streak == 0 {
            match std::mem::replace(&mut self.resume_at_start, Resume::No) {
                Resume::No => {}
                Resume::FromStore => self.resume(ctx),
                Resume::Known(resumable) => self.resume_record(&resumable, ctx),
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
        self.sweep_timer = None;
        self.deps.metrics.actor_restarted(self.key.psa);
        tracing::warn!(connection = %self.key, streak = self.crash_streak, "connection actor restarting");
    }
}
