//! Callout signatures: `X-Hook-Signature: sha1=base64(HMAC-SHA1(secret, body))` (reference §4.1, §4.4).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use psa_proto::{SignatureForm, VerifyError, WebhookSecret};
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::canonical::dotnet_canonical;

/// The header Autotask puts the signature in (header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "X-Hook-Signature";

type HmacSha1 = Hmac<Sha1>;

fn mac(secret: &[u8], body: &[u8]) -> [u8; 20] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha1::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The header value Autotask would send for `body`: `sha1=<base64>`.
pub fn sign(secret: &WebhookSecret, body: &[u8]) -> String {
    format!(
        "sha1={}",
        BASE64.encode(mac(secret.expose().as_bytes(), body))
    )
}

/// Checks `header` over the raw body, then over its .NET-escaped canonical form.
pub fn verify(
    secret: &WebhookSecret,
    header: Option<&str>,
    body: &[u8],
) -> Result<SignatureForm, VerifyError> {
    let header = header.ok_or(VerifyError::MissingSignature)?.trim();
    let encoded = header
        .get(..5)
        .filter(|prefix| prefix.eq_ignore_ascii_case("sha1="))
        .map(|_| &header[5..])
        .ok_or(VerifyError::MalformedSignature)?;
    let claimed = BASE64
        .decode(encoded.trim())
        .map_err(|_| VerifyError::MalformedSignature)?;
    if claimed.len() != 20 {
        return Err(VerifyError::MalformedSignature);
    }
    let key = secret.expose().as_bytes();
    if bool::from(mac(key, body).ct_eq(&claimed)) {
        return Ok(SignatureForm::Raw);
    }
    match dotnet_canonical(body) {
        Some(canonical)
            if canonical != body && bool::from(mac(key, &canonical).ct_eq(&claimed)) =>
        {
            Ok(SignatureForm::Canonical)
        }
        _ => Err(VerifyError::Mismatch),
    }
}

/// A fresh per-connection webhook secret: 40 letters and digits (Autotask allows 64; its docs
/// recommend at least 10).
pub fn generate_secret() -> WebhookSecret {
    let secret: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    WebhookSecret::new(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_from_the_reference() {
        let secret = WebhookSecret::new("kat-secret-key");
        let body = br#"{"id":123,"title":"Server down"}"#;
        assert_eq!(sign(&secret, body), "sha1=wql/x7lvZIcIN10rO/5dWem76B0=");
        assert_eq!(
            verify(&secret, Some("sha1=wql/x7lvZIcIN10rO/5dWem76B0="), body),
            Ok(SignatureForm::Raw)
        );
    }

    #[test]
    fn header_forms() {
        let secret = WebhookSecret::new("k");
        assert_eq!(
            verify(&secret, None, b"{}"),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            verify(&secret, Some("md5=abc"), b"{}"),
            Err(VerifyError::MalformedSignature)
        );
        assert_eq!(
            verify(&secret, Some("sha1=***"), b"{}"),
            Err(VerifyError::MalformedSignature)
        );
        assert_eq!(
            verify(&secret, Some("sha1=AAAA"), b"{}"),
            Err(VerifyError::MalformedSignature)
        );
        let good = sign(&secret, b"{}");
        let upper = good.replacen("sha1=", "SHA1=", 1);
        assert_eq!(verify(&secret, Some(&upper), b"{}"), Ok(SignatureForm::Raw));
    }

    #[test]
    fn secrets_are_long_random_and_distinct() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.expose().len(), 40);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
