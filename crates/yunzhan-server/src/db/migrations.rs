//! The schema's versions, for both back ends at once, applied with sqlx's
//! migrator: it records each applied version with a checksum in
//! `_sqlx_migrations`, refuses a database changed behind its back, and
//! (on PostgreSQL) holds a lock so replicas starting together migrate once.
//! sqlx because the server already speaks to both databases through it:
//! one tool, no second driver. A table a later version adds goes into one
//! [`Step`], so it cannot exist on one back end only.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};

use super::{Backend, Db};

/// One schema version, written for each back end.
struct Step {
    version: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const STEPS: &[Step] = &[
    Step {
        version: 1,
        description: "catalog, inquiries, agent tokens, rate buckets",
        sqlite: include_str!("../../migrations/sqlite/0001_initial.sql"),
        postgres: include_str!("../../migrations/postgres/0001_initial.sql"),
    },
    Step {
        version: 2,
        description: "deal pipeline, threads, workspace sessions",
        sqlite: include_str!("../../migrations/sqlite/0002_deals.sql"),
        postgres: include_str!("../../migrations/postgres/0002_deals.sql"),
    },
    Step {
        version: 3,
        description: "anonymous attention counts",
        sqlite: include_str!("../../migrations/sqlite/0003_attention.sql"),
        postgres: include_str!("../../migrations/postgres/0003_attention.sql"),
    },
];

fn migrator(backend: Backend) -> Migrator {
    Migrator::with_migrations(
        STEPS
            .iter()
            .map(|step| {
                let sql = match backend {
                    Backend::Sqlite => step.sqlite,
                    Backend::Postgres => step.postgres,
                };
                Migration::new(
                    step.version,
                    Cow::Borrowed(step.description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// What `migrate` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// The schema version after migrating.
    pub version: i64,
    /// Versions applied by this call (empty when already current).
    pub applied: Vec<i64>,
}

impl Db {
    /// Brings the schema to this build's version. The error says which
    /// version failed and what to do.
    pub async fn migrate(&self) -> Result<MigrationReport, String> {
        let before = self.schema_versions().await;
        migrator(self.backend)
            .run(&self.pool)
            .await
            .map_err(explain)?;
        let after = self.schema_versions().await;
        Ok(MigrationReport {
            version: after.last().copied().unwrap_or(0),
            applied: after
                .into_iter()
                .filter(|version| !before.contains(version))
                .collect(),
        })
    }

    /// The versions applied so far (none before the first migration).
    async fn schema_versions(&self) -> Vec<i64> {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&self.pool)
            .await
            .unwrap_or_default()
    }
}

fn explain(error: MigrateError) -> String {
    let newest = STEPS.last().map_or(0, |step| step.version);
    match error {
        MigrateError::Execute(error) => format!(
            "the database could not be migrated: {error}; nothing was changed, fix the cause and run yunzhan-server migrate"
        ),
        MigrateError::ExecuteMigration(error, version) => format!(
            "migration {version} failed: {error}; it was rolled back, so the database is still at the version before. Fix the cause and run yunzhan-server migrate"
        ),
        MigrateError::VersionMissing(version) => format!(
            "the database has schema version {version}, which this yunzhan-server (newest {newest}) does not know: it was migrated by a newer release; run that release"
        ),
        MigrateError::VersionMismatch(version) => format!(
            "schema version {version} in the database differs from this release's: the database was changed by hand or by another build; restore it from a backup"
        ),
        MigrateError::Dirty(version) => format!(
            "migration {version} was interrupted and left partly applied: restore the database from a backup"
        ),
        other => format!("the database could not be migrated: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_exists_for_both_back_ends_in_order() {
        let versions: Vec<i64> = STEPS.iter().map(|step| step.version).collect();
        let expected: Vec<i64> = (1..=STEPS.len() as i64).collect();
        assert_eq!(versions, expected);
        for step in STEPS {
            assert!(!step.sqlite.trim().is_empty() && !step.postgres.trim().is_empty());
        }
    }
}
