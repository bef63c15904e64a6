//! Black-box tests for psa-hub; the tests themselves live under `tests/tests/`. This library holds
//! what every test binary shares: the database a test's hub stores in.

mod database;

pub use database::{TestDatabase, POSTGRES_VAR};
