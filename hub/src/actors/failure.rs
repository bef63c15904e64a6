//! How a failed PSA call is kept and shown: its classified code, message and fix, with every
//! secret of the connection scrubbed out (PSA error texts may quote what was sent).

use chrono::{DateTime, Utc};
use psa_autotask::AutotaskError;
use psa_proto::redact::redact;
use psa_proto::{AdapterError, WebhookCheck};

use super::schedule::{FAILING_LONG, SLOW_RETRY};
use crate::store::{ConnectionRecord, Credentials, LastError};

/// The error as stored and served, with `credentials` and the webhook secret removed.
pub fn last_error(error: &AutotaskError, record: &ConnectionRecord) -> LastError {
    let secrets = [
        record.credentials.secret.as_str(),
        record.credentials.integration_code.as_str(),
        record.webhook_secret.expose(),
    ];
    LastError {
        code: error.class().code().into(),
        message: redact(&error.to_string(), &secrets),
        fix: redact(&error.fix(), &secrets),
    }
}

/// An error message fit for a log line or a stored field, without `credentials`' secrets.
pub fn scrubbed(error: &AutotaskError, credentials: &Credentials) -> String {
    redact(
        &error.to_string(),
        &[&credentials.secret, &credentials.integration_code],
    )
}

/// A setup failure; after a day of them, the message says so and how retries go on.
pub fn setup_failure(
    error: &AutotaskError,
    record: &ConnectionRecord,
    failing_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> LastError {
    let mut stored = last_error(error, record);
    let failing_for = (now - failing_since).to_std().unwrap_or_default();
    if failing_for >= FAILING_LONG {
        stored.message = format!(
            "{} Webhook setup has been failing since {} (more than a day); psa-hub keeps \
             retrying about every {} hours.",
            stored.message,
            failing_since.format("%Y-%m-%d %H:%M UTC"),
            SLOW_RETRY.as_secs() / 3600
        );
    }
    stored
}

/// What a check that found the webhook drifted stores while it repairs it.
pub fn drifted(found: &WebhookCheck) -> LastError {
    LastError {
        code: "webhook_deactivated".into(),
        message: format!(
            "Autotask reports the webhook is not usable: {}.",
            found.problems().join("; ")
        ),
        fix: "psa-hub repairs it on its own. If this repeats, make sure Autotask can reach the \
              public URL and that it answers within Autotask's timeout."
            .into(),
    }
}
