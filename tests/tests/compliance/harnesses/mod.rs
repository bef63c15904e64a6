//! One harness per PSA adapter the suite runs against.

mod autotask;
mod connectwise;

pub use autotask::AutotaskHarness;
pub use connectwise::ConnectWiseHarness;
