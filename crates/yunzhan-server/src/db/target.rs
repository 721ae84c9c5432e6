//! `--db`: which database, and what to tell the person starting the
//! server when it cannot be reached.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

/// The two back ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Run on every new connection.
    pub(super) fn session_settings(self) -> &'static str {
        match self {
            // WAL lets readers work while the writer commits; FULL makes a
            // commit durable before it returns.
            Backend::Sqlite => "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
            // A statement running longer than this is cancelled: a request
            // never waits on the database without bound.
            Backend::Postgres => "SET statement_timeout = 10000;",
        }
    }

    /// Makes transactions that change the catalog take turns across
    /// replicas (SQLite has one writer at a time anyway).
    pub(super) async fn lock_catalog(
        self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    ) -> Result<(), sqlx::Error> {
        if self == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7253001)")
                .execute(&mut **transaction)
                .await?;
        }
        Ok(())
    }
}

/// Where the database is: a SQLite file, or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    /// The URL as given (it may hold a password: shown only through
    /// [`DbTarget`]'s `Display`, which leaves it out).
    Postgres(String),
}

impl FromStr for DbTarget {
    type Err = String;

    /// `postgres://…`/`postgresql://…` is PostgreSQL; `sqlite://FILE` or a
    /// plain path is a SQLite file; any other scheme is refused.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.split_once("://") {
            Some(("postgres" | "postgresql", _)) => {
                PgConnectOptions::from_str(text).map_err(|error| {
                    format!(
                        "{} is not a PostgreSQL URL ({error}); write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                        redact(text)
                    )
                })?;
                Ok(DbTarget::Postgres(text.to_string()))
            }
            Some(("sqlite", path)) if !path.is_empty() => Ok(DbTarget::Sqlite(path.into())),
            Some((scheme, _)) => Err(format!(
                "unsupported database {scheme:?}: give a SQLite file (yunzhan.db) or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            )),
            None if text.trim().is_empty() => {
                Err("no database given: a SQLite file (yunzhan.db) or a postgres:// URL".into())
            }
            None => Ok(DbTarget::Sqlite(text.into())),
        }
    }
}

impl std::fmt::Display for DbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbTarget::Sqlite(path) => write!(f, "{}", path.display()),
            DbTarget::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl std::fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DbTarget({self})")
    }
}

/// A URL without its password.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "the --db value".into(),
    }
}

impl DbTarget {
    pub fn backend(&self) -> Backend {
        match self {
            DbTarget::Sqlite(_) => Backend::Sqlite,
            DbTarget::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL sqlx connects to (SQLite files are created when missing).
    pub fn url(&self) -> String {
        match self {
            DbTarget::Sqlite(path) => {
                // sqlx percent-decodes the file name.
                let name = path
                    .to_string_lossy()
                    .replace('%', "%25")
                    .replace('?', "%3F")
                    .replace('#', "%23");
                format!("sqlite://{name}?mode=rwc")
            }
            DbTarget::Postgres(url) => url.clone(),
        }
    }

    /// One sentence for a failed first connection: which problem, and what
    /// to do about it.
    pub(super) fn explain_connect_error(&self, error: &sqlx::Error) -> String {
        let code = match error {
            sqlx::Error::Database(database) => database.code().map(|code| code.to_string()),
            _ => None,
        };
        let advice = match (self.backend(), code.as_deref(), error) {
            (Backend::Postgres, Some("28P01" | "28000"), _) => {
                "PostgreSQL refused the user name or password: check the USER:PASSWORD part of --db"
            }
            (Backend::Postgres, Some("3D000"), _) => {
                "that database does not exist on the PostgreSQL server: create it (createdb NAME) or correct the name in --db"
            }
            (Backend::Postgres, _, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut) => {
                "PostgreSQL does not answer there: is it running, and are the host and port in --db right?"
            }
            (Backend::Sqlite, ..) => {
                "check that the folder exists and is writable, and that FILE is a SQLite database"
            }
            _ => "check --db",
        };
        format!("cannot open the database {self}: {advice} ({error})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_values_are_told_apart_and_passwords_never_shown() {
        assert_eq!(
            "yunzhan.db".parse::<DbTarget>(),
            Ok(DbTarget::Sqlite("yunzhan.db".into()))
        );
        assert_eq!(
            "sqlite:///tmp/a b.db".parse::<DbTarget>(),
            Ok(DbTarget::Sqlite("/tmp/a b.db".into()))
        );
        let postgres: DbTarget = "postgres://yz:secret@db.example:5432/expo".parse().unwrap();
        assert_eq!(postgres.backend(), Backend::Postgres);
        assert!(!postgres.to_string().contains("secret"), "{postgres}");
        assert!(!format!("{postgres:?}").contains("secret"));
        let mysql = "mysql://root@localhost/expo"
            .parse::<DbTarget>()
            .unwrap_err();
        assert!(mysql.contains("unsupported database \"mysql\""), "{mysql}");
        let broken = "postgres://yz:secret@db.example:notaport/expo"
            .parse::<DbTarget>()
            .unwrap_err();
        assert!(broken.contains("is not a PostgreSQL URL"), "{broken}");
        assert!(!broken.contains("secret"), "{broken}");
        assert!("  ".parse::<DbTarget>().is_err());
    }
}
