//! Callout verification and parsing on arbitrary input: never a panic, and the properties the
//! hub relies on hold for every body.
//!
//! The first input byte picks a secret length; that many following bytes are the secret, the
//! rest is the body.

#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use psa_autotask::canonical::dotnet_canonical;
use psa_autotask::{sign, verify, AutotaskCallouts};
use psa_proto::{CalloutFormat, SignatureForm, Verified, VerifyError, WebhookSecret};

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let len = usize::from(len % 65).min(rest.len());
    let (secret, body) = rest.split_at(len);
    let secret = WebhookSecret::new(String::from_utf8_lossy(secret).into_owned());

    // A signature over the raw body always verifies, as the raw form.
    let signed = sign(&secret, body);
    assert_eq!(verify(&secret, Some(&signed), body), Ok(SignatureForm::Raw));
    // Any header text is refused cleanly, never with a panic.
    let header = String::from_utf8_lossy(body);
    let _ = verify(&secret, Some(&header), b"{}");
    assert_eq!(verify(&secret, None, body), Err(VerifyError::MissingSignature));

    if let Some(canonical) = dotnet_canonical(body) {
        // Canonicalizing is idempotent, so a canonical body is its own dedupe form...
        assert_eq!(dotnet_canonical(&canonical).as_deref(), Some(&canonical[..]));
        // ...and a body signed in its canonical form (as Autotask signs) verifies, with a
        // dedupe form equal to the canonical body's.
        let over_canonical = sign(&secret, &canonical);
        assert!(verify(&secret, Some(&over_canonical), body).is_ok());
        let format = AutotaskCallouts;
        assert_eq!(format.dedupe_form(body), Cow::Borrowed(&canonical[..]));
    }

    // Parsing a verified body returns a change or a parse error, never a panic.
    if let Ok(verified) = Verified::check(&AutotaskCallouts, &[&secret], Some(&signed), body) {
        let _ = AutotaskCallouts.parse(&verified);
    }
});
