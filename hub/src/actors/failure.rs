//! How a failed PSA call is kept and shown: its classified code, message and fix, with every
//! secret of the connection scrubbed out (PSA error texts may quote what was sent).

use chrono::{DateTime, Utc};
use psa_proto::redact::redact;
use psa_proto::{Credentials, PsaError, WebhookCheck};
use serde_json::Value;

use super::schedule::{FAILING_LONG, SLOW_RETRY};
use crate::store::{ConnectionRecord, LastError};

/// Every string in a credentials document: whatever its shape, none of it may be shown.
fn secrets_of(credentials: &Credentials) -> Vec<&str> {
    fn walk<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::String(text) => out.push(text),
            Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
            Value::Object(map) => map.values().for_each(|item| walk(item, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(credentials.expose(), &mut out);
    out
}

/// The error as stored and served, without the connection's credentials or webhook secret. The
/// public part (e.g. a username) may stay: it is shown anyway.
pub fn last_error(error: &PsaError, record: &ConnectionRecord) -> LastError {
    let public: Vec<&str> = record.public.values().filter_map(Value::as_str).collect();
    let mut secrets: Vec<&str> = secrets_of(&record.credentials)
        .into_iter()
        .filter(|s| !public.contains(s))
        .collect();
    secrets.push(record.webhook_secret.expose());
    LastError {
        code: error.class.code().into(),
        message: redact(&error.message, &secrets),
        fix: redact(&error.fix, &secrets),
    }
}

/// An error message fit for a log line, without `credentials`' secrets.
pub fn scrubbed(error: &PsaError, record: &ConnectionRecord) -> String {
    last_error(error, record).message
}

/// A setup failure; after a day of them, the message says so and how retries go on.
pub fn setup_failure(
    error: &PsaError,
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
pub fn drifted(found: &WebhookCheck, psa: &str) -> LastError {
    LastError {
        code: "webhook_deactivated".into(),
        message: format!(
            "{psa} reports the webhook is not usable: {}.",
            found.problems().join("; ")
        ),
        fix: format!(
            "psa-hub repairs it on its own. If this repeats, make sure {psa} can reach the \
             public URL and that it answers within {psa}'s timeout."
        ),
    }
}
