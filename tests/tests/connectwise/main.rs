//! The ConnectWise PSA adapter against the simulator, through the hub's provider boundary,
//! over real HTTP on random ports.

mod callbacks;
mod check_remove;
mod closure;
mod helpers;
mod permissions;
mod registration;
mod throttling;
