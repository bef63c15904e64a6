//! The `x-content-signature` of callback messages (reference §3): base64 of HMAC-SHA256 over
//! the raw body, keyed with the SHA-256 digest of the signing key, not the key itself.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// `base64(HMAC-SHA256(key = SHA256(signing_key as UTF-8), msg = body))`.
pub fn sign(signing_key: &str, body: &[u8]) -> String {
    let digest = Sha256::digest(signing_key.as_bytes());
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(&digest) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts any key length"),
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A fresh random signing key (its real format is unknown; 32 hex digits here).
pub fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
