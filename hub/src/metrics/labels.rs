//! The label values of psa-hub's metrics: each a closed enum, so no label can carry a raw
//! string (or a tenant) and the series are known in advance.

use psa_proto::ErrorClass;

/// How a callout ended; the `outcome` label of `psa_hub_callouts_received_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutOutcome {
    Closed,
    AlreadyClosed,
    Unlinked,
    CreatedAtMismatch,
    Recorded,
    /// A completion outranked by a later callout about its ticket.
    Superseded,
    Duplicate,
    DeactivationHint,
    UnknownToken,
    BadSignature,
    Malformed,
    TooLarge,
    UnsupportedMediaType,
    /// Refused by the per-hook-token rate limit (429).
    RateLimited,
    /// Recorded; the ticket is read from the PSA before anything closes.
    LookupPending,
    /// The signing key could not be fetched (answered so the PSA delivers again).
    KeyUnavailable,
    Error,
}

impl CalloutOutcome {
    pub const ALL: [CalloutOutcome; 17] = [
        Self::Closed,
        Self::AlreadyClosed,
        Self::Unlinked,
        Self::CreatedAtMismatch,
        Self::Recorded,
        Self::Superseded,
        Self::Duplicate,
        Self::DeactivationHint,
        Self::UnknownToken,
        Self::BadSignature,
        Self::Malformed,
        Self::TooLarge,
        Self::UnsupportedMediaType,
        Self::RateLimited,
        Self::LookupPending,
        Self::KeyUnavailable,
        Self::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::AlreadyClosed => "already_closed",
            Self::Unlinked => "unlinked",
            Self::CreatedAtMismatch => "created_at_mismatch",
            Self::Recorded => "recorded",
            Self::Superseded => "superseded",
            Self::Duplicate => "duplicate",
            Self::DeactivationHint => "deactivation_hint",
            Self::UnknownToken => "unknown_token",
            Self::BadSignature => "bad_signature",
            Self::Malformed => "malformed",
            Self::TooLarge => "too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited => "rate_limited",
            Self::LookupPending => "lookup_pending",
            Self::KeyUnavailable => "key_unavailable",
            Self::Error => "error",
        }
    }
}

impl CalloutOutcome {
    /// The outcome of a callout (or of its ticket's lookup) that was applied.
    pub fn from_effect(effect: crate::store::CalloutEffect) -> Self {
        use crate::store::CalloutEffect as E;
        match effect {
            E::Duplicate => Self::Duplicate,
            E::Closed { .. } => Self::Closed,
            E::AlreadyClosed => Self::AlreadyClosed,
            E::Unlinked => Self::Unlinked,
            E::CreatedAtMismatch => Self::CreatedAtMismatch,
            E::Recorded => Self::Recorded,
            E::Superseded => Self::Superseded,
            E::LookupPending => Self::LookupPending,
        }
    }
}

/// How a registration attempt ended: `success` or the error class's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationOutcome {
    Success,
    Failed(ErrorClass),
}

impl RegistrationOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed(class) => class.code(),
        }
    }
}

/// What started a webhook check: the `trigger` label of `psa_hub_webhook_checks_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckTrigger {
    /// A deactivation call or an unsigned Deactivated notice.
    Hint,
    /// The periodic desired-state check.
    Periodic,
}

impl CheckTrigger {
    pub const ALL: [CheckTrigger; 2] = [Self::Hint, Self::Periodic];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hint => "hint",
            Self::Periodic => "periodic",
        }
    }
}

/// How a webhook check ended: the `outcome` label of `psa_hub_webhook_checks_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The webhook is as it should be.
    Healthy,
    /// It drifted and was repaired in place.
    Repaired,
    /// It drifted and is registered anew.
    Recreate,
    /// The connection needed a setup (lost, failed or deactivated), which runs now.
    Setup,
    /// The PSA could not be asked; nothing changed.
    Error,
    /// Nothing to check in this state (no webhook yet, being removed, ...).
    NotApplicable,
    /// A hint within the PSA section's `check_interval_seconds` of the last checked one.
    Skipped,
    /// A hint dropped because the connection's actor already had work queued.
    Dropped,
}

impl CheckOutcome {
    pub const ALL: [CheckOutcome; 8] = [
        Self::Healthy,
        Self::Repaired,
        Self::Recreate,
        Self::Setup,
        Self::Error,
        Self::NotApplicable,
        Self::Skipped,
        Self::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Repaired => "repaired",
            Self::Recreate => "recreate",
            Self::Setup => "setup",
            Self::Error => "error",
            Self::NotApplicable => "not_applicable",
            Self::Skipped => "skipped",
            Self::Dropped => "dropped",
        }
    }
}

/// How an attempt to delete a replaced webhook ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanupOutcome {
    Removed,
    /// Failed for a passing reason; tried again later.
    Retry,
    /// The old credentials are refused: it is left for an administrator.
    GaveUp,
}

impl CleanupOutcome {
    pub const ALL: [CleanupOutcome; 3] = [Self::Removed, Self::Retry, Self::GaveUp];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Removed => "removed",
            Self::Retry => "retry",
            Self::GaveUp => "gave_up",
        }
    }
}
