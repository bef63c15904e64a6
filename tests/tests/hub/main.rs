//! The hub, black-box: a real `Application` and the Autotask simulator over HTTP on random
//! ports, driven through the admin API and the public callout listener.

mod admin;
mod bad_input;
mod banners;
mod drift;
mod faults;
mod flood;
mod group_commit;
mod helpers;
mod ingest;
mod instances;
mod lifecycle;
mod openapi;
mod raw_http;
mod removal;
mod replaced;
mod robustness;
mod story;
mod upgrade;
mod upkeep;
mod wait;
