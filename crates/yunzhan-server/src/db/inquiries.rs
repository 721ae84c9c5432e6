//! Inquiries are written by one writer task per server: inquiries arriving
//! together are stored in one transaction and each is answered after that
//! transaction's commit (group commit). Durability is unchanged (nothing is
//! acknowledged before it is on disk), but 32 inquiries at once cost one
//! disk flush instead of 32.
//!
//! The client's rate token is taken in the same transaction, from a bucket
//! in the database, so the limit holds across replicas.

use std::time::Duration;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};
use yunzhan_model::inquiry::Inquiry;

use super::deals::{keep_secret, record_change};
use super::{DbError, DbResult, decode_record, digest, unix_now};
use crate::rate::RateLimit;

/// Most inquiries committed in one transaction.
const BATCH: usize = 128;

/// A stored inquiry as the API returns it. Its text is returned exactly as
/// sent, inside JSON: never interpreted as HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StoredInquiry {
    pub id: i64,
    pub agent_id: String,
    pub received_at: String,
    #[serde(flatten)]
    pub inquiry: Inquiry,
}

/// An inquiry to store.
#[derive(Debug, Clone)]
pub struct InquiryWrite {
    pub key: String,
    pub inquiry: Inquiry,
    pub agent_id: String,
    pub received_at: String,
    /// The client whose rate token it takes, and the limit.
    pub client: String,
    pub limit: RateLimit,
    /// The secret this request's receipt gives the visitor to their
    /// thread; its digest is kept (a replay's too).
    pub thread_secret: String,
}

/// What storing an inquiry under an idempotency key did.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    Created(StoredInquiry),
    /// The key was used before for the same inquiry: the first one.
    Replayed(StoredInquiry),
    /// The key was used before for a different inquiry.
    KeyReused,
    /// The client is over its rate; a token is free after this long.
    Limited(Duration),
}

struct Job {
    write: InquiryWrite,
    answer: oneshot::Sender<DbResult<Stored>>,
}

/// The handle of the writer task.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer on the current tokio runtime.
    pub(super) fn start(pool: AnyPool) -> Writer {
        let (jobs, mut queue) = mpsc::channel::<Job>(4 * BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while queue.recv_many(&mut batch, BATCH).await > 0 {
                let writes: Vec<&InquiryWrite> = batch.iter().map(|job| &job.write).collect();
                match commit(&pool, &writes).await {
                    Ok(outcomes) => {
                        for (job, outcome) in batch.drain(..).zip(outcomes) {
                            let _ = job.answer.send(Ok(outcome));
                        }
                    }
                    Err(error) => {
                        let error = DbError::from(error);
                        for job in batch.drain(..) {
                            let _ = job.answer.send(Err(error.clone()));
                        }
                    }
                }
            }
        });
        Writer { jobs }
    }

    pub(super) async fn store(&self, write: InquiryWrite) -> DbResult<Stored> {
        let stopped = || DbError::Unavailable("the inquiry writer has stopped".into());
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job { write, answer })
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Stores a batch in one transaction. Locks are taken in one global order
/// (all rate buckets by client, then all keys in order), so two replicas'
/// batches never wait on each other in a circle.
async fn commit(pool: &AnyPool, batch: &[&InquiryWrite]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    let now = unix_now();
    let mut outcomes: Vec<Option<Stored>> = vec![None; batch.len()];
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by(|&a, &b| batch[a].client.cmp(&batch[b].client));
    for &index in &order {
        let write = batch[index];
        if let Err(wait) = take_token(&mut transaction, &write.client, write.limit, now).await? {
            outcomes[index] = Some(Stored::Limited(wait));
        }
    }
    order.sort_by(|&a, &b| batch[a].key.cmp(&batch[b].key));
    for &index in &order {
        if outcomes[index].is_none() {
            outcomes[index] = Some(insert(&mut transaction, batch[index]).await?);
        }
    }
    transaction.commit().await?;
    Ok(outcomes.into_iter().flatten().collect())
}

async fn insert(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    write: &InquiryWrite,
) -> Result<Stored, sqlx::Error> {
    let record = serde_json::to_string(&write.inquiry).expect("an inquiry serialises");
    let body_digest = digest(record.as_bytes());
    let created: Option<i64> = sqlx::query_scalar(
        "INSERT INTO inquiries (idempotency_key, body_digest, platform_no, agent_id, record, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(&write.key)
    .bind(&body_digest)
    .bind(&write.inquiry.platform_no)
    .bind(&write.agent_id)
    .bind(&record)
    .bind(&write.received_at)
    .fetch_optional(&mut **transaction)
    .await?;
    if let Some(id) = created {
        keep_secret(transaction, id, &write.thread_secret).await?;
        record_change(transaction, id, &write.agent_id).await?;
        return Ok(Stored::Created(StoredInquiry {
            id,
            agent_id: write.agent_id.clone(),
            received_at: write.received_at.clone(),
            inquiry: write.inquiry.clone(),
        }));
    }
    let row = sqlx::query(
        "SELECT id, agent_id, received_at, record, body_digest FROM inquiries WHERE idempotency_key = $1",
    )
    .bind(&write.key)
    .fetch_one(&mut **transaction)
    .await?;
    let stored_digest: String = row.try_get("body_digest")?;
    Ok(if stored_digest == body_digest {
        let stored = stored_inquiry(&row).map_err(|error| sqlx::Error::Decode(error.into()))?;
        keep_secret(transaction, stored.id, &write.thread_secret).await?;
        Stored::Replayed(stored)
    } else {
        Stored::KeyReused
    })
}

/// The bucket refilled to now, capped at the burst (`$2` burst, `$3` now,
/// `$4` tokens per second).
const REFILLED: &str = "CASE WHEN rate_buckets.tokens + ($3 - rate_buckets.updated_at) * $4 < $2
    THEN rate_buckets.tokens + ($3 - rate_buckets.updated_at) * $4 ELSE $2 END";

/// Takes one token from `client`'s bucket, or says how long until one is
/// free. One statement, so concurrent replicas serialise on the row.
pub(super) async fn take_token(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    client: &str,
    limit: RateLimit,
    now: f64,
) -> Result<Result<(), Duration>, sqlx::Error> {
    let per_second = limit.per_minute / 60.0;
    let sql = format!(
        "INSERT INTO rate_buckets (client, tokens, updated_at, granted) VALUES ($1, $2 - 1, $3, 1)
         ON CONFLICT (client) DO UPDATE SET
            granted = CASE WHEN {REFILLED} >= 1 THEN 1 ELSE 0 END,
            tokens = {REFILLED} - CASE WHEN {REFILLED} >= 1 THEN 1 ELSE 0 END,
            updated_at = $3
         RETURNING granted, tokens"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(client)
        .bind(limit.burst)
        .bind(now)
        .bind(per_second)
        .fetch_one(&mut **transaction)
        .await?;
    let granted: i64 = row.try_get("granted")?;
    let tokens: f64 = row.try_get("tokens")?;
    Ok(if granted == 1 {
        Ok(())
    } else {
        Err(Duration::from_secs_f64((1.0 - tokens) / per_second))
    })
}

pub(super) fn stored_inquiry(row: &AnyRow) -> DbResult<StoredInquiry> {
    Ok(StoredInquiry {
        id: row.try_get("id")?,
        agent_id: row.try_get("agent_id")?,
        received_at: row.try_get("received_at")?,
        inquiry: decode_record(row, "inquiries")?,
    })
}
