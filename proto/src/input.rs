//! Reading request bodies without ever repeating a submitted value in an error: a value sent in
//! the wrong field or type may be a secret.

/// Why a PUT body was refused by a provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionRejected {
    /// Not of the expected shape: a missing, unknown or mistyped field (`invalid_body`).
    #[error("{0}")]
    Body(String),
    /// Of the right shape, but some values are not acceptable, each named (`invalid_connection`).
    #[error("{}", .0.join("; "))]
    Values(Vec<String>),
}

/// serde's message, except that a wrong value is never echoed: "invalid type: integer `123`,
/// expected a string" keeps only what was expected. Field names (a misspelled one included)
/// are kept: they are what the caller must fix.
pub fn describe_json_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = if error.line() > 0 {
        format!(" at line {} column {}", error.line(), error.column())
    } else {
        String::new()
    };
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let expected = message
            .rsplit_once(", expected ")
            .map(|(_, rest)| rest.split(" at line ").next().unwrap_or(rest).to_owned())
            .unwrap_or_else(|| "another value".to_owned());
        format!(
            "the JSON body is invalid: a value has the wrong type or form{position}; expected \
             {expected}"
        )
    } else {
        format!("the JSON body is invalid: {message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[allow(dead_code)]
        secret: String,
    }

    #[test]
    fn wrong_values_are_not_echoed_but_field_names_are() {
        let error = serde_json::from_str::<Body>(r#"{"secret": 987654321}"#).expect_err("a number");
        let message = describe_json_error(&error);
        assert!(!message.contains("987654321"), "{message}");
        assert!(message.contains("expected a string"), "{message}");
        assert!(message.contains("at line 1"), "{message}");
        let value = serde_json::json!({"secret": 987654321});
        let error = serde_json::from_value::<Body>(value).expect_err("a number");
        let message = describe_json_error(&error);
        assert!(
            !message.contains("987654321") && !message.contains("line 0"),
            "{message}"
        );
        let error = serde_json::from_str::<Body>(r#"{"secret": "x", "sekret": 1}"#)
            .expect_err("unknown field");
        assert!(describe_json_error(&error).contains("sekret"));
        let error = serde_json::from_str::<Body>("{}").expect_err("missing");
        assert!(describe_json_error(&error).contains("missing field `secret`"));
    }
}
