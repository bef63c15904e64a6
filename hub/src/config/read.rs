//! Reading the merged configuration table: one typed, validated value per known key, and a
//! report for every key that is not known.

use std::time::Duration;

use config::{Value, ValueKind};

use super::values::{admin_tokens, http_url, number, socket_addr, string};
use super::{
    psas, AdminSettings, ConfigErrors, ConfigIssue, DatabaseBackend, DatabaseSettings,
    PublicSettings, RateLimit, SecretSettings, Settings, ENV_PREFIX, ENV_SEPARATOR,
};
use crate::crypto::MasterKey;

/// The origin the `config` crate gives values from an `Environment` source.
const ENV_ORIGIN: &str = "the environment";

/// Every setting there is, by section: unknown-key reports and their suggestions come from here.
const KNOWN: &[(&str, &[&str])] = &[
    (
        "public",
        &[
            "listen",
            "url",
            "max_body_bytes",
            "rate_limit_per_second",
            "rate_limit_burst",
        ],
    ),
    ("admin", &["listen", "tokens", "setup_wait_seconds"]),
    (
        "database",
        &["url", "max_connections", "delivery_retention_days"],
    ),
    ("secrets", &["master_key"]),
    (
        "autotask",
        &[
            "zone_lookup_url",
            "webhook_name",
            "request_timeout_seconds",
            "check_interval_seconds",
            "drift_check_seconds",
        ],
    ),
    (
        "connectwise",
        &[
            "client_id",
            "callback_description",
            "allow_http_sites",
            "api_version",
            "request_timeout_seconds",
            "check_interval_seconds",
            "drift_check_seconds",
        ],
    ),
];

/// Builds the settings from the merged table, adding to `issues` every problem found.
pub(super) fn settings(
    root: &config::Map<String, Value>,
    issues: Vec<ConfigIssue>,
) -> Result<Settings, ConfigErrors> {
    let mut reader = Reader {
        root,
        issues,
        broken: Vec::new(),
    };
    reader.check_unknown();
    let public = read_public(&mut reader);
    let admin = read_admin(&mut reader);
    let database = read_database(&mut reader);
    let secrets = read_secrets(&mut reader);
    let autotask = psas::read_autotask(&mut reader);
    let connectwise = psas::read_connectwise(&mut reader);
    match (public, admin, database, secrets, autotask, connectwise) {
        (
            Some(public),
            Some(admin),
            Some(database),
            Some(secrets),
            Some(autotask),
            Some(connectwise),
        ) if reader.issues.is_empty() => Ok(Settings {
            public,
            admin,
            database,
            secrets,
            autotask,
            connectwise,
        }),
        _ => Err(ConfigErrors {
            errors: reader.issues,
        }),
    }
}

fn read_public(r: &mut Reader) -> Option<PublicSettings> {
    let listen = r.read("public.listen", |v| socket_addr(v, "0.0.0.0:8080"));
    let url = r.read("public.url", |v| match v.map(|v| &v.kind) {
        None => Ok(None),
        Some(ValueKind::String(s)) if s.trim().is_empty() => Ok(None),
        _ => http_url(v).map(Some),
    });
    let max_body_bytes = r.read("public.max_body_bytes", |v| {
        number(v, 1024, 10_485_760, " bytes")
    });
    let per_second = r.read("public.rate_limit_per_second", |v| {
        number(v, 1, 1_000_000, " callouts per second")
    });
    let burst = r.read("public.rate_limit_burst", |v| {
        number(v, 1, 10_000_000, " callouts")
    });
    Some(PublicSettings {
        listen: listen?,
        url: url?,
        max_body_bytes: max_body_bytes?,
        rate_limit: RateLimit {
            per_second: per_second?,
            burst: burst?,
        },
    })
}

fn read_admin(r: &mut Reader) -> Option<AdminSettings> {
    let listen = r.read("admin.listen", |v| socket_addr(v, "127.0.0.1:9090"));
    let tokens = r.read("admin.tokens", admin_tokens);
    let wait = r.read("admin.setup_wait_seconds", |v| {
        number(v, 0, 120, " seconds")
    });
    Some(AdminSettings {
        listen: listen?,
        tokens: tokens?,
        setup_wait: Duration::from_secs(wait?),
    })
}

fn read_database(r: &mut Reader) -> Option<DatabaseSettings> {
    let url = r.read("database.url", |v| {
        let url = string(v)?;
        if DatabaseBackend::of_url(url).is_some() {
            Ok(url.to_owned())
        } else {
            // Not echoed: a database URL can carry a password.
            Err(
                "must be a sqlite: URL such as sqlite://psa-hub.db, or a PostgreSQL URL such as \
                 postgres://user@host/psa_hub"
                    .to_owned(),
            )
        }
    });
    let max_connections = r.read("database.max_connections", |v| number(v, 1, 256, ""));
    // Autotask keeps undelivered callouts in its error log for 30 days; a replay from there
    // must still be recognised as a duplicate.
    let retention = r.read("database.delivery_retention_days", |v| {
        number::<u64>(
            v,
            31,
            3650,
            " days (longer than Autotask's 30-day webhook error log)",
        )
    });
    Some(DatabaseSettings {
        url: url?,
        max_connections: max_connections?,
        delivery_retention: Duration::from_secs(retention? * 86_400),
    })
}

