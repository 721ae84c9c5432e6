//! The server's database: one SQLite file (the default: a newcomer or a
//! single venue) or PostgreSQL (any number of replicas on one database).
//! Both hold the same tables, kept by versioned sqlx migrations
//! (`db/migrations.rs`), and every query is written once, in SQL both
//! understand, through sqlx's `Any` driver.
//!
//! Inquiries are written by a group-commit writer (`db/inquiries.rs`); agents'
//! tokens are kept as SHA-256 digests, never in clear.

mod attention;
mod deals;
mod figures;
mod inquiries;
mod migrations;
mod sessions;
mod target;

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use yunzhan_model::{Catalog, Project};

pub use attention::{DailyCounts, conference_day};
pub use deals::{
    Change, DEFAULT_OVERDUE_HOURS, DealEvent, EventKind, InboxFilter, InboxRow, InquiryFile,
    MessageWrite, Posted, stage_wire,
};
pub use inquiries::{InquiryWrite, Stored, StoredInquiry};
pub use migrations::MigrationReport;
pub use sessions::{Role, Session, random_secret};
pub use target::{Backend, DbTarget};

/// How long a request waits for a database connection before it is
/// answered 503: a lost database must never make requests hang.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// A failed database operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The database cannot be reached, is restarting or is overloaded: the
    /// request may be retried (the API answers 503).
    Unavailable(String),
    /// Anything else: a bug or damaged data (the API answers 500).
    Failed(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Unavailable(reason) => write!(f, "database unavailable: {reason}"),
            DbError::Failed(reason) => write!(f, "database error: {reason}"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        if is_unavailable(&error) {
            DbError::Unavailable(error.to_string())
        } else {
            DbError::Failed(error.to_string())
        }
    }
}

/// Errors that say the database is away or busy rather than that the
/// request is wrong: lost connections, timeouts, a restarting server,
/// PostgreSQL's connection (08), resource (53), shutdown (57P) and
/// conflict (40) classes, SQLite's busy and locked.
fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            ["08", "53", "57P", "40"]
                .iter()
                .any(|class| code.starts_with(class))
                || ["5", "6", "517"].contains(&code.as_ref())
        }),
        _ => false,
    }
}

pub type DbResult<T> = Result<T, DbError>;

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A catalog as stored: the catalog and its ETag.
pub type StoredCatalog = (Catalog, String);

/// The database: a connection pool and the inquiry writer.
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    writer: inquiries::Writer,
}

