//! Anonymous attention counts: added up per conference day, project and
//! event. A batch's id is kept so that a retried batch counts once;
//! nothing about who sent it is stored.

use std::collections::BTreeMap;

use sqlx::Row;
use yunzhan_model::attention::{Count, Event};
use yunzhan_model::figures::Attention;

use super::{Db, DbError, DbResult, rfc3339, unix_now};

/// The conference's time zone (China Standard Time, UTC+8): its days are
/// the days of every chart and table.
const CONFERENCE_UTC_OFFSET: i64 = 8 * 3600;

/// The conference day (`YYYY-MM-DD`) of a moment in Unix seconds.
pub fn conference_day(unix_seconds: i64) -> String {
    rfc3339(unix_seconds + CONFERENCE_UTC_OFFSET)[..10].to_string()
}

fn event_wire(event: Event) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|value| value.as_str().map(String::from))
        .unwrap_or_default()
}

fn event_from_wire(name: &str) -> DbResult<Event> {
    serde_json::from_value(serde_json::Value::String(name.into()))
        .map_err(|_| DbError::Failed(format!("a stored attention event {name:?} is unknown")))
}

/// Counts per day and event, for a set of projects.
pub type DailyCounts = BTreeMap<String, BTreeMap<Event, u64>>;

impl Db {
    /// Adds a batch's counts, unless a batch with this id was counted
    /// before; returns whether it was new.
    pub async fn add_counts(&self, batch: &str, counts: &[Count]) -> DbResult<bool> {
        let day = conference_day(unix_now() as i64);
        let mut transaction = self.pool.begin().await?;
        let first = sqlx::query(
            "INSERT INTO attention_batches (id, day) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(batch)
        .bind(&day)
        .execute(&mut *transaction)
        .await?
        .rows_affected()
            == 1;
        if !first {
            return Ok(false);
        }
        for count in counts {
            sqlx::query(
                "INSERT INTO attention_counts (day, platform_no, event, count) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (day, platform_no, event)
                 DO UPDATE SET count = attention_counts.count + excluded.count",
            )
            .bind(&day)
            .bind(&count.platform_no)
            .bind(event_wire(count.event))
            .bind(i64::from(count.n))
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(true)
    }

    /// Booth visits and card opens over the whole conference, or `None`
    /// when nothing has been counted yet.
    pub async fn attention_totals(&self) -> DbResult<Option<Attention>> {
        let rows = sqlx::query(
            "SELECT event, CAST(SUM(count) AS BIGINT) AS total FROM attention_counts GROUP BY event",
        )
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut attention = Attention::default();
        for row in &rows {
            let total: i64 = row.try_get("total")?;
            match event_from_wire(&row.try_get::<String, _>("event")?)? {
                Event::BoothVisit => attention.booth_visits = total as u64,
                Event::CardOpen => attention.card_opens = total as u64,
                _ => {}
            }
        }
        Ok(Some(attention))
    }

    /// Each day's counts of the projects `platform_nos`, added together.
    pub async fn daily_counts(&self, platform_nos: &[String]) -> DbResult<DailyCounts> {
        let mut daily = DailyCounts::new();
        // One query per project keeps the SQL the same on both back ends
        // (an exhibitor has a handful of projects).
        for platform_no in platform_nos {
            let rows = sqlx::query(
                "SELECT day, event, count FROM attention_counts WHERE platform_no = $1",
            )
            .bind(platform_no)
            .fetch_all(&self.pool)
            .await?;
            for row in &rows {
                let event = event_from_wire(&row.try_get::<String, _>("event")?)?;
                let count: i64 = row.try_get("count")?;
                *daily
                    .entry(row.try_get("day")?)
                    .or_default()
                    .entry(event)
                    .or_default() += count as u64;
            }
        }
        Ok(daily)
    }
}
