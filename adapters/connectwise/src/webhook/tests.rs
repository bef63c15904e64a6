//! What the callback looks like, and which callbacks count as ours.

use psa_proto::WebhookSecret;

use super::*;

fn spec(url: &str) -> WebhookSpec {
    WebhookSpec {
        name: "SaaS Alerts Ticket Monitor".into(),
        webhook_url: url.into(),
        deactivation_url: format!("{url}/deactivated"),
        secret: WebhookSecret::new("unused by ConnectWise"),
        notification_email: None,
    }
}

const URL: &str = "https://hooks.example.com/hooks/connectwise/tok123";

#[test]
fn the_callback_is_one_owner_level_ticket_callback_at_our_url_with_the_suffix() {
    assert_eq!(
        create_body(&spec(URL)),
        json!({
            "description": "SaaS Alerts Ticket Monitor",
            "url": "https://hooks.example.com/hooks/connectwise/tok123?recordId=",
            "objectId": 1, "type": "ticket", "level": "owner",
            "inactiveFlag": false, "isSoapCallbackFlag": false, "isSelfSuppressedFlag": false,
            "payloadVersion": "3.0.0",
        })
    );
}

#[test]
fn ours_is_our_url_alone_or_with_a_query_and_nothing_longer() {
    let spec = spec(URL);
    for (url, ours) in [
        (format!("{URL}?recordId="), true),
        (URL.to_owned(), true),
        (format!("{URL}?id="), true),
        (URL.to_ascii_uppercase(), true),
        (format!("{URL}4?recordId="), false),
        (format!("{URL}/deactivated"), false),
        (
            "https://hooks.example.com/hooks/connectwise/".to_owned(),
            false,
        ),
        (
            "https://other.example/?u=https://hooks.example.com/hooks/connectwise/tok123"
                .to_owned(),
            false,
        ),
    ] {
        assert_eq!(is_ours(&json!({"url": url}), &spec), ours, "{url}");
    }
    assert!(!is_ours(&json!({"url": null}), &spec));
    assert!(url_matches(
        &json!({"url": format!("{URL}?recordId=")}),
        &spec
    ));
    assert!(!url_matches(&json!({"url": URL}), &spec));
}

#[test]
fn kind_is_ticket_owner_object_one_in_any_case() {
    assert!(kind_matches(
        &json!({"type": "Ticket", "level": "Owner", "objectId": 1})
    ));
    assert!(kind_matches(&json!({"type": "ticket", "level": "owner"})));
    assert!(!kind_matches(
        &json!({"type": "ticket", "level": "board", "objectId": 1})
    ));
    assert!(!kind_matches(
        &json!({"type": "contact", "level": "owner", "objectId": 1})
    ));
    assert!(!kind_matches(
        &json!({"type": "ticket", "level": "owner", "objectId": 7})
    ));
    assert!(is_active(&json!({"inactiveFlag": false})) && is_active(&json!({})));
    assert!(!is_active(&json!({"inactiveFlag": true})));
}

#[test]
fn specs_that_cannot_be_registered_are_refused_before_any_call() {
    for url in [
        "https://hooks.example.com/x?token=1",
        "https://hooks.example.com/x#frag",
        "ftp://hooks.example.com/x",
        "/hooks/connectwise/x",
        "https://hooks.example.com/x\"y",
    ] {
        assert!(validate(&spec(url)).is_err(), "{url}");
    }
    let mut long = spec(URL);
    long.name = "n".repeat(101);
    assert!(validate(&long).is_err());
    long.name = "n".repeat(100);
    assert!(validate(&long).is_ok());
    long.name = " ".into();
    assert!(validate(&long).is_err());
}

#[test]
fn repair_recreates_what_cannot_be_fixed_in_place() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    // No call is made for these: an unreachable client would fail if one were.
    let client = crate::client::tests_support::unreachable_client();
    for found in [
        WebhookCheck::default(),
        WebhookCheck {
            exists: true,
            is_active: true,
            is_ready: true,
            update_events: true,
            url_matches: false,
            deactivation_url_matches: true,
            ..WebhookCheck::default()
        },
        WebhookCheck {
            exists: true,
            is_active: false,
            is_ready: true,
            update_events: false,
            url_matches: true,
            deactivation_url_matches: true,
            ..WebhookCheck::default()
        },
    ] {
        let outcome = runtime
            .block_on(repair(&client, WebhookId(5), &spec(URL), &found))
            .expect("no call needed");
        assert_eq!(outcome, RepairOutcome::Recreate, "{found:?}");
    }
}
