//! What the organisers' figures and the agents' exports read: one fact per
//! inquiry (no personal data), and an agent's inquiries with their contact
//! details for that agent's own export.

use std::collections::HashMap;

use sqlx::Row;
use yunzhan_model::deal::{Stage, StageChange};
use yunzhan_model::figures::{DealFact, pipeline_rank};
use yunzhan_model::inquiry::Inquiry;

use super::attention::conference_day;
use super::deals::{INBOX_COLUMNS, inbox_row, stage_from_wire};
use super::{Db, DbResult, InboxRow, parse_rfc3339};

/// How far each deal got and its amount now, from its stage history.
#[derive(Default)]
struct History {
    furthest: Option<Stage>,
    amount_wan: Option<f64>,
}

impl History {
    fn reach(&mut self, stage: Stage) {
        if pipeline_rank(stage) > self.furthest.and_then(pipeline_rank) {
            self.furthest = Some(stage);
        }
    }
}

impl Db {
    /// One fact per inquiry, oldest first.
    pub async fn deal_facts(&self) -> DbResult<Vec<DealFact>> {
        let mut histories: HashMap<i64, History> = HashMap::new();
        let events = sqlx::query(
            "SELECT inquiry_id, to_value, record FROM deal_events WHERE kind = 'stage' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        for event in &events {
            let stage = stage_from_wire(&event.try_get::<String, _>("to_value")?)?;
            let change: StageChange = super::decode_record(event, "deal_events")?;
            let history = histories.entry(event.try_get("inquiry_id")?).or_default();
            history.reach(stage);
            history.amount_wan = change.amount_wan;
        }
        let rows = sqlx::query(
            "SELECT id, platform_no, agent_id, received_at, stage, first_reply_at
             FROM inquiries ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let stage = stage_from_wire(&row.try_get::<String, _>("stage")?)?;
                let received_at =
                    parse_rfc3339(&row.try_get::<String, _>("received_at")?).unwrap_or_default();
                let first_reply_at: Option<String> = row.try_get("first_reply_at")?;
                let mut history = histories.remove(&id).unwrap_or_default();
                history.reach(stage);
                Ok(DealFact {
                    platform_no: row.try_get("platform_no")?,
                    agent_id: row.try_get("agent_id")?,
                    received_at,
                    received_day: conference_day(received_at),
                    stage,
                    furthest: history.furthest.unwrap_or(Stage::New),
                    first_reply_at: first_reply_at.as_deref().and_then(parse_rfc3339),
                    amount_wan: history.amount_wan.filter(|_| stage.has_terms()),
                })
            })
            .collect()
    }

    /// Every inquiry of one agent with its contact details, oldest first.
    pub async fn agent_records(&self, agent_id: &str) -> DbResult<Vec<(InboxRow, Inquiry)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INBOX_COLUMNS} FROM inquiries WHERE agent_id = $1 ORDER BY id"
        )))
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(inbox_row).collect()
    }
}
