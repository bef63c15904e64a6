//! The plain-language fix for each ConnectWise failure: what the MSP or operator should do.

use crate::error::{cloud_404_note, ConnectWiseError};

/// How to delete a callback by hand: ConnectWise cloud usually has no callbacks screen
/// (reference §1), so the REST call and ConnectWise support come first.
pub fn delete_by_hand(id: Option<String>, url: &str) -> String {
    let (which, call) = match id {
        Some(id) => (
            format!("the callback with id {id}"),
            format!("DELETE /system/callbacks/{id}"),
        ),
        None => (
            "each callback".to_owned(),
            "GET /system/callbacks?conditions=url contains \"…\" to find its id, then \
             DELETE /system/callbacks/{id}"
                .to_owned(),
        ),
    };
    format!(
        "Delete {which} whose URL begins with {url} from ConnectWise PSA. ConnectWise cloud \
         usually shows no callbacks screen: call the REST API as an API member ({call} under \
         https://<your API host>/<codebase>apis/3.0) or ask ConnectWise support to delete it. On \
         an on-premises ConnectWise PSA an administrator can delete it under System › Setup \
         Tables › Callbacks (table name \"Callbacks\"), if it is there."
    )
}

pub(crate) fn fix(error: &ConnectWiseError) -> String {
    use ConnectWiseError as E;
    match error {
        E::CredentialsRejected { .. } => format!(
            "Check the company ID, public key and private key: in ConnectWise PSA open System › \
             Members › API Members, select the API member, and on its API Keys tab create a new \
             key pair if in doubt (a deleted key stops working at once). Save the company ID and \
             both keys here, then click Retry Webhook Setup. {}",
            cloud_404_note()
        ),
        E::UnknownCompany { .. } => "Enter the company ID you sign in to ConnectWise PSA with, and the address of your ConnectWise PSA site (for example https://na.myconnectwise.net, or your own server's address), then retry.".into(),
        E::CannotManageCallbacks { .. } => "ConnectWise PSA refused the API member access to callbacks (/system/callbacks). ConnectWise does not document which security-role permission governs callbacks, so this is unverified: most likely it is System › Table Setup. In ConnectWise PSA open System › Security Roles, edit the API member's role, set System › Table Setup to Add, Edit, Delete and Inquire Level \"All\", save, then click Retry Webhook Setup. If that does not help, ask ConnectWise support which permission /system/callbacks needs.".into(),
        E::NoTicketPermission { .. } => "psa-hub reads tickets and their resolution notes. In ConnectWise PSA open System › Security Roles, edit the API member's role, set Service Desk › Service Tickets to Inquire Level \"All\" (with no board restriction), save, then click Retry Webhook Setup.".into(),
        E::ObjectExists { .. } | E::DuplicateCallback { .. } => "ConnectWise PSA already holds a matching ticket callback (owner level) that is not psa-hub's, and allows only one. Find it (GET /system/callbacks?conditions=type=\"ticket\") and delete the one that is not at psa-hub's URL if nothing needs it, or ask ConnectWise support; then click Retry Webhook Setup.".into(),
        E::Throttled { .. } => "ConnectWise PSA is limiting API use (it throttles integrations above about 1,000 requests a minute, shared with the MSP's other integrations). psa-hub waits as long as ConnectWise asks (Retry-After) and retries on its own; if it persists, look for an integration using the API heavily.".into(),
        E::Server { .. } | E::Network { .. } => "ConnectWise PSA could not be reached or failed on its side. psa-hub retries on its own; if it persists, check ConnectWise's status page and the network path to the site.".into(),
        E::NotFound { .. } => format!("The callback no longer exists in ConnectWise PSA; click Retry Webhook Setup to create it again. {}", cloud_404_note()),
        E::InvalidRequest { message, .. } => format!("ConnectWise PSA refused the request ({message}). Check psa-hub's public URL setting, then retry; if it persists, contact psa-hub support with this message."),
        E::InvalidSpec { .. } => "Check psa-hub's configuration: the public URL must be an absolute http(s) URL without a query, and the callback description 1 to 100 characters.".into(),
        E::InvalidSettings { .. } => "Check psa-hub's [connectwise] configuration: client_id must be the product's ConnectWise clientId.".into(),
        E::InternalSite => "Enter your ConnectWise PSA's public address as the site (like https://na.myconnectwise.net, or your on-premises server's public name), then save the connection again.".into(),
        E::UnreadableCredentials => "The stored connection cannot be read as ConnectWise PSA credentials. Save the site, company ID and keys again, then retry.".into(),
        E::NotReady { .. } => "ConnectWise PSA created the callback but does not report it active at psa-hub's URL. Click Retry Webhook Setup; if it persists, contact psa-hub support with this message.".into(),
        E::Unexpected { .. } | E::Decode { .. } => "ConnectWise PSA answered in a way psa-hub did not expect. Check that the site address is your ConnectWise PSA's, retry later, and if it persists contact psa-hub support with this message.".into(),
        E::TicketUnconfirmed { .. } => format!(
            "psa-hub could not read a closed ticket, and ConnectWise PSA would not confirm it was deleted; it reads it again later on its own. If it keeps happening, check the site address and the API keys. {}",
            cloud_404_note()
        ),
        E::GoneUnconfirmed { id, .. } => format!(
            "psa-hub could not confirm that the callback is gone, so it may still exist. {} If it keeps happening, check the site address and the API keys. {}",
            delete_by_hand(Some(id.to_string()), "psa-hub's hook URL"),
            cloud_404_note()
        ),
    }
}
