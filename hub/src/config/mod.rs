//! Settings: layered from compiled-in defaults, an optional TOML file and `PSA_HUB__*`
//! environment variables, then validated with every problem reported at once.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use config::{Config, Environment, File, FileFormat, ValueKind};
use url::Url;

use crate::crypto::MasterKey;

mod psas;
mod read;
mod values;

pub use psas::{AutotaskHubSettings, ClientId, ConnectWiseHubSettings};

use read::issue;

/// Names the config file when no explicit file is given. It has a single underscore after the
/// prefix, so the `PSA_HUB__` environment layer never sees it as a setting.
const CONFIG_FILE_VAR: &str = "PSA_HUB_CONFIG";
const ENV_PREFIX: &str = "PSA_HUB";
const ENV_SEPARATOR: &str = "__";

/// The defaults are a TOML layer, so they pass through the same parsing and validation as
/// anything an operator writes.
const DEFAULTS: &str = r#"
[public]
listen = "0.0.0.0:8080"
max_body_bytes = 65536
rate_limit_per_second = 100
rate_limit_burst = 1000
[admin]
listen = "127.0.0.1:9090"
tokens = []
setup_wait_seconds = 10
[database]
url = "sqlite://psa-hub.db"
max_connections = 8
delivery_retention_days = 35
[autotask]
zone_lookup_url = "https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation"
webhook_name = "SaaS Alerts Ticket Monitor"
request_timeout_seconds = 30
check_interval_seconds = 30
drift_check_seconds = 21600
[connectwise]
client_id = ""
callback_description = "SaaS Alerts Ticket Monitor"
allow_http_sites = false
api_version = "2019.1"
request_timeout_seconds = 30
check_interval_seconds = 30
drift_check_seconds = 21600
"#;

#[derive(Debug, Clone)]
pub struct Settings {
    pub public: PublicSettings,
    pub admin: AdminSettings,
    pub database: DatabaseSettings,
    pub secrets: SecretSettings,
    pub autotask: AutotaskHubSettings,
    pub connectwise: ConnectWiseHubSettings,
}

/// The listener the PSAs reach.
#[derive(Debug, Clone)]
pub struct PublicSettings {
    pub listen: SocketAddr,
    /// Base of the webhook URLs registered in the PSAs; `None` means derive it from the bound
    /// address. Always http(s) without query or fragment, and its path has no trailing slash,
    /// except the bare `/` that a URL without a path always has, so join with
    /// `url.as_str().trim_end_matches('/')`.
    pub url: Option<Url>,
    pub max_body_bytes: usize,
    /// Callouts accepted per hook token (`public.rate_limit_*`).
    pub rate_limit: RateLimit,
}

/// A token bucket per hook token: `burst` callouts at once, refilled at `per_second`. A PSA
/// delivers one webhook's callouts one after another, so a legitimate sender stays far below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

/// The internal listener: `/api/v1`, `/metrics`, `/healthz`, `/readyz`.
#[derive(Debug, Clone)]
pub struct AdminSettings {
    pub listen: SocketAddr,
    /// Bearer tokens accepted by `/api/v1`; several, so they can be rotated. Never empty.
    pub tokens: Vec<AdminToken>,
    /// How long a PUT waits for webhook setup before answering (`admin.setup_wait_seconds`).
    pub setup_wait: Duration,
}

/// A bearer token for the admin API; kept out of `Debug` output so it cannot reach the logs.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    pub fn new(token: impl Into<String>) -> Self {
        AdminToken(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken([redacted])")
    }
}

#[derive(Clone)]
pub struct DatabaseSettings {
    /// A `sqlite:` or `postgres://` (`postgresql://`) URL; see [`DatabaseBackend::of_url`].
    pub url: String,
    pub max_connections: u32,
    /// How long the delivery log keeps a callout (`database.delivery_retention_days`): replays
    /// within it are recognised, and a link made within it still finds an earlier completion.
    pub delivery_retention: Duration,
}

