//! Taking secrets out of text a PSA sent back (error messages may quote the request), in every
//! form a JSON answer may spell them: verbatim, JSON-escaped, or escaped as .NET does it
//! (`\uXXXX` for non-ASCII and HTML-sensitive characters, with upper- or lower-case hex).

/// What stands in for a secret that was taken out.
pub const REDACTED: &str = "[redacted]";

/// `text` without any of `secrets`. Values shorter than 4 characters are left alone: they would
/// redact ordinary words, and no real secret is that short.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.chars().count() >= 4) {
        for form in spellings(secret) {
            out = out.replace(&form, REDACTED);
        }
    }
    out
}

/// Every way `secret` may appear inside a JSON string.
fn spellings(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    for form in [
        escaped(secret, false, false),
        escaped(secret, true, false),
        escaped(secret, true, true),
    ] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// JSON escaping; `dotnet` also escapes what System.Text.Json escapes by default.
fn escaped(secret: &str, dotnet: bool, lower_hex: bool) -> String {
    let mut out = String::new();
    for c in secret.chars() {
        let hex = match c {
            '"' if !dotnet => {
                out.push_str("\\\"");
                continue;
            }
            '\\' => {
                out.push_str("\\\\");
                continue;
            }
            '\n' => {
                out.push_str("\\n");
                continue;
            }
            '\r' => {
                out.push_str("\\r");
                continue;
            }
            '\t' => {
                out.push_str("\\t");
                continue;
            }
            c if (c as u32) < 0x20 => true,
            '"' | '&' | '\'' | '+' | '<' | '>' | '`' => dotnet,
            c if !c.is_ascii() => dotnet,
            _ => false,
        };
        if !hex {
            out.push(c);
            continue;
        }
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            let code = if lower_hex {
                format!("\\u{unit:04x}")
            } else {
                format!("\\u{unit:04X}")
            };
            out.push_str(&code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_secret_is_taken_out() {
        let secret = "Pa\"ss/Wörd<X";
        let text = "a Pa\"ss/Wörd<X b Pa\\\"ss/Wörd<X c Pa\\u0022ss/W\\u00F6rd\\u003CX \
                    d Pa\\u0022ss/W\\u00f6rd\\u003cX e";
        assert_eq!(
            redact(text, &[secret]),
            "a [redacted] b [redacted] c [redacted] d [redacted] e"
        );
    }

    #[test]
    fn short_values_and_other_text_are_left() {
        assert_eq!(redact("code ABC in use", &["ABC"]), "code ABC in use");
        assert_eq!(redact("nothing here", &["hunter22"]), "nothing here");
    }
}
