//! Small JSON helpers shared by the store and the HTTP layer.

use serde_json::{Map, Value};

/// REST timestamps: UTC, second precision, `Z` suffix (`2026-06-03T23:32:20Z`).
pub fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Case-insensitive key lookup: ConnectWise binds JSON members case-insensitively.
pub fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A value by slash path (`status/name`), case-insensitively at every step.
pub fn get_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .try_fold(value, |v, seg| v.as_object().and_then(|m| get_ci(m, seg)))
}

/// One entry of an error body's `errors` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub code: String,
    pub message: String,
    pub field: String,
}

impl FieldError {
    pub fn new(code: &str, message: impl Into<String>, field: &str) -> FieldError {
        FieldError {
            code: code.to_string(),
            message: message.into(),
            field: field.to_string(),
        }
    }

    pub fn required(field: &str) -> FieldError {
        FieldError::new(
            "MissingRequiredField",
            format!("The {field} field is required."),
            field,
        )
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> FieldError {
        FieldError::new("InvalidField", message, field)
    }

    /// .NET's StringLength wording.
    pub fn too_long(field: &str, max: usize) -> FieldError {
        FieldError::invalid(
            field,
            format!("The field {field} must be a string with a maximum length of {max}."),
        )
    }
}

/// Converts camelCase keys to PascalCase all the way down (`_info` keeps its underscore).
pub fn pascal_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (pascal(&k), pascal_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pascal_keys).collect()),
        other => other,
    }
}

fn pascal(key: &str) -> String {
    let mut chars = key.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
