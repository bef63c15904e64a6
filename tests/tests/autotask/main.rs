//! The Autotask adapter against the simulator, over real HTTP on random ports.

mod caches;
mod callouts;
mod check_remove;
mod helpers;
mod permissions;
mod registration;
mod repair;
mod signatures;
mod throttling;
