//! ConnectWise's date-times: ISO 8601 in UTC (`2024-05-01T12:34:56Z`), with or without a zone
//! suffix or fractional seconds.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

/// The date-time `value` holds, if it is one.
pub fn time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let text = value?.as_str()?.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn zoned_and_unzoned_times_are_utc() {
        let expected = "2024-05-01T12:34:56Z".parse::<DateTime<Utc>>().ok();
        for text in [
            "2024-05-01T12:34:56Z",
            "2024-05-01T14:34:56+02:00",
            "2024-05-01T12:34:56",
        ] {
            assert_eq!(time(Some(&json!(text))), expected, "{text}");
        }
        assert_eq!(time(Some(&json!(null))), None);
        assert_eq!(time(Some(&json!("yesterday"))), None);
        assert_eq!(time(None), None);
    }
}
