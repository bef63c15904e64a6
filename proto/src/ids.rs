//! Typed identifiers, so a ticket id can never be passed where a webhook id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    #[error("{kind} must be at most {max} characters, got {len}")]
    TooLong {
        kind: &'static str,
        max: usize,
        len: usize,
    },
    /// The character itself is not in the message: error answers never repeat submitted values.
    #[error("{kind} may contain only letters, digits, '-', '_' and '.'")]
    BadCharacter { kind: &'static str, found: char },
    /// `.` and `..` are rewritten by proxies and HTTP clients as path segments, so an id spelled
    /// that way could never be reached again in a URL.
    #[error("{kind} must not be \".\" or \"..\"")]
    DotSegment { kind: &'static str },
}

/// Checks the common shape of externally supplied string ids: they end up in URLs and logs.
fn check_token(kind: &'static str, value: &str, max: usize) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    let len = value.chars().count();
    if len > max {
        return Err(IdError::TooLong { kind, max, len });
    }
    if value == "." || value == ".." {
        return Err(IdError::DotSegment { kind });
    }
    if let Some(found) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(IdError::BadCharacter { kind, found });
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $max:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps `value`.
            pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                check_token($kind, &value, $max)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(value: String) -> Result<Self, IdError> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A tenant (an MSP) of the alerting product.
    TenantId, "tenant id", 128
);
string_id!(
    /// A security-alert event of the alerting product.
    EventId, "event id", 128
);
string_id!(
    /// The opaque, unguessable path segment that routes a callout to one connection.
    HookToken, "hook token", 128
);

/// The GUID a PSA gives a webhook, where it has one; every callout of it may carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookGuid(String);

impl WebhookGuid {
    /// PSAs generate these; they are compared case-insensitively.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().to_ascii_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebhookGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! number_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

number_id!(
    /// A ticket in the PSA (its numeric id).
    TicketId
);
number_id!(
    /// A webhook in the PSA (its numeric id).
    WebhookId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_ids_reject_what_would_break_urls_and_logs() {
        assert_eq!(
            TenantId::parse(""),
            Err(IdError::Empty { kind: "tenant id" })
        );
        assert!(matches!(
            TenantId::parse("a/b"),
            Err(IdError::BadCharacter { found: '/', .. })
        ));
        for dots in [".", ".."] {
            assert_eq!(
                TenantId::parse(dots),
                Err(IdError::DotSegment { kind: "tenant id" })
            );
            assert!(EventId::parse(dots).is_err());
        }
        assert!(TenantId::parse("...").is_ok() && TenantId::parse("a.b").is_ok());
        assert!(matches!(
            EventId::parse("x".repeat(129)),
            Err(IdError::TooLong { len: 129, .. })
        ));
        assert_eq!(
            TenantId::parse("acme-42").map(|t| t.to_string()),
            Ok("acme-42".into())
        );
    }

    #[test]
    fn ids_deserialize_through_validation() {
        let ok: TenantId = serde_json::from_str("\"t-1\"").expect("valid id");
        assert_eq!(ok.as_str(), "t-1");
        assert!(serde_json::from_str::<TenantId>("\"bad id\"").is_err());
    }

    #[test]
    fn webhook_guids_compare_case_insensitively() {
        assert_eq!(WebhookGuid::new("AB-CD"), WebhookGuid::new("ab-cd"));
    }
}