impl DatabaseSettings {
    /// Which database the URL names; the URL was checked when the settings were read.
    pub fn backend(&self) -> DatabaseBackend {
        DatabaseBackend::of_url(&self.url).unwrap_or(DatabaseBackend::Sqlite)
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A PostgreSQL URL can carry a password.
        f.debug_struct("DatabaseSettings")
            .field("backend", &self.backend())
            .field("max_connections", &self.max_connections)
            .field("delivery_retention", &self.delivery_retention)
            .finish_non_exhaustive()
    }
}

/// The database engines psa-hub stores in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseBackend {
    /// One file, one writer: the embedded default for a single instance.
    Sqlite,
    /// Shared by several instances.
    Postgres,
}

impl DatabaseBackend {
    /// The engine a URL names by its scheme, if psa-hub supports it.
    pub fn of_url(url: &str) -> Option<Self> {
        let lower = url.get(..13).unwrap_or(url).to_ascii_lowercase();
        if lower.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct SecretSettings {
    pub master_key: MasterKey,
}

/// Every problem found in the configuration, so an operator can fix them in one pass.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        let plural = if n == 1 { "" } else { "s" };
        write!(f, "invalid configuration ({n} problem{plural}):")?;
        for issue in &self.errors {
            write!(f, "\n  - {}: {}", issue.key, issue.message)?;
        }
        Ok(())
    }
}

/// One problem: the setting (or the source, for a file that cannot be read) and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigIssue {
    pub key: String,
    pub message: String,
}

impl Settings {
    /// Loads defaults, then `file` (or the file named by PSA_HUB_CONFIG), then the process
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigErrors> {
        let mut env = Vec::new();
        let mut issues = Vec::new();
        for (name, value) in std::env::vars_os() {
            match (name.into_string(), value.into_string()) {
                (Ok(name), Ok(value)) => env.push((name, value)),
                (Ok(name), Err(_)) if is_setting_var(&name) => issues.push(ConfigIssue {
                    key: name,
                    message: "is not valid UTF-8".to_owned(),
                }),
                _ => {}
            }
        }
        // Read PSA_HUB_CONFIG as an OsString, so a path that is not UTF-8 still works.
        let named = std::env::var_os(CONFIG_FILE_VAR)
            .filter(|path| !path.is_empty())
            .map(PathBuf::from);
        let file = match (file, &named) {
            (Some(path), _) => Some((path, "config file")),
            (None, Some(path)) => Some((path.as_path(), CONFIG_FILE_VAR)),
            (None, None) => None,
        };
        load_layers(file, &env, issues)
    }

    /// Same, with an explicit environment (for tests): pairs like ("PSA_HUB__ADMIN__TOKENS", "...").
    pub fn load_from(
        file: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<Settings, ConfigErrors> {
        let named = env
            .iter()
            .find(|(name, value)| name == CONFIG_FILE_VAR && !value.is_empty())
            .map(|(_, value)| (Path::new(value.as_str()), CONFIG_FILE_VAR));
        let file = file.map(|path| (path, "config file")).or(named);
        load_layers(file, env, Vec::new())
    }
}

fn is_setting_var(name: &str) -> bool {
    name.to_ascii_uppercase()
        .starts_with(&format!("{ENV_PREFIX}{ENV_SEPARATOR}"))
}

/// `file` comes with what named it, so a file problem points at the flag or variable to fix.
fn load_layers(
    file: Option<(&Path, &str)>,
    env: &[(String, String)],
    mut issues: Vec<ConfigIssue>,
) -> Result<Settings, ConfigErrors> {
    let mut builder = Config::builder().add_source(File::from_str(DEFAULTS, FileFormat::Toml));
    // Only a file can fail to parse, so a build error is reported against what named it.
    let mut failing_layer = ("defaults".to_owned(), String::new());
    if let Some((path, named_by)) = file {
        // Read the file ourselves: config's own lookup would silently try other extensions,
        // and we want "not found" to be one plain error.
        match std::fs::read_to_string(path) {
            Ok(text) => builder = builder.add_source(File::from_str(&text, FileFormat::Toml)),
            Err(err) => {
                let message = match err.kind() {
                    std::io::ErrorKind::NotFound => format!("{} does not exist", path.display()),
                    _ => format!("cannot read {}: {err}", path.display()),
                };
                issues.push(issue(named_by, message));
                return Err(ConfigErrors { errors: issues });
            }
        }
        failing_layer = (named_by.to_owned(), format!("{}: ", path.display()));
    }
    // No `try_parsing`: it would turn an all-digit token into a number and drop leading zeros,
    // so every env value stays a string and the readers below parse it.
    let environment = Environment::with_prefix(ENV_PREFIX)
        .prefix_separator(ENV_SEPARATOR)
        .separator(ENV_SEPARATOR)
        .ignore_empty(true)
        .source(Some(env.iter().cloned().collect()));
    let cfg = match builder.add_source(environment).build() {
        Ok(cfg) => cfg,
        Err(err) => {
            let (key, path) = failing_layer;
            let message = format!("{path}{}", without_snippet(&err.to_string()));
            issues.push(issue(&key, message));
            return Err(ConfigErrors { errors: issues });
        }
    };
    let root = match cfg.cache.kind {
        ValueKind::Table(root) => root,
        _ => config::Map::new(),
    };
    read::settings(&root, issues)
}

/// TOML errors quote the offending line, which may hold the master key or a token.
fn without_snippet(message: &str) -> String {
    let is_snippet = |line: &str| {
        let rest = line
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit());
        rest.trim_start().starts_with('|')
    };
    let kept: Vec<&str> = message.lines().filter(|line| !is_snippet(line)).collect();
    kept.join("; ").replace(":; ", ": ")
}

