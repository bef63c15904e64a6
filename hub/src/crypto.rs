//! Secrets at rest: the master key and the sealed (encrypted and authenticated) form in which
//! PSA credentials and webhook secrets are stored.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// Marks the format of a sealed value, so the scheme can change without guessing what old rows
/// hold.
const V1_PREFIX: &str = "v1:";
const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Why a master key could not be read or a sealed value could not be opened. The messages never
/// carry the key, the sealed text or the plaintext, so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(
        "the master key {problem}; it must be the base64 of 32 random bytes, \
         e.g. from `openssl rand -base64 32`"
    )]
    InvalidMasterKey { problem: String },
    #[error("the sealed value has an unknown format (expected the prefix \"v1:\")")]
    UnknownVersion,
    #[error("the sealed value is not valid base64")]
    InvalidBase64,
    #[error("the sealed value is too short to hold a nonce and an authentication tag")]
    TooShort,
    #[error("the sealed value could not be opened: it was sealed with another master key, or it was altered")]
    Authentication,
    #[error("the opened value is not UTF-8 text")]
    NotUtf8,
}

/// The key that seals secrets at rest. Losing it makes every sealed value unreadable, and leaking
/// it exposes them all, so it never appears in `Debug` output or error messages.
#[derive(Clone)]
pub struct MasterKey([u8; KEY_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    /// Reads a key in standard base64; surrounding whitespace is ignored because keys are
    /// often pasted from a shell or read from a file with a trailing newline.
    pub fn from_base64(s: &str) -> Result<MasterKey, CryptoError> {
        let bytes = STANDARD
            .decode(s.trim())
            .map_err(|_| CryptoError::InvalidMasterKey {
                problem: "is not valid base64".to_owned(),
            })?;
        let key: [u8; KEY_LEN] =
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| CryptoError::InvalidMasterKey {
                    problem: format!("decodes to {} bytes instead of {KEY_LEN}", bytes.len()),
                })?;
        Ok(MasterKey(key))
    }

    pub fn generate() -> MasterKey {
        let mut key = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut key);
        MasterKey(key)
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// Encrypts and authenticates `plaintext` as `v1:` + base64(nonce || ciphertext || tag).
    /// The 24-byte nonce is random: XChaCha's nonce is long enough that random nonces do not
    /// collide in practice, so no counter has to be kept anywhere.
    pub fn seal(&self, plaintext: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption only fails when the plaintext exceeds the cipher's limit of about 256 GiB,
        // which no secret stored in a database row comes near.
        let ciphertext = self
            .cipher()
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("XChaCha20-Poly1305 encryption of an in-memory secret cannot fail");
        let mut raw = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&ciphertext);
        format!("{V1_PREFIX}{}", STANDARD.encode(raw))
    }

    pub fn open(&self, sealed: &str) -> Result<String, CryptoError> {
        let encoded = sealed
            .strip_prefix(V1_PREFIX)
            .ok_or(CryptoError::UnknownVersion)?;
        let raw = STANDARD
            .decode(encoded)
            .map_err(|_| CryptoError::InvalidBase64)?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::TooShort);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let plaintext = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| CryptoError::Authentication)?;
        String::from_utf8(plaintext).map_err(|_| CryptoError::NotUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_to_the_original_text() {
        let key = MasterKey::generate();
        for text in ["", "p@ssw0rd", "ünïcödé secret with spaces"] {
            let sealed = key.seal(text);
            assert!(sealed.starts_with("v1:"));
            assert_eq!(key.open(&sealed).expect("opens"), text);
        }
    }

    #[test]
    fn sealing_the_same_text_twice_gives_different_output() {
        let key = MasterKey::generate();
        assert_ne!(key.seal("same"), key.seal("same"));
    }

    #[test]
    fn another_key_cannot_open_a_sealed_value() {
        let sealed = MasterKey::generate().seal("secret");
        assert_eq!(
            MasterKey::generate().open(&sealed),
            Err(CryptoError::Authentication)
        );
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let key = MasterKey::generate();
        let sealed = key.seal("secret");
        let raw = STANDARD.decode(&sealed[3..]).expect("base64");
        for i in 0..raw.len() {
            let mut tampered = raw.clone();
            tampered[i] ^= 0x01;
            let tampered = format!("v1:{}", STANDARD.encode(tampered));
            assert_eq!(key.open(&tampered), Err(CryptoError::Authentication));
        }
    }

    #[test]
    fn malformed_sealed_values_are_rejected() {
        let key = MasterKey::generate();
        let body = &key.seal("secret")[3..];
        assert_eq!(
            key.open(&format!("v2:{body}")),
            Err(CryptoError::UnknownVersion)
        );
        assert_eq!(key.open("secret"), Err(CryptoError::UnknownVersion));
        assert_eq!(key.open("v1:not base64!"), Err(CryptoError::InvalidBase64));
        assert_eq!(
            key.open(&format!("v1:{}", STANDARD.encode([0u8; 39]))),
            Err(CryptoError::TooShort)
        );
    }

    #[test]
    fn opened_bytes_must_be_utf8() {
        let key = MasterKey::generate();
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = key
            .cipher()
            .encrypt(&nonce, [0xffu8, 0xfe].as_slice())
            .expect("encrypts");
        let sealed = format!(
            "v1:{}",
            STANDARD.encode([nonce.as_slice(), &ciphertext].concat())
        );
        assert_eq!(key.open(&sealed), Err(CryptoError::NotUtf8));
    }

    #[test]
    fn master_keys_roundtrip_through_base64() {
        let key = MasterKey::generate();
        let again = MasterKey::from_base64(&format!("{}\n", key.to_base64())).expect("valid");
        assert_eq!(again.open(&key.seal("x")).expect("same key"), "x");
    }

    #[test]
    fn master_keys_must_be_32_bytes_of_base64() {
        let short = STANDARD.encode([7u8; 31]);
        let err = MasterKey::from_base64(&short).expect_err("31 bytes");
        assert!(err.to_string().contains("31 bytes"), "{err}");
        assert!(err.to_string().contains("openssl rand -base64 32"), "{err}");
        assert!(!err.to_string().contains(&short));

        let err = MasterKey::from_base64("not*base64").expect_err("not base64");
        assert!(err.to_string().contains("not valid base64"), "{err}");
        assert!(!err.to_string().contains("not*base64"));
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = MasterKey::from_base64(&STANDARD.encode([0x41u8; 32])).expect("valid");
        assert_eq!(format!("{key:?}"), "MasterKey([redacted])");
    }
}
