//! The provider end to end against a local key server: verification, refusals without a
//! fetch, and what the hub is told.

use std::time::Duration;

use parking_lot::Mutex;
use psa_proto::{Provider, WebhookSecret};
use serde_json::json;

use super::*;
use crate::signature::{sign, SigningKey};
use crate::test_server::TestServer;

const SIGNING_KEY: &str = "Zm9vYmFyLXNpZ25pbmcta2V5";

#[derive(Debug, Default)]
struct Seen(Mutex<Vec<(&'static str, Option<u16>)>>);

impl ApiObserver for Seen {
    fn observe(&self, psa: PsaName, operation: &'static str, status: Option<u16>, _: Duration) {
        assert_eq!(psa, NAME);
        self.0.lock().push((operation, status));
    }
}

fn provider(observer: Arc<Seen>) -> ConnectWiseProvider {
    let settings = ConnectWiseSettings {
        client_id: "test-client".into(),
        allow_http_sites: true,
        ..ConnectWiseSettings::default()
    };
    ConnectWiseProvider::new(settings, Some(observer)).expect("provider")
}

fn public(site: &str) -> Map<String, Value> {
    json!({"site": site, "company_id": "Cobalt", "public_key": "pub"})
        .as_object()
        .cloned()
        .expect("object")
}

fn callback(key_url: &str) -> Vec<u8> {
    json!({
        "MessageId": "m-1", "Action": "updated", "Type": "ticket", "ID": 4711,
        "Entity": json!({"id": 4711, "closedFlag": true, "closedDate": "2024-05-02T08:00:00Z"}).to_string(),
        "Metadata": {"key_url": key_url}
    })
    .to_string()
    .into_bytes()
}

struct Setup {
    server: TestServer,
    provider: ConnectWiseProvider,
    seen: Arc<Seen>,
    public: Map<String, Value>,
}

async fn setup() -> Setup {
    let answer = TestServer::answer(
        "200 OK",
        "",
        &json!({"signing_key": SIGNING_KEY}).to_string(),
    );
    let server = TestServer::start(answer).await;
    let seen = Arc::new(Seen::default());
    Setup {
        provider: provider(seen.clone()),
        public: public(&server.base),
        server,
        seen,
    }
}

impl Setup {
    fn key_url(&self) -> String {
        format!(
            "{}/v2025_1//system/callbackkey/index.rails?companyName=cobalt&id=ab",
            self.server.base
        )
    }

    async fn verify(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<TicketChange, CalloutRefused> {
        let secrets: [WebhookSecret; 0] = [];
        let keys = CalloutKeys {
            secrets: &secrets,
            public: &self.public,
        };
        self.provider
            .verify(keys, Callout { body, signature })
            .await
    }
}

#[tokio::test]
async fn a_signed_callback_verifies_with_the_fetched_key_and_parses() {
    let setup = setup().await;
    let body = callback(&setup.key_url());
    let signature = sign(&SigningKey::derive(SIGNING_KEY), &body);
    let change = setup
        .verify(&body, Some(&signature))
        .await
        .expect("verified");
    assert!(change.is_completion() && change.needs_lookup);
    assert_eq!(setup.server.hits(), 1);
    assert_eq!(*setup.seen.0.lock(), vec![("signing_key", Some(200))]);
    // A forged signature with a known key URL is refused without another fetch.
    let forged = sign(&SigningKey::derive("guessed"), &body);
    assert_eq!(
        setup.verify(&body, Some(&forged)).await,
        Err(CalloutRefused::Signature(VerifyError::Mismatch))
    );
    assert_eq!(setup.server.hits(), 1);
}

#[tokio::test]
async fn untrusted_key_urls_and_bad_signatures_are_refused_without_a_fetch() {
    let setup = setup().await;
    let good = setup.key_url();
    let port = setup.server.base.rsplit(':').next().expect("port");
    let other_port = good.replace(port, "9");
    let other_company = good.replace("companyName=cobalt", "companyName=other");
    let userinfo = good.replace("http://", "http://user@");
    let other_host = good.replace("127.0.0.1", "localhost");
    for key_url in [other_port, other_company, userinfo, other_host] {
        let body = callback(&key_url);
        let signature = sign(&SigningKey::derive(SIGNING_KEY), &body);
        assert_eq!(
            setup.verify(&body, Some(&signature)).await,
            Err(CalloutRefused::Signature(VerifyError::UntrustedKey)),
            "{key_url}"
        );
    }
    let body = callback(&good);
    assert_eq!(
        setup.verify(&body, None).await,
        Err(CalloutRefused::Signature(VerifyError::MissingSignature))
    );
    assert_eq!(
        setup.verify(&body, Some("sha256=nope")).await,
        Err(CalloutRefused::Signature(VerifyError::MalformedSignature))
    );
    let no_key_url = br#"{"Type":"ticket","ID":1,"Action":"updated"}"#;
    let signature = sign(&SigningKey::derive(SIGNING_KEY), no_key_url);
    assert_eq!(
        setup.verify(no_key_url, Some(&signature)).await,
        Err(CalloutRefused::Signature(VerifyError::UntrustedKey))
    );
    assert_eq!(setup.server.hits(), 0, "nothing was fetched");
}

#[tokio::test]
async fn https_is_required_unless_http_sites_are_allowed() {
    let setup = setup().await;
    let strict = ConnectWiseProvider::new(
        ConnectWiseSettings {
            client_id: "c".into(),
            ..ConnectWiseSettings::default()
        },
        None,
    )
    .expect("provider");
    let body = callback(&setup.key_url());
    let signature = sign(&SigningKey::derive(SIGNING_KEY), &body);
    let secrets: [WebhookSecret; 0] = [];
    let keys = CalloutKeys {
        secrets: &secrets,
        public: &setup.public,
    };
    let refused = strict
        .verify(
            keys,
            Callout {
                body: &body,
                signature: Some(&signature),
            },
        )
        .await;
    assert_eq!(
        refused,
        Err(CalloutRefused::Signature(VerifyError::UntrustedKey))
    );
    assert_eq!(setup.server.hits(), 0);
}

#[tokio::test]
async fn a_key_that_cannot_be_fetched_asks_for_a_later_delivery() {
    let answer = TestServer::answer("503 Service Unavailable", "", "");
    let server = TestServer::start(answer).await;
    let seen = Arc::new(Seen::default());
    let setup = Setup {
        provider: provider(seen.clone()),
        public: public(&server.base),
        server,
        seen,
    };
    let body = callback(&setup.key_url());
    let signature = sign(&SigningKey::derive(SIGNING_KEY), &body);
    assert!(matches!(
        setup.verify(&body, Some(&signature)).await,
        Err(CalloutRefused::KeyUnavailable(_))
    ));
    assert_eq!(*setup.seen.0.lock(), vec![("signing_key", Some(503))]);
}

#[test]
fn the_provider_names_itself_and_its_parts() {
    let provider = provider(Arc::new(Seen::default()));
    assert_eq!(provider.name().as_str(), "connectwise");
    assert_eq!(provider.display_name(), "ConnectWise PSA");
    assert_eq!(provider.signature_header(), "x-content-signature");
    assert_eq!(provider.connection_schema(), connect_input::schema(true));
    let cleanup = provider.manual_cleanup(
        "SaaS Alerts Ticket Monitor",
        Some(WebhookId(31)),
        "https://hooks.example.com/hooks/connectwise/tok",
    );
    for part in [
        "\"SaaS Alerts Ticket Monitor\"",
        "DELETE /system/callbacks/31",
        "ConnectWise support",
        "https://hooks.example.com/hooks/connectwise/tok",
        "System › Setup Tables",
    ] {
        assert!(cleanup.contains(part), "{part} in {cleanup}");
    }
    let without_id = provider.manual_cleanup("n", None, "https://h/x");
    assert!(without_id.contains("url contains"), "{without_id}");
}

#[tokio::test]
async fn unreadable_credentials_are_refused_before_any_call() {
    let provider = provider(Arc::new(Seen::default()));
    let credentials = Credentials::new(json!({"site": "https://na.myconnectwise.net"}));
    let error = provider
        .connect_to(&credentials)
        .await
        .expect_err("unreadable");
    assert!(matches!(error, ConnectWiseError::UnreadableCredentials));
}