impl Db {
    /// Connects (without migrating). The error is one sentence that says
    /// what is wrong and what to do, for the person starting the server.
    pub async fn connect(target: &DbTarget) -> Result<Db, String> {
        sqlx::any::install_default_drivers();
        let backend = target.backend();
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    sqlx::raw_sql(backend.session_settings())
                        .execute(&mut *connection)
                        .await
                        .map(drop)
                })
            })
            .connect(&target.url())
            .await
            .map_err(|error| target.explain_connect_error(&error))?;
        let writer = inquiries::Writer::start(pool.clone());
        Ok(Db {
            pool,
            backend,
            writer,
        })
    }

    /// Connects and applies the migrations this build knows.
    pub async fn open(target: &DbTarget) -> Result<Db, String> {
        let db = Db::connect(target).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// One round trip: is the database there?
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Replaces the stored catalog in one transaction; `progress` is called
    /// with the number of projects written so far. Replicas importing at
    /// once take turns.
    pub async fn replace_catalog(
        &self,
        catalog: &Catalog,
        mut progress: impl FnMut(usize),
    ) -> DbResult<()> {
        let mut transaction = self.pool.begin().await?;
        self.backend.lock_catalog(&mut transaction).await?;
        sqlx::query("DELETE FROM projects")
            .execute(&mut *transaction)
            .await?;
        for (position, project) in catalog.projects().iter().enumerate() {
            let record = serde_json::to_string(project).expect("a project serialises");
            sqlx::query("INSERT INTO projects (position, platform_no, record) VALUES ($1, $2, $3)")
                .bind(position as i64)
                .bind(&project.platform_no)
                .bind(record)
                .execute(&mut *transaction)
                .await?;
            progress(position + 1);
        }
        let etag = digest(catalog.to_json().as_bytes())[..16].to_string();
        set_meta(
            &mut *transaction,
            "catalog_version",
            catalog.catalog_version(),
        )
        .await?;
        set_meta(&mut *transaction, "catalog_etag", &etag).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Imports `catalog` unless the database already has one (first start;
    /// replicas starting at once import it once).
    pub async fn seed_catalog(&self, catalog: &Catalog) -> DbResult<()> {
        let mut transaction = self.pool.begin().await?;
        self.backend.lock_catalog(&mut transaction).await?;
        let seeded = meta(&mut *transaction, "catalog_etag").await?.is_some();
        transaction.rollback().await?;
        if !seeded {
            tracing::info!(
                projects = catalog.projects().len(),
                "first start: importing the embedded catalog"
            );
            self.replace_catalog(catalog, |_| {}).await?;
        }
        Ok(())
    }

    /// The ETag of the stored catalog (cheap: replicas poll it).
    pub async fn catalog_etag(&self) -> DbResult<Option<String>> {
        meta(&self.pool, "catalog_etag").await
    }

    /// The stored catalog and its ETag, or `None` before the first import.
    pub async fn load_catalog(&self) -> DbResult<Option<StoredCatalog>> {
        let mut transaction = self.pool.begin().await?;
        let version = meta(&mut *transaction, "catalog_version").await?;
        let etag = meta(&mut *transaction, "catalog_etag").await?;
        let (Some(version), Some(etag)) = (version, etag) else {
            return Ok(None);
        };
        let rows = sqlx::query("SELECT record FROM projects ORDER BY position")
            .fetch_all(&mut *transaction)
            .await?;
        transaction.commit().await?;
        let projects = rows
            .iter()
            .map(|row| decode_record::<Project>(row, "projects"))
            .collect::<DbResult<Vec<_>>>()?;
        Ok(Some((
            Catalog::from_projects(version, projects).catalog,
            etag,
        )))
    }

    /// Stores a validated inquiry once per idempotency key (and takes the
    /// client's rate token), committed together with others arriving at the
    /// same moment: answered once it is on disk.
    pub async fn store_inquiry(&self, write: InquiryWrite) -> DbResult<Stored> {
        self.writer.store(write).await
    }

    /// An agent's inquiries, oldest first.
    pub async fn agent_inquiries(&self, agent_id: &str) -> DbResult<Vec<StoredInquiry>> {
        let rows = sqlx::query(
            "SELECT id, agent_id, received_at, record FROM inquiries WHERE agent_id = $1 ORDER BY id",
        )
        .bind(agent_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(inquiries::stored_inquiry).collect()
    }

    pub async fn inquiry_count(&self) -> DbResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM inquiries")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Forgets rate buckets that have been full for a while (bounded
    /// storage); returns how many.
    pub async fn forget_idle_clients(&self, idle_since_unix: f64) -> DbResult<u64> {
        Ok(
            sqlx::query("DELETE FROM rate_buckets WHERE updated_at < $1")
                .bind(idle_since_unix)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}

async fn meta<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    key: &str,
) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(key)
        .fetch_optional(executor)
        .await?)
}

async fn set_meta<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    key: &str,
    value: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(executor)
    .await?;
    Ok(())
}

/// Reads the JSON `record` column of a row of `table`.
fn decode_record<T: serde::de::DeserializeOwned>(row: &AnyRow, table: &str) -> DbResult<T> {
    let record: String = row.try_get("record")?;
    serde_json::from_str(&record)
        .map_err(|error| DbError::Failed(format!("a stored record of {table} is damaged: {error}")))
}

/// Now as an RFC 3339 UTC timestamp (seconds).
pub fn now_rfc3339() -> String {
    rfc3339(unix_now() as i64)
}

/// Now in seconds since 1970 (the rate buckets' clock: replicas on several
/// machines need synchronised clocks, as any cluster does).
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |elapsed| elapsed.as_secs_f64())
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

/// `YYYY-MM-DDTHH:MM:SSZ` as Unix seconds (the inverse of [`rfc3339`]);
/// `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 20
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && bytes[16] == b':'
        && bytes[19] == b'Z';
    if !shape_ok {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let shifted_year = year - i64::from(month <= 2);
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year.rem_euclid(400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_a_timestamp_inverts_writing_it() {
        for seconds in [0, 951_782_400, 1_795_569_934, 4_102_444_799] {
            assert_eq!(parse_rfc3339(&rfc3339(seconds)), Some(seconds));
        }
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-11-25 01:25:34Z",
            "2026-11-25T01:25:34",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_are_civil_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_569_934), "2026-11-25T01:25:34Z");
    }
}
