//! What happens to an inquiry after it is stored: the thread of messages
//! between visitor and agent, the deal's stage with its append-only history,
//! reassignment, and the `changes` feed every replica follows for live
//! updates. Every write is one transaction that also appends to `changes`.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use yunzhan_model::api::{Author, ThreadMessage};
use yunzhan_model::deal::{Stage, StageChange};
use yunzhan_model::inquiry::Inquiry;

use super::{Db, DbError, DbResult, decode_record, digest, now_rfc3339, unix_now};
use crate::rate::RateLimit;

/// A stage's name in the database and on the wire.
pub fn stage_wire(stage: Stage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|value| value.as_str().map(String::from))
        .unwrap_or_default()
}

pub(super) fn stage_from_wire(name: &str) -> DbResult<Stage> {
    serde_json::from_value(serde_json::Value::String(name.into()))
        .map_err(|_| DbError::Failed(format!("a stored stage {name:?} is unknown")))
}

/// An inquiry as the workspace lists it (no message text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxRow {
    pub id: i64,
    pub platform_no: String,
    pub agent_id: String,
    pub received_at: String,
    pub stage: Stage,
    pub first_reply_at: Option<String>,
    /// The last word is the visitor's.
    pub awaiting_reply: bool,
    pub intent: Option<yunzhan_model::CooperationMode>,
}

/// What the workspace filters the inbox by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboxFilter {
    /// Only this agent's inquiries (`None`: everyone's, for organisers).
    pub agent: Option<String>,
    pub platform_no: Option<String>,
    pub stage: Option<Stage>,
}

/// One entry of a deal's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealEvent {
    pub at: String,
    /// Who made it: an agent's id or an organiser's name.
    pub actor: String,
    pub kind: EventKind,
    pub from: String,
    pub to: String,
    /// For a stage change: its terms, reason and note.
    pub change: Option<StageChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Stage,
    Assign,
}

/// An inquiry with everything the agent's page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryFile {
    pub row: InboxRow,
    pub inquiry: Inquiry,
    /// The inquiry's own message first, then the replies.
    pub messages: Vec<ThreadMessage>,
    pub history: Vec<DealEvent>,
}

impl InquiryFile {
    /// Replies and stage changes by the agent side (the app's unread count).
    pub fn agent_updates(&self) -> i64 {
        let replies = self
            .messages
            .iter()
            .filter(|message| message.author == Author::Agent)
            .count();
        let stages = self
            .history
            .iter()
            .filter(|event| event.kind == EventKind::Stage)
            .count();
        (replies + stages) as i64
    }
}

/// A message to add to a thread.
#[derive(Debug, Clone)]
pub struct MessageWrite {
    pub inquiry_id: i64,
    pub author: Author,
    /// The agent's id, or empty for the visitor.
    pub author_id: String,
    pub body: String,
    /// The visitor's idempotency key (their outbox retries under it).
    pub key: Option<String>,
    /// The client's rate bucket and the limit.
    pub client: String,
    pub limit: RateLimit,
}

/// What adding a message did.
#[derive(Debug, Clone, PartialEq)]
pub enum Posted {
    Created(ThreadMessage),
    /// The key was used before for the same text: that message.
    Replayed(ThreadMessage),
    /// The key was used before for a different text.
    KeyReused,
    Limited(std::time::Duration),
}

/// One row of the `changes` feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub inquiry_id: i64,
    pub agent_id: String,
}

pub(super) const INBOX_COLUMNS: &str =
    "id, platform_no, agent_id, received_at, stage, first_reply_at, awaiting_reply, record";

pub(super) fn inbox_row(row: &AnyRow) -> DbResult<(InboxRow, Inquiry)> {
    let inquiry: Inquiry = decode_record(row, "inquiries")?;
    let stage: String = row.try_get("stage")?;
    let awaiting: i64 = row.try_get("awaiting_reply")?;
    Ok((
        InboxRow {
            id: row.try_get("id")?,
            platform_no: row.try_get("platform_no")?,
            agent_id: row.try_get("agent_id")?,
            received_at: row.try_get("received_at")?,
            stage: stage_from_wire(&stage)?,
            first_reply_at: row.try_get("first_reply_at")?,
            awaiting_reply: awaiting != 0,
            intent: inquiry.intent,
        },
        inquiry,
    ))
}

fn message(row: &AnyRow) -> DbResult<ThreadMessage> {
    let author: String = row.try_get("author")?;
    Ok(ThreadMessage {
        id: row.try_get("id")?,
        author: if author == "agent" {
            Author::Agent
        } else {
            Author::Visitor
        },
        body: row.try_get("body")?,
        sent_at: row.try_get("sent_at")?,
    })
}

fn deal_event(row: &AnyRow) -> DbResult<DealEvent> {
    let kind: String = row.try_get("kind")?;
    let kind = if kind == "assign" {
        EventKind::Assign
    } else {
        EventKind::Stage
    };
    Ok(DealEvent {
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        kind,
        from: row.try_get("from_value")?,
        to: row.try_get("to_value")?,
        change: match kind {
            EventKind::Stage => Some(decode_record(row, "deal_events")?),
            EventKind::Assign => None,
        },
    })
}

