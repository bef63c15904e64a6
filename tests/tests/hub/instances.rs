//! One psa-hub per PostgreSQL database: a second instance would run every connection's actor
//! again (registering and repairing the same webhooks twice), so it refuses to start, with a
//! clear error, until the first has stopped.

use std::net::SocketAddr;

use psa_hub::Application;

use crate::helpers::{Hub, TENANT};

#[actix_web::test]
async fn a_second_instance_on_one_postgres_database_refuses_to_start_until_the_first_stops() {
    let mut hub = Hub::start().await;
    if !hub.on_postgres() {
        // SQLite is one file on one host: the claim is PostgreSQL's (run by `scripts/test`).
        return;
    }
    let (_, status) = hub.connect(TENANT).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
    let mut second = hub.settings.clone();
    let any: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    (second.public.listen, second.admin.listen) = (any, any);

    let refused = Application::build(second.clone())
        .await
        .expect_err("refused");
    let message = format!("{refused:#}");
    assert!(message.contains("another psa-hub instance"), "{message}");
    let webhooks = hub.sim.webhooks(hub.db);
    assert_eq!(webhooks.len(), 1, "the refused instance touched nothing");

    // Once the first has stopped, a successor starts on the same database.
    hub.handle.stop().await;
    let successor = Application::build(second)
        .await
        .expect("the successor starts");
    let handle = successor.handle();
    actix_web::rt::spawn(successor.run_until_stopped());
    handle.stop().await;
    hub.restart().await;
    let (_, status) = hub.status(TENANT).await;
    assert_eq!(status["webhook"]["state"], "active", "{status}");
}
