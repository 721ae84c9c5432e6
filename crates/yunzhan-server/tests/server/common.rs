//! The real server on a loopback port, on each database back end: a SQLite
//! file in a scratch folder, and a fresh database on the test PostgreSQL
//! server named by `YUNZHAN_TEST_POSTGRES` (CI starts one; see
//! scripts/throwaway-postgres.sh).

use std::path::PathBuf;

use sqlx::Connection;
use yunzhan_server::api::AppState;
use yunzhan_server::db::DbTarget;
use yunzhan_server::rate::RateLimit;
use yunzhan_server::{BackgroundServer, Settings};

/// The PostgreSQL server's URL (a superuser on its `postgres` database).
pub(crate) const POSTGRES_ENV: &str = "YUNZHAN_TEST_POSTGRES";
/// Set (CI does) to make a missing PostgreSQL fail the tests.
pub(crate) const REQUIRE_POSTGRES_ENV: &str = "YUNZHAN_REQUIRE_POSTGRES";

/// A scratch folder for one test, `yunzhan-server-PID-NAME` in the system's
/// temporary folder, emptied first. This run's folders stay, to be read after
/// a failure; the first call removes those of earlier runs that have ended,
/// so that repeated runs (a quarter of a gigabyte each) do not fill the disk.
pub(crate) fn scratch(name: &str) -> PathBuf {
    static EARLIER_RUNS: std::sync::Once = std::sync::Once::new();
    EARLIER_RUNS.call_once(remove_ended_runs);
    let dir = std::env::temp_dir().join(format!("yunzhan-server-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes the scratch folders of test processes that are gone (by
/// `/proc`, so only where there is one: a live run's folders are never
/// touched).
fn remove_ended_runs() {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix("yunzhan-server-"))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn scratch_folders_of_ended_runs_go_and_live_ones_stay() {
    // No process has the largest pid (Linux's limit is 2^22).
    let ended = std::env::temp_dir().join(format!("yunzhan-server-{}-probe", u32::MAX));
    std::fs::create_dir_all(ended.join("data")).unwrap();
    let own = scratch("probe");
    remove_ended_runs();
    assert!(!ended.exists(), "{} was left", ended.display());
    assert!(own.exists(), "this run's {} was removed", own.display());
}

/// The test PostgreSQL server, or `None` after saying loudly that the
/// PostgreSQL back end is not being tested. Panics when CI requires it.
pub(crate) fn postgres_admin() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os(REQUIRE_POSTGRES_ENV).is_none(),
                "{REQUIRE_POSTGRES_ENV} is set but {POSTGRES_ENV} is not: the PostgreSQL tests cannot run"
            );
            eprintln!(
                "\n*** PostgreSQL back end NOT TESTED: set {POSTGRES_ENV}=postgres://USER:PASSWORD@HOST:PORT/postgres \
                 (scripts/throwaway-postgres.sh start DIR PORT prints one) ***\n"
            );
            None
        }
    }
}

/// A new, empty database on the test PostgreSQL server, named after the
/// test (dropped first if an earlier run left it).
pub(crate) async fn fresh_postgres(name: &str) -> Option<DbTarget> {
    let admin = postgres_admin()?;
    let database = format!("yz_{}_{}", name.replace('-', "_"), std::process::id());
    let mut connection = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|error| {
            panic!("cannot reach the test PostgreSQL ({POSTGRES_ENV}): {error}")
        });
    for statement in [
        format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
        format!("CREATE DATABASE {database}"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut connection)
            .await
            .unwrap();
    }
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&database);
    Some(DbTarget::Postgres(url.to_string()))
}

/// Every back end to run a test on: SQLite always, PostgreSQL when there.
pub(crate) async fn back_ends(name: &str) -> Vec<DbTarget> {
    let mut targets = vec![DbTarget::Sqlite(scratch(name).join("yunzhan.db"))];
    targets.extend(fresh_postgres(name).await);
    targets
}

pub(crate) fn settings(db: &DbTarget, inquiry_rate: RateLimit) -> Settings {
    Settings {
        db: db.clone(),
        inquiry_rate,
        ..Settings::default()
    }
}

/// A generous limit, for tests that are not about rate limiting.
pub(crate) const UNLIMITED: RateLimit = RateLimit {
    per_minute: 1e6,
    burst: 1e6,
};

/// Starts the real server on `port` (0: any free port).
pub(crate) fn start(settings: &Settings, port: u16) -> TestServer {
    let server = BackgroundServer::start(settings, port).unwrap();
    TestServer {
        base: server.base_url(),
        port: server.port,
        state: server.state.clone(),
        server,
    }
}

pub(crate) struct TestServer {
    pub base: String,
    pub port: u16,
    pub state: AppState,
    server: BackgroundServer,
}

impl TestServer {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// Stops the server at once: connections and requests in flight are
    /// dropped without answers.
    pub(crate) fn kill(&mut self) {
        self.server.kill();
    }
}

/// Waits for `condition` to hold, polling every 20 ms, up to `seconds`.
pub(crate) async fn until<F, Fut>(seconds: u64, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !condition().await {
        assert!(
            std::time::Instant::now() < deadline,
            "not within {seconds} s: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The message of every stored inquiry, read straight from the database.
pub(crate) async fn stored_messages(db: &DbTarget) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(&db.url()).await.unwrap();
    let records: Vec<String> = sqlx::query_scalar("SELECT record FROM inquiries")
        .fetch_all(&mut connection)
        .await
        .unwrap();
    records
        .iter()
        .map(|record| {
            let inquiry: yunzhan_model::inquiry::Inquiry = serde_json::from_str(record).unwrap();
            inquiry.message
        })
        .collect()
}

/// GET `url` and read its JSON answer.
pub(crate) async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: String,
) -> T {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// A receipt without its thread secret (each receipt, a replay's too,
/// carries a secret of its own; the rest is the same).
pub(crate) fn without_secret(
    receipt: &yunzhan_model::api::InquiryReceipt,
) -> yunzhan_model::api::InquiryReceipt {
    yunzhan_model::api::InquiryReceipt {
        thread_secret: None,
        ..receipt.clone()
    }
}