/// Appends to the feed the replicas follow.
pub(super) async fn record_change(
    transaction: &mut Transaction<'_, Any>,
    inquiry_id: i64,
    agent_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO changes (inquiry_id, agent_id) VALUES ($1, $2)")
        .bind(inquiry_id)
        .bind(agent_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Keeps the digest of a thread secret for an inquiry.
pub(super) async fn keep_secret(
    transaction: &mut Transaction<'_, Any>,
    inquiry_id: i64,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO thread_secrets (secret_sha256, inquiry_id) VALUES ($1, $2)")
        .bind(digest(secret.as_bytes()))
        .bind(inquiry_id)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

impl Db {
    /// The inquiries a filter selects: awaiting a reply first, then oldest
    /// first; at most `limit`, and how many there are in all.
    pub async fn inbox(&self, filter: &InboxFilter, limit: i64) -> DbResult<(Vec<InboxRow>, i64)> {
        let conditions = "($1 = '' OR agent_id = $1) AND ($2 = '' OR platform_no = $2)
             AND ($3 = '' OR stage = $3)";
        let agent = filter.agent.clone().unwrap_or_default();
        let project = filter.platform_no.clone().unwrap_or_default();
        let stage = filter.stage.map(stage_wire).unwrap_or_default();
        let sql = format!(
            "SELECT {INBOX_COLUMNS} FROM inquiries WHERE {conditions}
             ORDER BY awaiting_reply DESC, id LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&agent)
            .bind(&project)
            .bind(&stage)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM inquiries WHERE {conditions}"
        )))
        .bind(&agent)
        .bind(&project)
        .bind(&stage)
        .fetch_one(&self.pool)
        .await?;
        let rows = rows
            .iter()
            .map(|row| inbox_row(row).map(|(row, _)| row))
            .collect::<DbResult<_>>()?;
        Ok((rows, total))
    }

    /// An inquiry with its thread and history, or `None` if there is none.
    pub async fn inquiry_file(&self, id: i64) -> DbResult<Option<InquiryFile>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INBOX_COLUMNS} FROM inquiries WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (row, inquiry) = inbox_row(&row)?;
        let mut messages = vec![ThreadMessage {
            id: 0,
            author: Author::Visitor,
            body: inquiry.message.clone(),
            sent_at: row.received_at.clone(),
        }];
        let replies = sqlx::query(
            "SELECT id, author, body, sent_at FROM messages WHERE inquiry_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for reply in &replies {
            messages.push(message(reply)?);
        }
        let history = sqlx::query(
            "SELECT kind, actor, at, from_value, to_value, record FROM deal_events
             WHERE inquiry_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(deal_event)
        .collect::<DbResult<_>>()?;
        Ok(Some(InquiryFile {
            row,
            inquiry,
            messages,
            history,
        }))
    }

    /// The inquiry a visitor's secret opens: `None` when the secret is not
    /// that inquiry's (or there is no such inquiry: the two look alike).
    pub async fn thread_by_secret(&self, id: i64, secret: &str) -> DbResult<Option<InquiryFile>> {
        let holder: Option<i64> =
            sqlx::query_scalar("SELECT inquiry_id FROM thread_secrets WHERE secret_sha256 = $1")
                .bind(digest(secret.as_bytes()))
                .fetch_optional(&self.pool)
                .await?;
        if holder != Some(id) {
            return Ok(None);
        }
        self.inquiry_file(id).await
    }

    /// Adds a message to a thread (once per idempotency key) and takes the
    /// client's rate token.
    pub async fn post_message(&self, write: &MessageWrite) -> DbResult<Posted> {
        let mut transaction = self.pool.begin().await?;
        if let Err(wait) = super::inquiries::take_token(
            &mut transaction,
            &format!("reply:{}", write.client),
            write.limit,
            unix_now(),
        )
        .await?
        {
            return Ok(Posted::Limited(wait));
        }
        let body_digest = digest(write.body.as_bytes());
        let sent_at = now_rfc3339();
        let author = match write.author {
            Author::Agent => "agent",
            Author::Visitor => "visitor",
        };
        let created: Option<i64> = sqlx::query_scalar(
            "INSERT INTO messages (inquiry_id, author, author_id, body, sent_at, idempotency_key, body_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(write.inquiry_id)
        .bind(author)
        .bind(&write.author_id)
        .bind(&write.body)
        .bind(&sent_at)
        .bind(write.key.clone())
        .bind(&body_digest)
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(id) = created else {
            let row = sqlx::query(
                "SELECT id, author, body, sent_at, body_digest, inquiry_id FROM messages
                 WHERE idempotency_key = $1",
            )
            .bind(write.key.clone())
            .fetch_one(&mut *transaction)
            .await?;
            transaction.rollback().await?;
            let stored_digest: String = row.try_get("body_digest")?;
            let stored_inquiry: i64 = row.try_get("inquiry_id")?;
            return Ok(
                if stored_digest == body_digest && stored_inquiry == write.inquiry_id {
                    Posted::Replayed(message(&row)?)
                } else {
                    Posted::KeyReused
                },
            );
        };
        let agent_id: String = match write.author {
            Author::Agent => {
                sqlx::query_scalar(
                    "UPDATE inquiries SET awaiting_reply = 0,
                        first_reply_at = COALESCE(first_reply_at, $2)
                     WHERE id = $1 RETURNING agent_id",
                )
                .bind(write.inquiry_id)
                .bind(&sent_at)
                .fetch_one(&mut *transaction)
                .await?
            }
            Author::Visitor => {
                sqlx::query_scalar(
                    "UPDATE inquiries SET awaiting_reply = 1 WHERE id = $1 RETURNING agent_id",
                )
                .bind(write.inquiry_id)
                .fetch_one(&mut *transaction)
                .await?
            }
        };
        record_change(&mut transaction, write.inquiry_id, &agent_id).await?;
        transaction.commit().await?;
        Ok(Posted::Created(ThreadMessage {
            id,
            author: write.author,
            body: write.body.clone(),
            sent_at,
        }))
    }

    /// Moves a deal to `change.to` (validated by the caller) and appends the
    /// change to its history; returns the stage it came from, or `None`
    /// when there is no such inquiry.
    pub async fn change_stage(
        &self,
        id: i64,
        actor: &str,
        change: &StageChange,
    ) -> DbResult<Option<Stage>> {
        let to = stage_wire(change.to.unwrap_or(Stage::New));
        let record = serde_json::to_string(change).expect("a stage change serialises");
        self.append_event(id, actor, EventKind::Stage, "stage", &to, &record)
            .await?
            .map(|from| stage_from_wire(&from))
            .transpose()
    }

    /// Gives an inquiry to another agent; returns the agent it had, or
    /// `None` when there is no such inquiry.
    pub async fn reassign(&self, id: i64, actor: &str, to_agent: &str) -> DbResult<Option<String>> {
        self.append_event(id, actor, EventKind::Assign, "agent_id", to_agent, "{}")
            .await
    }

    /// Sets `column` of inquiry `id` to `to` and appends the event, in one
    /// transaction; compare-and-set so that two changes at once both land
    /// in the history in the order they took effect.
    async fn append_event(
        &self,
        id: i64,
        actor: &str,
        kind: EventKind,
        column: &str,
        to: &str,
        record: &str,
    ) -> DbResult<Option<String>> {
        loop {
            let mut transaction = self.pool.begin().await?;
            let current: Option<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {column}, agent_id FROM inquiries WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(&mut *transaction)
            .await?;
            let Some((from, old_agent)) = current else {
                return Ok(None);
            };
            let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE inquiries SET {column} = $1 WHERE id = $2 AND {column} = $3"
            )))
            .bind(to)
            .bind(id)
            .bind(&from)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if updated == 0 {
                transaction.rollback().await?;
                continue;
            }
            sqlx::query(
                "INSERT INTO deal_events (inquiry_id, kind, actor, at, from_value, to_value, record)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(match kind {
                EventKind::Stage => "stage",
                EventKind::Assign => "assign",
            })
            .bind(actor)
            .bind(now_rfc3339())
            .bind(&from)
            .bind(to)
            .bind(record)
            .execute(&mut *transaction)
            .await?;
            record_change(&mut transaction, id, &old_agent).await?;
            if kind == EventKind::Assign && old_agent != to {
                record_change(&mut transaction, id, to).await?;
            }
            transaction.commit().await?;
            return Ok(Some(from));
        }
    }

    /// The newest change's id (0 when there is none).
    pub async fn last_change(&self) -> DbResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Changes after `id`, oldest first, at most 1,000.
    pub async fn changes_after(&self, id: i64) -> DbResult<Vec<Change>> {
        let rows = sqlx::query(
            "SELECT id, inquiry_id, agent_id FROM changes WHERE id > $1 ORDER BY id LIMIT 1000",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Change {
                    id: row.try_get("id")?,
                    inquiry_id: row.try_get("inquiry_id")?,
                    agent_id: row.try_get("agent_id")?,
                })
            })
            .collect()
    }

    /// Hours without a first reply after which an inquiry is overdue.
    pub async fn overdue_hours(&self) -> DbResult<f64> {
        Ok(super::meta(&self.pool, "overdue_hours")
            .await?
            .and_then(|hours| hours.parse().ok())
            .unwrap_or(DEFAULT_OVERDUE_HOURS))
    }

    pub async fn set_overdue_hours(&self, hours: f64) -> DbResult<()> {
        super::set_meta(&self.pool, "overdue_hours", &hours.to_string()).await
    }
}

/// The overdue threshold until an organiser sets one.
pub const DEFAULT_OVERDUE_HOURS: f64 = 48.0;