fn read_secrets(r: &mut Reader) -> Option<SecretSettings> {
    let master_key = r.read("secrets.master_key", |v| match v {
        None => Err(
            "is required: the base64 of 32 random bytes, e.g. from `openssl rand -base64 32`; \
                     keep a copy, because losing it makes the stored credentials unreadable"
                .to_owned(),
        ),
        Some(_) => MasterKey::from_base64(string(v)?).map_err(|err| err.to_string()),
    });
    Some(SecretSettings {
        master_key: master_key?,
    })
}

/// Looks settings up in the merged table and collects one issue per bad key instead of
/// stopping at the first.
pub(super) struct Reader<'a> {
    root: &'a config::Map<String, Value>,
    issues: Vec<ConfigIssue>,
    /// Sections that are a single value instead of a table: already reported, so their keys
    /// are not reported again as missing.
    broken: Vec<String>,
}

impl Reader<'_> {
    pub(super) fn read<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(Option<&Value>) -> Result<T, String>,
    ) -> Option<T> {
        let (section, name) = key.split_once('.').unwrap_or((key, ""));
        if self.broken.iter().any(|b| b == section) {
            return None;
        }
        let value = match self.root.get(section).map(|s| &s.kind) {
            Some(ValueKind::Table(table)) => table
                .get(name)
                .filter(|v| !matches!(v.kind, ValueKind::Nil)),
            _ => None,
        };
        parse(value)
            .map_err(|message| {
                let message = message + &env_hint(key, value);
                self.issues.push(issue(key, message));
            })
            .ok()
    }

    fn check_unknown(&mut self) {
        let mut found = Vec::new();
        let sections: Vec<&str> = KNOWN.iter().map(|(section, _)| *section).collect();
        for (section, value) in self.root {
            let Some((_, keys)) = KNOWN.iter().find(|(known, _)| known == section) else {
                let message = format!(
                    "unknown section \"{section}\"{}; the sections are {}",
                    suggestion(section, &sections, ""),
                    sections.join(", ")
                );
                leaves(section, value, &mut |key, v| {
                    found.push(issue(key, message.clone() + &env_hint(key, Some(v))))
                });
                continue;
            };
            let ValueKind::Table(table) = &value.kind else {
                self.broken.push(section.clone());
                let message = format!(
                    "must be a section with the keys {}, not a single value",
                    keys.join(", ")
                );
                found.push(issue(section, message + &env_hint(section, Some(value))));
                continue;
            };
            for (name, value) in table
                .iter()
                .filter(|(name, _)| !keys.contains(&name.as_str()))
            {
                let message = format!(
                    "unknown key{}; [{section}] accepts {}",
                    suggestion(name, keys, &format!("{section}.")),
                    keys.join(", ")
                );
                let path = format!("{section}.{name}");
                leaves(&path, value, &mut |key, v| {
                    found.push(issue(key, message.clone() + &env_hint(key, Some(v))))
                });
            }
        }
        found.sort_by(|a, b| a.key.cmp(&b.key));
        self.issues.extend(found);
    }
}

/// Calls `report` for each value under `value` that is not a non-empty table, so a whole
/// misspelled section is reported as the settings the operator actually wrote.
fn leaves(path: &str, value: &Value, report: &mut dyn FnMut(&str, &Value)) {
    match &value.kind {
        ValueKind::Table(table) if !table.is_empty() => {
            for (name, child) in table {
                leaves(&format!("{path}.{name}"), child, report);
            }
        }
        _ => report(path, value),
    }
}

/// Points at the variable to fix, since env keys reach us lowercased and dotted.
fn env_hint(key: &str, value: Option<&Value>) -> String {
    match value.and_then(Value::origin) {
        Some(ENV_ORIGIN) => format!(
            " (set by {ENV_PREFIX}{ENV_SEPARATOR}{})",
            key.to_ascii_uppercase().replace('.', ENV_SEPARATOR)
        ),
        _ => String::new(),
    }
}

fn suggestion(word: &str, candidates: &[&str], prefix: &str) -> String {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| format!(" (did you mean \"{prefix}{c}\"?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.to_lowercase().chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(previous + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

pub(super) fn issue(key: &str, message: String) -> ConfigIssue {
    ConfigIssue {
        key: key.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::{message, problems, required};

    #[test]
    fn a_database_url_is_sqlite_or_postgres_and_never_echoed() {
        let mut vars = required();
        vars.push((
            "PSA_HUB__DATABASE__URL".into(),
            "mysql://u:pw@db/hub".into(),
        ));
        let errors = problems(None, &vars);
        let text = message(&errors, "database.url");
        assert!(
            text.contains("sqlite:") && text.contains("postgres://"),
            "{text}"
        );
        assert!(!text.contains("pw@db"));
        for good in [
            "postgres://u:pw@db/hub",
            "postgresql://db/hub",
            "sqlite://x.db",
        ] {
            vars.last_mut().expect("pushed").1 = good.into();
            let loaded = crate::config::Settings::load_from(None, &vars);
            assert!(loaded.is_ok(), "{good}");
        }
    }

    #[test]
    fn a_section_given_as_a_single_value_is_reported_once() {
        let mut vars = required();
        vars.push(("PSA_HUB__PUBLIC".into(), "x".into()));
        let errors = problems(None, &vars);
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert!(message(&errors, "public").contains("(set by PSA_HUB__PUBLIC)"));
    }
}
