//! Bad configuration stops the start with one line that says what is wrong
//! and what to do: never a stack trace, never the password.

use std::process::Command;

use super::common::{fresh_postgres, postgres_admin};
use super::processes::free_port;

const SERVER: &str = env!("CARGO_BIN_EXE_yunzhan-server");

/// Runs `yunzhan-server ARGS`, expects exit status 2 and one error line
/// containing `expected`; returns that line.
fn refused(args: &[&str], expected: &str) -> String {
    let output = Command::new(SERVER).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let error = lines
        .iter()
        .find(|line| line.starts_with("error"))
        .unwrap_or_else(|| panic!("no error line: {stderr}"));
    assert!(error.contains(expected), "{args:?}: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    error.to_string()
}

#[test]
fn malformed_and_unreachable_databases_are_explained() {
    refused(
        &["migrate", "--db", "mysql://root@localhost/expo"],
        "unsupported database",
    );
    let line = refused(
        &[
            "serve",
            "--db",
            "postgres://yz:hunter2@127.0.0.1:notaport/expo",
        ],
        "is not a PostgreSQL URL",
    );
    assert!(!line.contains("hunter2"), "{line}");
    let nobody = format!("postgres://yz:hunter2@127.0.0.1:{}/expo", free_port());
    let line = refused(
        &["migrate", "--db", &nobody],
        "PostgreSQL does not answer there",
    );
    assert!(!line.contains("hunter2"), "{line}");
}

#[tokio::test]
async fn wrong_credentials_missing_databases_and_failed_migrations_are_explained() {
    let Some(admin) = postgres_admin() else {
        return;
    };
    let mut wrong = url::Url::parse(&admin).unwrap();
    wrong.set_password(Some("not-the-password")).unwrap();
    let line = refused(
        &["migrate", "--db", wrong.as_str()],
        "refused the user name or password",
    );
    assert!(!line.contains("not-the-password"), "{line}");

    let mut missing = url::Url::parse(&admin).unwrap();
    missing.set_path("no_such_database");
    refused(&["migrate", "--db", missing.as_str()], "does not exist");

    // A table in the way of migration 1: it fails, is rolled back, and the
    // message says which version and what to do.
    let Some(target) = fresh_postgres("failed-migration").await else {
        return;
    };
    let url = target.url();
    let mut connection = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::raw_sql("CREATE TABLE inquiries (surprise INTEGER)")
        .execute(&mut connection)
        .await
        .unwrap();
    refused(&["migrate", "--db", &url], "migration 1 failed");
    let meta: Option<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_name = 'meta'",
    )
    .fetch_optional(&mut connection)
    .await
    .unwrap();
    assert_eq!(meta, None, "nothing of the failed migration remains");
}
