//! Callback signatures: `x-content-signature: base64(HMAC-SHA256(key, raw body))`, where the
//! HMAC key is the SHA-256 digest of the signing key, not the signing key itself (reference §3:
//! the Developer Guide's C# sample, NANGO, AMP).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use psa_proto::VerifyError;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The header ConnectWise puts the signature in (header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-content-signature";

type HmacSha256 = Hmac<Sha256>;

/// The HMAC key derived from a callback's signing key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// The key ConnectWise signs with, from the `signing_key` its key URL gives.
    pub fn derive(signing_key: &str) -> Self {
        Self(Sha256::digest(signing_key.as_bytes()).into())
    }

    fn mac(&self, body: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

/// The header value ConnectWise would send for `body`.
pub fn sign(key: &SigningKey, body: &[u8]) -> String {
    BASE64.encode(key.mac(body))
}

/// The 32 bytes a signature header claims; checked before any key is fetched.
pub fn claimed(header: Option<&str>) -> Result<[u8; 32], VerifyError> {
    let header = header.ok_or(VerifyError::MissingSignature)?.trim();
    let bytes = BASE64
        .decode(header)
        .map_err(|_| VerifyError::MalformedSignature)?;
    bytes
        .try_into()
        .map_err(|_| VerifyError::MalformedSignature)
}

/// Whether `claimed` is `key`'s signature of `body`, compared in constant time.
pub fn verify(key: &SigningKey, claimed: &[u8; 32], body: &[u8]) -> Result<(), VerifyError> {
    if bool::from(key.mac(body).ct_eq(claimed)) {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdefSIGNINGkey==";
    const BODY: &[u8] = br#"{"MessageId":"7d2c","ID":42}"#;

    /// Computed independently: python3 -c "import hmac,hashlib,base64; print(base64.b64encode(
    /// hmac.new(hashlib.sha256(KEY).digest(), BODY, hashlib.sha256).digest()))"
    const KNOWN: &str = "SyIBP8PgGiG6EB+rStUGU0gU/705QsCffJzpGwdoa1Q=";
    /// The same with the signing key itself as the HMAC key: what a naive reading would check.
    const NAIVE: &str = "HicIP4i+dPrAQLgz48Uq4HZnLGZG4uh8gCqQPfWoNrA=";

    #[test]
    fn the_known_answer_is_reproduced_and_the_naive_one_refused() {
        let key = SigningKey::derive(KEY);
        assert_eq!(sign(&key, BODY), KNOWN);
        let known = claimed(Some(KNOWN)).expect("well formed");
        assert_eq!(verify(&key, &known, BODY), Ok(()));
        let naive = claimed(Some(NAIVE)).expect("well formed");
        assert_eq!(verify(&key, &naive, BODY), Err(VerifyError::Mismatch));
    }

    #[test]
    fn any_change_of_body_or_key_is_a_mismatch() {
        let key = SigningKey::derive(KEY);
        let known = claimed(Some(&format!(" {KNOWN} "))).expect("spaces around are fine");
        assert_eq!(
            verify(&key, &known, br#"{"MessageId":"7d2c","ID":43}"#),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(&SigningKey::derive("other"), &known, BODY),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn missing_and_malformed_headers_are_told_apart() {
        assert_eq!(claimed(None), Err(VerifyError::MissingSignature));
        for bad in [
            "",
            "not base64!",
            "c2hvcnQ=",
            "sha256=SyIBP8PgGiG6EB+rStUGU0gU/705QsCffJzpGwdoa1Q=",
        ] {
            assert_eq!(
                claimed(Some(bad)),
                Err(VerifyError::MalformedSignature),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_never_print() {
        assert_eq!(
            format!("{:?}", SigningKey::derive(KEY)),
            "SigningKey([redacted])"
        );
    }
}
