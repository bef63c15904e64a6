//! psa-hub: keeps security-alert events in step with the tickets MSPs work in their PSA.
