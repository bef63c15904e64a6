//! The .NET-escaped canonical form of a JSON body, which Autotask is known to sign (reference §4.4).
//!
//! Works on the raw text rather than on a parsed value so that key order and number text survive
//! exactly as sent: only whitespace between tokens is dropped and string contents are re-escaped.

/// Re-serializes `raw` compactly with System.Text.Json's default escaping. `None` when the text
/// has a broken string or escape (such a body cannot be verified by this path).
pub fn dotnet_canonical(raw: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 8);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {}
            '"' => {
                let units = read_string(&mut chars)?;
                out.push(b'"');
                for unit in units {
                    escape_unit(unit, &mut out);
                }
                out.push(b'"');
            }
            other => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Some(out)
}

/// Reads a JSON string body after its opening quote, decoding escapes into UTF-16 units.
fn read_string(chars: &mut std::str::Chars<'_>) -> Option<Vec<u16>> {
    let mut units = Vec::new();
    loop {
        match chars.next()? {
            '"' => return Some(units),
            '\\' => {
                let unit = match chars.next()? {
                    '"' => b'"'.into(),
                    '\\' => b'\\'.into(),
                    '/' => b'/'.into(),
                    'b' => 0x08,
                    'f' => 0x0C,
                    'n' => b'\n'.into(),
                    'r' => b'\r'.into(),
                    't' => b'\t'.into(),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        if hex.len() != 4 {
                            return None;
                        }
                        u16::from_str_radix(&hex, 16).ok()?
                    }
                    _ => return None,
                };
                units.push(unit);
            }
            c => {
                let mut buf = [0u16; 2];
                units.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
    }
}

/// Writes one UTF-16 unit the way System.Text.Json's default encoder does.
fn escape_unit(unit: u16, out: &mut Vec<u8>) {
    let short = match unit {
        0x5C => Some(b'\\'),
        0x08 => Some(b'b'),
        0x0C => Some(b'f'),
        0x0A => Some(b'n'),
        0x0D => Some(b'r'),
        0x09 => Some(b't'),
        _ => None,
    };
    if let Some(letter) = short {
        out.extend_from_slice(&[b'\\', letter]);
        return;
    }
    let needs_hex = !(0x20..0x7F).contains(&unit)
        || matches!(
            unit,
            0x22 /* " */ | 0x26 /* & */ | 0x27 /* ' */ | 0x2B /* + */ | 0x3C /* < */ | 0x3E /* > */ | 0x60 /* ` */
        );
    if needs_hex {
        out.extend_from_slice(format!("\\u{unit:04X}").as_bytes());
    } else {
        // Below 0x7F, so a single ASCII byte.
        out.push(unit as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(text: &str) -> String {
        String::from_utf8(dotnet_canonical(text.as_bytes()).expect("canonicalizes")).expect("ascii")
    }

    #[test]
    fn escapes_html_sensitive_and_non_ascii_like_dotnet() {
        assert_eq!(
            canon(r#"{ "Resolution" : "PSU & <fan> 'ok' +1 `x` café 😀" }"#),
            r#"{"Resolution":"PSU \u0026 \u003Cfan\u003E \u0027ok\u0027 \u002B1 \u0060x\u0060 caf\u00E9 \uD83D\uDE00"}"#
        );
    }

    #[test]
    fn keeps_key_order_and_number_text() {
        assert_eq!(
            canon("{\"b\": 2.50, \"a\": [1, -0.0e3, null, true]}"),
            "{\"b\":2.50,\"a\":[1,-0.0e3,null,true]}"
        );
    }

    #[test]
    fn decodes_existing_escapes_before_re_escaping() {
        assert_eq!(
            canon(r#"{"q":"say \"hi\"\\\n\u0026\u00e9\/"}"#),
            r#"{"q":"say \u0022hi\u0022\\\n\u0026\u00E9/"}"#
        );
    }

    #[test]
    fn broken_strings_have_no_canonical_form() {
        assert!(dotnet_canonical(br#"{"a":"unterminated}"#).is_none());
        assert!(dotnet_canonical(br#"{"a":"\x"}"#).is_none());
        assert!(dotnet_canonical(br#"{"a":"\u12"}"#).is_none());
        assert!(dotnet_canonical(&[b'"', 0xFF, b'"']).is_none());
    }
}
