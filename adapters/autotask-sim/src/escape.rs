//! .NET System.Text.Json-style escaping and the `X-Hook-Signature` HMAC (reference §4.4).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use std::fmt::Write;

/// Compact JSON with System.Text.Json's default escaping; object keys keep the map's order.
pub fn dotnet_escaped_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

/// Writes one escaped JSON string literal, quotes included.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' | '&' | '\'' | '+' | '<' | '>' | '`' => push_units(out, c),
            c if (c as u32) < 0x20 || (c as u32) > 0x7E => push_units(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_units(out: &mut String, c: char) {
    let mut buf = [0u16; 2];
    for unit in c.encode_utf16(&mut buf) {
        // Writing into a String cannot fail.
        let _ = write!(out, "\\u{:04X}", unit);
    }
}

/// `sha1=<base64(HMAC-SHA1(secret, body))>`, the `X-Hook-Signature` header value.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "sha1={}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kat_vector() {
        assert_eq!(
            sign("kat-secret-key", br#"{"id":123,"title":"Server down"}"#),
            "sha1=wql/x7lvZIcIN10rO/5dWem76B0="
        );
    }

    #[test]
    fn escapes_like_dotnet() {
        let v = json!({"a": "x & y <'+`\">\\\n\u{1}é😀"});
        assert_eq!(
            dotnet_escaped_json(&v),
            r#"{"a":"x \u0026 y \u003C\u0027\u002B\u0060\u0022\u003E\\\n\u0001\u00E9\uD83D\uDE00"}"#
        );
    }

    #[test]
    fn reference_example_signature() {
        let body = r#"{"Action":"Update","Guid":"d0046a73-76a0-41c4-a634-4b7fce7e43ec","EntityType":"Ticket","Id":351182,"Fields":{"CompletedDate":"2025-09-15T15:10:00Z","Status":5,"Resolution":"Replaced PSU \u0026 rebooted","CreateDate":"2025-09-14T08:02:11Z","TicketNumber":"T20250914.0007"},"EventTime":"2025-09-15T15:10:03Z","SequenceNumber":2,"PersonID":30691780}"#;
        assert_eq!(
            sign("s3cr3t-Example-Key-123", body.as_bytes()),
            "sha1=FjqGW8sslmSl3j5+o+pVlZFp8sM="
        );
    }
}
