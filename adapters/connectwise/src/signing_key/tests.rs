//! Key fetching: what counts as a key, what is refused, and that the cache saves fetches.

use super::*;
use crate::settings::ConnectWiseSettings;
use crate::signature::sign;
use crate::test_server::TestServer;

fn fetcher() -> KeyFetcher {
    let settings = ConnectWiseSettings {
        client_id: "test-client".into(),
        ..ConnectWiseSettings::default()
    };
    let transport = Transport::new(&settings, None).expect("transport");
    KeyFetcher::new(
        &transport,
        Duration::from_secs(5),
        Duration::from_secs(60),
        8,
    )
    .expect("fetcher")
}

fn url(server: &TestServer) -> Url {
    Url::parse(&format!(
        "{}/v2025_1/system/callbackkey/index.rails?companyName=acme&id=1",
        server.base
    ))
    .expect("url")
}

#[tokio::test]
async fn a_key_is_fetched_once_and_then_served_from_the_cache() {
    let body = r#"{"signing_key":"k3y-from-connectwise"}"#;
    let server = TestServer::start(TestServer::answer("200 OK", "", body)).await;
    let fetcher = fetcher();
    let key = fetcher.key(&url(&server)).await.expect("a key");
    assert_eq!(
        sign(&key, b"x"),
        sign(&SigningKey::derive("k3y-from-connectwise"), b"x")
    );
    fetcher.key(&url(&server)).await.expect("cached");
    assert_eq!(server.hits(), 1);
    assert!(server.requests.lock()[0]
        .starts_with("GET /v2025_1/system/callbackkey/index.rails?companyName=acme&id=1 "));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let target = TestServer::start(TestServer::answer(
        "200 OK",
        "",
        r#"{"signing_key":"evil"}"#,
    ))
    .await;
    let location = format!("location: {}/key\r\n", target.base);
    let server = TestServer::start(TestServer::answer("302 Found", &location, "")).await;
    let error = fetcher()
        .key(&url(&server))
        .await
        .expect_err("a redirect is no key");
    assert!(error.0.contains("302"), "{error}");
    assert_eq!(server.hits(), 1);
    assert_eq!(target.hits(), 0, "the redirect's target was never asked");
}

#[tokio::test]
async fn answers_that_carry_no_key_are_refused_and_not_cached() {
    for (status, body) in [
        ("200 OK", r#"{"signing_key":""}"#),
        ("200 OK", r#"{"key":"x"}"#),
        ("200 OK", "<html>"),
        ("404 Not Found", r#"{"signing_key":"x"}"#),
        ("500 Internal Server Error", ""),
    ] {
        let server = TestServer::start(TestServer::answer(status, "", body)).await;
        let fetcher = fetcher();
        assert!(fetcher.key(&url(&server)).await.is_err(), "{status} {body}");
        assert!(fetcher.key(&url(&server)).await.is_err());
        assert_eq!(server.hits(), 2, "a failure is not cached: {status} {body}");
    }
}

#[tokio::test]
async fn answers_over_the_cap_are_refused_announced_or_not() {
    let big = format!(
        r#"{{"signing_key":"{}"}}"#,
        "k".repeat(MAX_KEY_ANSWER_BYTES)
    );
    let server = TestServer::start(TestServer::answer("200 OK", "", &big)).await;
    let error = fetcher().key(&url(&server)).await.expect_err("too big");
    assert!(error.0.contains("exceeds"), "{error}");
    // Without a length announced, the body is cut off as it streams in.
    let unannounced = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{big}"
    );
    let server = TestServer::start(unannounced).await;
    let error = fetcher().key(&url(&server)).await.expect_err("too big");
    assert!(error.0.contains("exceeds"), "{error}");
}

#[tokio::test]
async fn an_unreachable_key_url_is_unavailable() {
    let dead = Url::parse("http://127.0.0.1:9/key?companyName=acme").expect("url");
    assert!(fetcher().key(&dead).await.is_err());
}
