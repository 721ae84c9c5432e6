//! The server's SQLite database: the imported catalog, inquiries (stored
//! once per idempotency key) and service agents' tokens (kept as SHA-256
//! digests, never in clear).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::{Catalog, Project};

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    position INTEGER PRIMARY KEY,
    platform_no TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inquiries (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    body_digest TEXT NOT NULL,
    platform_no TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inquiries_by_agent ON inquiries (agent_id, id);
CREATE TABLE IF NOT EXISTS agent_tokens (
    token_sha256 TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
";

pub struct Db {
    connection: Mutex<Connection>,
}

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

/// What storing an inquiry under an idempotency key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Created(StoredInquiry),
    /// The key was used before for the same inquiry: the first one.
    Replayed(StoredInquiry),
    /// The key was used before for a different inquiry.
    KeyReused,
}

pub type DbResult<T> = Result<T, rusqlite::Error>;

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Db {
    pub fn open(path: &Path) -> DbResult<Db> {
        let connection = Connection::open(path)?;
        connection.execute_batch(SCHEMA)?;
        Ok(Db {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent
        // (transactions roll back), so a poisoned lock is still usable.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the stored catalog in one transaction; `progress` is called
    /// with the number of projects written so far.
    pub fn replace_catalog(
        &self,
        catalog: &Catalog,
        mut progress: impl FnMut(usize),
    ) -> DbResult<()> {
        let mut connection = self.connection();
        let transaction = connection.transaction()?;
        transaction.execute("DELETE FROM projects", [])?;
        {
            let mut insert = transaction.prepare(
                "INSERT INTO projects (position, platform_no, record) VALUES (?1, ?2, ?3)",
            )?;
            for (position, project) in catalog.projects().iter().enumerate() {
                let record = serde_json::to_string(project).expect("a project serialises");
                insert.execute(params![position as i64, project.platform_no, record])?;
                progress(position + 1);
            }
        }
        transaction.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('catalog_version', ?1)",
            [catalog.catalog_version()],
        )?;
        transaction.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('catalog_etag', ?1)",
            [&digest(catalog.to_json().as_bytes())[..16]],
        )?;
        transaction.commit()
    }

    /// The stored catalog and its ETag, or `None` before the first import.
    pub fn load_catalog(&self) -> DbResult<Option<(Catalog, String)>> {
        let connection = self.connection();
        let meta = |key: &str| {
            connection
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                    row.get::<_, String>(0)
                })
                .optional()
        };
        let (Some(version), Some(etag)) = (meta("catalog_version")?, meta("catalog_etag")?) else {
            return Ok(None);
        };
        let mut select = connection.prepare("SELECT record FROM projects ORDER BY position")?;
        let projects = select
            .query_map([], |row| row.get::<_, String>(0))?
            .map(|record| {
                let record = record?;
                serde_json::from_str::<Project>(&record).map_err(|error| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        Box::new(error),
                    )
                })
            })
            .collect::<DbResult<Vec<Project>>>()?;
        Ok(Some((
            Catalog::from_projects(version, projects).catalog,
            etag,
        )))
    }

    /// Stores a validated inquiry once per idempotency key.
    pub fn store_inquiry(
        &self,
        key: &str,
        inquiry: &Inquiry,
        agent_id: &str,
        received_at: &str,
    ) -> DbResult<Stored> {
        let record = serde_json::to_string(inquiry).expect("an inquiry serialises");
        let body_digest = digest(record.as_bytes());
        let connection = self.connection();
        let inserted = connection.execute(
            "INSERT INTO inquiries (idempotency_key, body_digest, platform_no, agent_id, record, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (idempotency_key) DO NOTHING",
            params![key, body_digest, inquiry.platform_no, agent_id, record, received_at],
        )?;
        let (stored, stored_digest) = connection.query_row(
            "SELECT id, agent_id, received_at, record, body_digest FROM inquiries WHERE idempotency_key = ?1",
            [key],
            |row| Ok((stored_inquiry(row)?, row.get::<_, String>(4)?)),
        )?;
        Ok(if inserted == 1 {
            Stored::Created(stored)
        } else if stored_digest == body_digest {
            Stored::Replayed(stored)
        } else {
            Stored::KeyReused
        })
    }

    /// An agent's inquiries, oldest first.
    pub fn agent_inquiries(&self, agent_id: &str) -> DbResult<Vec<StoredInquiry>> {
        let connection = self.connection();
        let mut select = connection.prepare(
            "SELECT id, agent_id, received_at, record FROM inquiries WHERE agent_id = ?1 ORDER BY id",
        )?;
        select
            .query_map([agent_id], stored_inquiry)?
            .collect::<DbResult<Vec<_>>>()
    }

    pub fn inquiry_count(&self) -> DbResult<i64> {
        self.connection()
            .query_row("SELECT COUNT(*) FROM inquiries", [], |row| row.get(0))
    }

    /// Makes a new bearer token for an agent and returns it; only its
    /// digest is kept.
    pub fn create_agent_token(&self, agent_id: &str, created_at: &str) -> DbResult<String> {
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        let token: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
        self.connection().execute(
            "INSERT INTO agent_tokens (token_sha256, agent_id, created_at) VALUES (?1, ?2, ?3)",
            params![digest(token.as_bytes()), agent_id, created_at],
        )?;
        Ok(token)
    }

    /// The agent a bearer token belongs to.
    pub fn token_agent(&self, token: &str) -> DbResult<Option<String>> {
        self.connection()
            .query_row(
                "SELECT agent_id FROM agent_tokens WHERE token_sha256 = ?1",
                [digest(token.as_bytes())],
                |row| row.get(0),
            )
            .optional()
    }
}

fn stored_inquiry(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredInquiry> {
    let record: String = row.get(3)?;
    let inquiry = serde_json::from_str(&record).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(error))
    })?;
    Ok(StoredInquiry {
        id: row.get(0)?,
        agent_id: row.get(1)?,
        received_at: row.get(2)?,
        inquiry,
    })
}

/// Now as an RFC 3339 UTC timestamp (seconds).
pub fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    rfc3339(seconds)
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (days to civil date after
/// Howard Hinnant's algorithm).
pub fn rfc3339(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let second_of_day = unix_seconds.rem_euclid(86_400);
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_569_934), "2026-11-25T01:25:34Z");
    }
}
