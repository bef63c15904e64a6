//! Keeping the database bounded: the delivery log is pruned past its retention, in batches so
//! callouts never wait long behind the clean-up.

use psa_proto::PsaName;

use super::{Store, StoreError};

/// Rows deleted per transaction; small enough that a callout queued behind it waits milliseconds.
const PRUNE_BATCH: i64 = 1_000;

impl Store {
    /// Deletes deliveries received before `cutoff_millis`; returns how many.
    pub async fn prune_deliveries(&self, cutoff_millis: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let deleted = {
                let _turn = self.write_turn().await;
                sqlx::query(
                    "DELETE FROM deliveries WHERE (tenant_id, dedupe_key) IN \
                       (SELECT tenant_id, dedupe_key FROM deliveries \
                        WHERE received_at < $1 LIMIT $2)",
                )
                .bind(cutoff_millis)
                .bind(PRUNE_BATCH)
                .execute(self.pool())
                .await?
                .rows_affected()
            };
            total += deleted;
            if deleted < PRUNE_BATCH as u64 {
                return Ok(total);
            }
        }
    }

    /// Per PSA, connections whose setups have failed since before `since_millis` (for the
    /// gauge).
    pub async fn failing_since_before(
        &self,
        since_millis: i64,
    ) -> Result<Vec<(PsaName, i64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT psa, COUNT(*) FROM connections WHERE state = 'failed' AND failing_since < $1 \
             GROUP BY psa",
        )
        .bind(since_millis)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(psa, n)| Some((self.psa_of(&psa).ok()?, n)))
            .collect())
    }
}
