//! Typed values from the merged configuration: strings, booleans, socket addresses, http(s)
//! URLs, whole numbers in a range and admin tokens, each with a message that says what to fix.

use std::fmt;
use std::net::SocketAddr;

use config::{Value, ValueKind};
use url::Url;

use super::{AdminToken, ENV_PREFIX};

const MAKE_TOKEN: &str = "make one with `openssl rand -hex 32`";

pub(super) fn kind_name(value: &Value) -> &'static str {
    match value.kind {
        ValueKind::Nil => "nothing",
        ValueKind::Boolean(_) => "a boolean",
        ValueKind::I64(_) | ValueKind::I128(_) | ValueKind::U64(_) | ValueKind::U128(_) => {
            "a number"
        }
        ValueKind::Float(_) => "a decimal number",
        ValueKind::String(_) => "a string",
        ValueKind::Table(_) => "a table",
        ValueKind::Array(_) => "a list",
    }
}

pub(super) fn string(value: Option<&Value>) -> Result<&str, String> {
    match value {
        None => Err("is required".to_owned()),
        Some(Value {
            kind: ValueKind::String(s),
            ..
        }) => Ok(s),
        Some(other) => Err(format!("must be a string, not {}", kind_name(other))),
    }
}

/// `true`/`false`, also as the strings the environment gives.
pub(super) fn boolean(value: Option<&Value>) -> Result<bool, String> {
    match value.map(|v| &v.kind) {
        Some(ValueKind::Boolean(b)) => Ok(*b),
        Some(ValueKind::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("{s:?} must be true or false")),
        },
        _ => Err(format!(
            "must be true or false, not {}",
            value.map_or("nothing", kind_name)
        )),
    }
}

pub(super) fn socket_addr(value: Option<&Value>, example: &str) -> Result<SocketAddr, String> {
    let text = string(value)?;
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a socket address like {example}"))
}

pub(super) fn http_url(value: Option<&Value>) -> Result<Url, String> {
    let text = string(value)?;
    let mut url =
        Url::parse(text.trim()).map_err(|err| format!("{text:?} is not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?} must be an http:// or https:// URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{text:?} must not have a query (?...) or fragment (#...)"
        ));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

/// Accepts numbers written as strings too, because every value from the environment is one.
pub(super) fn number<T>(value: Option<&Value>, min: T, max: T, unit: &str) -> Result<T, String>
where
    T: TryFrom<i128> + PartialOrd + Copy + fmt::Display,
{
    let n: i128 = match value.map(|v| &v.kind) {
        Some(ValueKind::I64(n)) => i128::from(*n),
        Some(ValueKind::U64(n)) => i128::from(*n),
        Some(ValueKind::I128(n)) => *n,
        Some(ValueKind::U128(n)) => i128::try_from(*n).unwrap_or(i128::MAX),
        Some(ValueKind::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a whole number"))?,
        Some(_) | None => {
            let found = value.map_or("nothing", kind_name);
            return Err(format!(
                "must be a whole number between {min} and {max}, not {found}"
            ));
        }
    };
    T::try_from(n)
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be between {min} and {max}{unit}, not {n}"))
}

/// A list in TOML, or comma-separated in `PSA_HUB__ADMIN__TOKENS`. Problems name tokens by
/// position, never by value.
pub(super) fn admin_tokens(value: Option<&Value>) -> Result<Vec<AdminToken>, String> {
    let raw: Vec<Result<String, String>> = match value.map(|v| &v.kind) {
        None => Vec::new(),
        Some(ValueKind::String(list)) => list
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Ok(t.to_owned()))
            .collect(),
        Some(ValueKind::Array(items)) => items
            .iter()
            .map(|item| match &item.kind {
                ValueKind::String(t) => Ok(t.clone()),
                _ => Err(format!("must be a string, not {}", kind_name(item))),
            })
            .collect(),
        Some(_) => {
            return Err(format!(
                "must be a list of tokens, not {}",
                value.map_or("nothing", kind_name)
            ))
        }
    };
    if raw.is_empty() {
        return Err(format!(
            "at least one token is required: set tokens = [\"...\"] under [admin] \
             or {ENV_PREFIX}__ADMIN__TOKENS=token1,token2; {MAKE_TOKEN}"
        ));
    }
    let mut problems = Vec::new();
    let mut tokens = Vec::new();
    for (i, token) in raw.into_iter().enumerate() {
        let n = i + 1;
        match token {
            Err(problem) => problems.push(format!("token #{n} {problem}")),
            Ok(t) if t == "change-me" => problems.push(format!(
                "token #{n} is \"change-me\", the example placeholder; replace it"
            )),
            Ok(t) if t.chars().any(char::is_whitespace) => {
                problems.push(format!("token #{n} contains whitespace"))
            }
            Ok(t) if t.chars().count() < 16 => problems.push(format!(
                "token #{n} has {} characters, at least 16 are needed",
                t.chars().count()
            )),
            Ok(t) => tokens.push(AdminToken(t)),
        }
    }
    if problems.is_empty() {
        Ok(tokens)
    } else {
        Err(format!("{}; {MAKE_TOKEN}", problems.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::{message, problems, required, toml_file, TOKEN_A, TOKEN_B};
    use crate::config::{AdminToken, Settings};

    #[test]
    fn required_keys_and_placeholders_are_explained() {
        let errors = problems(None, &[]);
        assert_eq!(errors.errors.len(), 2, "{errors}");
        assert!(message(&errors, "admin.tokens").contains("openssl rand -hex 32"));
        assert!(message(&errors, "secrets.master_key").starts_with("is required"));

        let mut vars = required();
        vars[0].1 = "change-me".into();
        let errors = problems(None, &vars);
        assert!(message(&errors, "admin.tokens").contains("the example placeholder"));
    }

    #[test]
    fn values_out_of_range_or_of_the_wrong_type_are_rejected() {
        let file = toml_file(
            "[admin]\nsetup_wait_seconds = 121\nlisten = 9090\n\
             [autotask]\nwebhook_name = \"  \"\nrequest_timeout_seconds = 2.5\n",
        );
        let errors = problems(Some(file.path()), &required());
        assert_eq!(errors.errors.len(), 4, "{errors}");
        assert!(message(&errors, "admin.setup_wait_seconds").contains("not 121"));
        assert!(message(&errors, "admin.listen").contains("not a number"));
        assert!(message(&errors, "autotask.webhook_name").contains("blank"));
        assert!(message(&errors, "autotask.request_timeout_seconds").contains("whole number"));
    }

    #[test]
    fn env_tokens_are_a_comma_separated_list() {
        let mut vars = required();
        vars[0].1 = format!("{TOKEN_A}, {TOKEN_B},");
        let settings = Settings::load_from(None, &vars).expect("valid");
        let tokens: Vec<&str> = settings
            .admin
            .tokens
            .iter()
            .map(AdminToken::expose)
            .collect();
        assert_eq!(tokens, [TOKEN_A, TOKEN_B]);

        // Digits only: would be read as a number, losing the leading zero, if env values were
        // parsed by type.
        vars[0].1 = "0123456789012345".into();
        let settings = Settings::load_from(None, &vars).expect("valid");
        assert_eq!(settings.admin.tokens[0].expose(), "0123456789012345");
    }
}