#[cfg(test)]
pub(super) mod tests {
    use std::io::Write as _;

    use super::*;

    pub(super) const TOKEN_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    pub(super) const TOKEN_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    pub(super) fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The two settings without a usable default.
    pub(super) fn required() -> Vec<(String, String)> {
        let key = MasterKey::generate().to_base64();
        env(&[
            ("PSA_HUB__ADMIN__TOKENS", TOKEN_A),
            ("PSA_HUB__SECRETS__MASTER_KEY", &key),
        ])
    }

    pub(super) fn toml_file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(text.as_bytes()).expect("write temp file");
        file
    }

    pub(super) fn problems(file: Option<&Path>, env: &[(String, String)]) -> ConfigErrors {
        Settings::load_from(file, env).expect_err("configuration should be rejected")
    }

    pub(super) fn message<'a>(errors: &'a ConfigErrors, key: &str) -> &'a str {
        let found = errors.errors.iter().find(|issue| issue.key == key);
        &found
            .unwrap_or_else(|| panic!("no issue for {key} in {errors}"))
            .message
    }

    #[test]
    fn defaults_and_the_required_keys_from_env_load() {
        let settings = Settings::load_from(None, &required()).expect("valid");
        assert_eq!(settings.public.listen.to_string(), "0.0.0.0:8080");
        assert_eq!(settings.public.url, None);
        assert_eq!(settings.public.max_body_bytes, 65536);
        assert_eq!(settings.admin.listen.to_string(), "127.0.0.1:9090");
        assert_eq!(settings.admin.tokens.len(), 1);
        assert_eq!(settings.admin.tokens[0].expose(), TOKEN_A);
        assert_eq!(settings.admin.setup_wait, Duration::from_secs(10));
        assert_eq!(settings.database.url, "sqlite://psa-hub.db");
        assert_eq!(settings.database.max_connections, 8);
        let zone = "https://webservices.autotask.net/ATServicesRest/V1.0/zoneInformation";
        assert_eq!(settings.autotask.zone_lookup_url.as_str(), zone);
        assert_eq!(settings.autotask.webhook_name, "SaaS Alerts Ticket Monitor");
        assert_eq!(settings.autotask.request_timeout, Duration::from_secs(30));
        let debug = format!("{settings:?}");
        assert!(!debug.contains(TOKEN_A), "{debug}");
        assert!(
            debug.contains("AdminToken([redacted])") && debug.contains("MasterKey([redacted])")
        );
    }

    #[test]
    fn env_overrides_the_file_which_overrides_the_defaults() {
        let file = toml_file(
            "[public]\nlisten = \"127.0.0.1:1000\"\nurl = \"https://hooks.example.com/base/\"\n\
             [database]\nmax_connections = 4\n[admin]\ntokens = [\"from-the-file-0123456789\"]\n",
        );
        let mut vars = required();
        vars.push(("PSA_HUB__PUBLIC__LISTEN".into(), "127.0.0.1:2000".into()));
        vars.push((
            "PSA_HUB__AUTOTASK__REQUEST_TIMEOUT_SECONDS".into(),
            "45".into(),
        ));
        let settings = Settings::load_from(Some(file.path()), &vars).expect("valid");
        assert_eq!(settings.public.listen.to_string(), "127.0.0.1:2000");
        let url = settings.public.url.expect("url from the file");
        assert_eq!(url.as_str(), "https://hooks.example.com/base");
        assert_eq!(settings.database.max_connections, 4);
        assert_eq!(settings.admin.tokens[0].expose(), TOKEN_A);
        assert_eq!(settings.autotask.request_timeout, Duration::from_secs(45));
    }

    #[test]
    fn the_config_file_can_be_named_by_psa_hub_config() {
        let file = toml_file("[database]\nmax_connections = \"16\"\n");
        let mut vars = required();
        let path = file.path().to_str().expect("utf-8 temp path").to_owned();
        vars.push((CONFIG_FILE_VAR.into(), path));
        let settings = Settings::load_from(None, &vars).expect("valid, and not an unknown key");
        assert_eq!(settings.database.max_connections, 16);
    }

    #[test]
    fn every_problem_is_reported_at_once_without_secrets() {
        let short_token = "short-tok1";
        let bad_key = "c2VjcmV0LWJ1dC10b28tc2hvcnQ=";
        let file = toml_file(&format!(
            "[public]\nlisten = \"abc\"\nurl = \"ftp://hooks.example.com\"\n\
             [admin]\ntoken = \"x\"\ntokens = [\"{}\", \"{TOKEN_B}\"]\n\
             [secrets]\nmaster_key = \"{bad_key}\"\n",
            short_token
        ));
        let mut vars = env(&[("PSA_HUB__ADMN__LISTEN", "127.0.0.1:1")]);
        vars.push(("PSA_HUB__PUBLIC__MAX_BODY_BYTES".into(), "12".into()));
        let errors = problems(Some(file.path()), &vars);
        let text = errors.to_string();
        assert!(
            text.starts_with("invalid configuration (7 problems):\n  - "),
            "{text}"
        );
        assert_eq!(
            message(&errors, "public.listen"),
            "\"abc\" is not a socket address like 0.0.0.0:8080"
        );
        assert!(message(&errors, "public.url").contains("http:// or https://"));
        assert!(message(&errors, "public.max_body_bytes").contains(
            "between 1024 and 10485760 bytes, not 12 (set by PSA_HUB__PUBLIC__MAX_BODY_BYTES)"
        ));
        assert!(message(&errors, "admin.tokens").contains("token #1 has 10 characters"));
        assert!(message(&errors, "admin.token").contains("did you mean \"admin.tokens\"?"));
        assert!(message(&errors, "admn.listen").contains("did you mean \"admin\"?"));
        assert!(message(&errors, "admn.listen").contains("(set by PSA_HUB__ADMN__LISTEN)"));
        assert!(message(&errors, "secrets.master_key").contains("openssl rand -base64 32"));
        for secret in [short_token, bad_key] {
            assert!(!text.contains(secret), "{secret} leaked into: {text}");
        }
    }

    #[test]
    fn a_missing_explicit_file_is_one_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("psa-hub.toml");
        let errors = problems(Some(&missing), &required());
        assert_eq!(errors.errors.len(), 1, "{errors}");
        assert!(message(&errors, "config file").contains("does not exist"));

        let mut vars = required();
        vars.push((CONFIG_FILE_VAR.into(), missing.display().to_string()));
        assert!(message(&problems(None, &vars), CONFIG_FILE_VAR).contains("does not exist"));
    }

    #[test]
    fn toml_syntax_errors_do_not_quote_the_line() {
        let file = toml_file("[secrets]\nmaster_key = \"sekrit-value-here\n");
        let errors = problems(Some(file.path()), &required());
        assert_eq!(errors.errors.len(), 1, "{errors}");
        let text = errors.to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(!text.contains("sekrit"), "{text}");
    }
}
