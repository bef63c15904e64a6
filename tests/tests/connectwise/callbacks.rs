//! Signed callbacks from the simulator, verified end to end with its real key URL; forged
//! signatures and untrusted key URLs refused without a fetch.

use connectwise_sim::{Op, SimConfig};
use psa_proto::{
    Callout, CalloutKeys, CalloutRefused, ChangeAction, Provider, TicketChange, TicketId,
    VerifyError, WebhookSecret,
};
use serde_json::Value;

use crate::helpers::*;

impl World {
    async fn verify(&self, received: &Received) -> Result<TicketChange, CalloutRefused> {
        self.verify_raw(&received.body, received.signature.as_deref())
            .await
    }

    async fn verify_raw(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<TicketChange, CalloutRefused> {
        let input = self.input();
        let secrets: [WebhookSecret; 0] = [];
        let keys = CalloutKeys {
            secrets: &secrets,
            public: &input.public,
        };
        self.provider
            .verify(keys, Callout { body, signature })
            .await
    }
}

/// A world whose callback posts to a local receiver.
async fn receiving(config: SimConfig) -> (World, Receiver) {
    let world = world_with(config, settings(), |_| {}).await;
    let receiver = Receiver::start().await;
    world
        .connect()
        .await
        .register(&spec_for(&receiver.base, "tok1"))
        .await
        .expect("registers");
    (world, receiver)
}

#[tokio::test]
async fn a_closed_ticket_arrives_signed_verifies_and_asks_for_its_resolution() {
    let (world, receiver) = receiving(fast_config()).await;
    let ticket = world
        .sim
        .create_ticket(&world.company, "Suspicious sign-in");
    world
        .sim
        .close_ticket(&world.company, ticket, "Reset the password");
    let received = receiver.wait_for(2).await;
    assert_eq!(received.len(), 2);
    for callback in &received {
        assert_eq!(
            callback.path, "/hooks/connectwise/tok1",
            "the record id stays out of the path"
        );
        assert_eq!(callback.query, format!("recordId={}", ticket.0));
    }
    let added = world.verify(&received[0]).await.expect("verified");
    assert_eq!(
        (added.action, added.ticket_id),
        (ChangeAction::Create, TicketId(ticket.0))
    );
    assert!(!added.needs_lookup && added.ticket_created_at.as_set().is_some());
    let closed = world.verify(&received[1]).await.expect("verified");
    assert!(closed.is_completion() && closed.needs_lookup, "{closed:?}");
    assert_eq!(
        world.requests_of(Op::CallbackKey).len(),
        1,
        "one key URL, fetched once"
    );
    let closure = world
        .connect()
        .await
        .ticket_closure(closed.ticket_id)
        .await
        .expect("read");
    assert!(closure.closed);
    assert_eq!(closure.resolution.as_deref(), Some("Reset the password"));
    assert_eq!(closure.closed_at, closed.completed_at.as_set().copied());
    let message_id = world.sim.deliveries()[1].message_id.to_ascii_lowercase();
    assert_eq!(
        world.provider.dedupe_key(&closed, &received[1].body),
        format!("cw:{message_id}")
    );
}

#[tokio::test]
async fn forged_signatures_are_refused_without_another_fetch() {
    let (world, receiver) = receiving(fast_config()).await;
    let ticket = world.sim.create_ticket(&world.company, "x");
    let received = receiver.wait_for(1).await;
    world
        .verify(&received[0])
        .await
        .expect("the genuine one verifies");
    let tampered = String::from_utf8(received[0].body.clone())
        .expect("text")
        .replace(&format!("\"ID\":{}", ticket.0), "\"ID\":999999");
    assert_eq!(
        world
            .verify_raw(tampered.as_bytes(), received[0].signature.as_deref())
            .await,
        Err(CalloutRefused::Signature(VerifyError::Mismatch))
    );
    let other = psa_connectwise::sign(
        &psa_connectwise::SigningKey::derive("guess"),
        &received[0].body,
    );
    assert_eq!(
        world.verify_raw(&received[0].body, Some(&other)).await,
        Err(CalloutRefused::Signature(VerifyError::Mismatch))
    );
    assert_eq!(
        world.verify_raw(&received[0].body, None).await,
        Err(CalloutRefused::Signature(VerifyError::MissingSignature))
    );
    assert_eq!(world.requests_of(Op::CallbackKey).len(), 1);
}

#[tokio::test]
async fn key_urls_off_the_tenants_site_or_company_are_refused_without_a_fetch() {
    // The simulator names a cloud host in its key URLs: not this tenant's site.
    let config = SimConfig {
        key_url_base: Some("https://na.myconnectwise.net".into()),
        ..fast_config()
    };
    let (world, receiver) = receiving(config).await;
    world.sim.create_ticket(&world.company, "x");
    let received = receiver.wait_for(1).await;
    assert_eq!(
        world.verify(&received[0]).await,
        Err(CalloutRefused::Signature(VerifyError::UntrustedKey))
    );

    let (world, receiver) = receiving(fast_config()).await;
    world.sim.create_ticket(&world.company, "x");
    let received = receiver.wait_for(1).await;
    let body = String::from_utf8(received[0].body.clone()).expect("text");
    let port = world
        .sim
        .site_url()
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    for (from, to) in [
        ("companyName=Cobalt", "companyName=Other".to_owned()),
        ("http://127.0.0.1", "http://user@127.0.0.1".to_owned()),
        (port.as_str(), "1".to_owned()),
        ("http://127.0.0.1", "http://localhost".to_owned()),
    ] {
        assert!(body.contains(from), "{from} in {body}");
        let moved = body.replace(from, &to);
        assert_eq!(
            world
                .verify_raw(moved.as_bytes(), received[0].signature.as_deref())
                .await,
            Err(CalloutRefused::Signature(VerifyError::UntrustedKey)),
            "{to}"
        );
    }
    assert!(
        world.requests_of(Op::CallbackKey).is_empty(),
        "nothing was fetched"
    );
}

#[tokio::test]
async fn a_key_url_that_no_longer_answers_asks_connectwise_to_deliver_again() {
    let (world, receiver) = receiving(fast_config()).await;
    world.sim.create_ticket(&world.company, "x");
    let received = receiver.wait_for(1).await;
    let body: Value = serde_json::from_slice(&received[0].body).expect("json");
    let key_url = body["Metadata"]["key_url"]
        .as_str()
        .expect("key url")
        .to_owned();
    let unknown = String::from_utf8(received[0].body.clone())
        .expect("text")
        .replace(&key_url, &format!("{key_url}0"));
    let refused = world
        .verify_raw(unknown.as_bytes(), received[0].signature.as_deref())
        .await;
    assert!(
        matches!(refused, Err(CalloutRefused::KeyUnavailable(_))),
        "{refused:?}"
    );
    assert_eq!(
        world
            .requests_of(Op::CallbackKey)
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        vec![Some(404)]
    );
}

#[tokio::test]
async fn summaries_pascal_case_and_deletions_are_understood() {
    let config = SimConfig {
        entity: connectwise_sim::EntityForm::Summary,
        entity_casing: connectwise_sim::EntityCasing::Pascal,
        ..fast_config()
    };
    let (world, receiver) = receiving(config).await;
    let ticket = world.sim.create_ticket(&world.company, "x");
    world.sim.close_ticket(&world.company, ticket, "done");
    world.sim.delete_ticket(&world.company, ticket);
    let received = receiver.wait_for(3).await;
    let closed = world.verify(&received[1]).await.expect("verified");
    assert!(closed.needs_lookup);
    let deleted = world.verify(&received[2]).await.expect("verified");
    assert_eq!(deleted.action, ChangeAction::Delete);
    assert!(!deleted.needs_lookup);
}

#[tokio::test]
async fn whatever_connectwise_appends_the_callback_keeps_our_route() {
    use connectwise_sim::CallbackUrlForm as Form;
    for form in [
        Form::AppendId,
        Form::AppendIdAndAction,
        Form::QueryParameters,
        Form::Unchanged,
    ] {
        let (world, receiver) = receiving(SimConfig {
            url_form: form,
            ..fast_config()
        })
        .await;
        let ticket = world.sim.create_ticket(&world.company, "x");
        let received = receiver.wait_for(1).await;
        assert_eq!(received[0].path, "/hooks/connectwise/tok1", "{form:?}");
        let change = world.verify(&received[0]).await.expect("verified");
        assert_eq!(change.ticket_id, TicketId(ticket.0), "{form:?}");
    }
}

#[tokio::test]
async fn keys_that_change_with_every_message_are_fetched_for_each() {
    let config = SimConfig {
        signing_keys: connectwise_sim::SigningKeys::PerMessage,
        ..fast_config()
    };
    let (world, receiver) = receiving(config).await;
    let ticket = world.sim.create_ticket(&world.company, "x");
    world.sim.close_ticket(&world.company, ticket, "done");
    let received = receiver.wait_for(2).await;
    for callback in &received {
        world
            .verify(callback)
            .await
            .expect("verified with its own key");
    }
    assert_eq!(world.requests_of(Op::CallbackKey).len(), 2);
}

#[tokio::test]
async fn a_ticket_our_own_member_closes_still_calls_back() {
    // The simulator honours isSelfSuppressedFlag; ours is registered false.
    let (world, receiver) = receiving(fast_config()).await;
    let ticket = world.sim.create_ticket(&world.company, "x");
    receiver.wait_for(1).await;
    let patch = serde_json::json!([{"op": "replace", "path": "closedFlag", "value": true}]);
    world
        .as_member(
            reqwest::Method::PATCH,
            &format!("service/tickets/{}", ticket.0),
            patch,
        )
        .await;
    let received = receiver.wait_for(2).await;
    assert_eq!(
        received.len(),
        2,
        "the member's own closure was not suppressed"
    );
    let closed = world.verify(&received[1]).await.expect("verified");
    assert!(closed.is_completion());
}
