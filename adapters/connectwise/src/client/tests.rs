//! Auth headers, redaction and URL building of the per-connection client.

use super::*;
use crate::settings::ConnectWiseSettings;

fn client_with(private_key: &str) -> ConnectWiseClient {
    let settings = ConnectWiseSettings {
        client_id: "11111111-2222-4333-8444-555555555555".into(),
        ..ConnectWiseSettings::default()
    };
    let transport = Transport::new(&settings, None).expect("transport");
    let base = Url::parse("https://api-na.myconnectwise.net/v2025_1/apis/3.0/").expect("url");
    let keys = ApiKeys {
        company_id: "acme".into(),
        public_key: "pubKEY123".into(),
        private_key: private_key.into(),
    };
    ConnectWiseClient::new(transport, base, keys)
}

#[test]
fn every_call_carries_basic_auth_the_client_id_and_the_pinned_version() {
    let client = client_with("priv/Key+456");
    let headers = client.headers(true);
    // echo -n 'acme+pubKEY123:priv/Key+456' | base64
    assert_eq!(
        headers[AUTHORIZATION],
        "Basic YWNtZStwdWJLRVkxMjM6cHJpdi9LZXkrNDU2"
    );
    assert!(headers[AUTHORIZATION].is_sensitive());
    assert_eq!(headers["clientid"], "11111111-2222-4333-8444-555555555555");
    assert_eq!(
        headers[ACCEPT],
        "application/vnd.connectwise.com+json; version=2019.1"
    );
    assert_eq!(headers[CONTENT_TYPE], "application/json");
    assert!(!client.headers(false).contains_key(CONTENT_TYPE));
}

#[test]
fn keys_never_print() {
    let client = client_with("priv-SECRET-456");
    let printed = format!("{client:?}");
    assert!(printed.contains("acme"), "{printed}");
    assert!(
        !printed.contains("priv-SECRET")
            && !printed.contains("pubKEY123")
            && !printed.contains("11111111-2222"),
        "{printed}"
    );
}

#[test]
fn error_texts_lose_the_keys_in_every_spelling() {
    let client = client_with("pa\"ss/wörd-9");
    let token = client.keys.basic_token();
    let text = format!(
        r#"{{"message":"bad pa\u0022ss/w\u00f6rd-9 and pa\"ss/wörd-9","errors":[{{"message":"acme+pubKEY123 {token} pubKEY123 11111111-2222-4333-8444-555555555555"}}]}}"#
    );
    let out = client.redact(&text);
    for secret in [
        "pa\\u0022ss",
        "pa\\\"ss",
        "wörd",
        "pubKEY123",
        "11111111-2222",
        token.as_str(),
    ] {
        assert!(!out.contains(secret), "{secret} in {out}");
    }
    assert!(out.contains("bad "), "{out}");
}

#[test]
fn queries_encode_spaces_and_quotes_so_conditions_survive() {
    let client = client_with("k");
    let url = client
        .url(
            Op::CallbackList,
            "system/callbacks",
            &[("conditions", r#"url contains "https://h/x?a=1+2""#)],
        )
        .expect("url");
    assert_eq!(
        url.as_str(),
        "https://api-na.myconnectwise.net/v2025_1/apis/3.0/system/callbacks?conditions=url%20contains%20%22https%3A%2F%2Fh%2Fx%3Fa%3D1%2B2%22"
    );
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs[0].1, r#"url contains "https://h/x?a=1+2""#);
}
