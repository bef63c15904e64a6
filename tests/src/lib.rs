//! Black-box tests for psa-hub; the tests themselves live under `tests/tests/`.
