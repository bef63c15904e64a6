//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info` for psa-hub itself).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // A second init (tests building several hubs) keeps the first subscriber. Colour codes only
    // on a terminal: in a file or a log pipeline they are noise.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
