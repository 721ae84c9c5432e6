//! Many replicas on one PostgreSQL: interchangeable (idempotency, catalog,
//! rate limit and tokens hold across them), behind nginx through a replica's
//! SIGKILL, and through a restart of PostgreSQL itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use yunzhan_client::ApiClient;
use yunzhan_model::Catalog;
use yunzhan_model::api::{CatalogInfo, ErrorBody, InquiryReceipt};
use yunzhan_server::db::{Db, DbTarget};
use yunzhan_server::rate::RateLimit;

use super::common::{
    UNLIMITED, fresh_postgres, get_json, scratch, settings, start, until, without_secret,
};
use super::outbox_fault::{expect_exactly_100, paced_sender};
use super::processes::{BALANCER, Nginx, PgCluster, Replica, nginx_binary};

fn inquiry(message: &str) -> serde_json::Value {
    json!({"platform_no": "YZ-2023-00001", "name": "王小明", "email": "wang@example.org",
           "intent": "consulting", "message": message})
}

async fn post(http: &reqwest::Client, base: &str, key: &str, message: &str) -> reqwest::Response {
    http.post(format!("{base}/api/v1/inquiries"))
        .header("Idempotency-Key", key)
        .json(&inquiry(message))
        .send()
        .await
        .unwrap()
}

async fn etag(http: &reqwest::Client, base: &str) -> String {
    get_json::<CatalogInfo>(http, format!("{base}/api/v1/catalog"))
        .await
        .etag
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_idempotency_catalog_and_tokens() {
    let Some(db) = fresh_postgres("replicas").await else {
        return;
    };
    let one = start(&settings(&db, UNLIMITED), 0);
    let two = start(&settings(&db, UNLIMITED), 0);
    let http = yunzhan_client::http_client().unwrap();

    // The same key sent to both replicas at the same moment: one inquiry,
    // and both answers carry the same receipt.
    for n in 0..20 {
        let key = format!("both-{n}");
        let message = format!("同时发往两个副本 {n}");
        let (first, second) = tokio::join!(
            post(&http, &one.base, &key, &message),
            post(&http, &two.base, &key, &message)
        );
        let mut statuses = [first.status(), second.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED], "key {key}");
        let first: InquiryReceipt = first.json().await.unwrap();
        let second: InquiryReceipt = second.json().await.unwrap();
        assert_eq!(without_secret(&first), without_secret(&second), "key {key}");
        assert!(first.thread_secret.is_some() && first.thread_secret != second.thread_secret);
    }
    assert_eq!(one.state.db.inquiry_count().await.unwrap(), 20);

    // A token made through one replica opens the inquiries on the other.
    let agent = Catalog::load(yunzhan_model::EMBEDDED_CATALOG)
        .unwrap()
        .catalog
        .projects()[0]
        .agent
        .id
        .clone();
    let token = one
        .state
        .db
        .create_agent_token(&agent, "2026-11-30T00:00:00Z")
        .await
        .unwrap();
    let listed = http
        .get(two.url(&format!("/agents/{agent}/inquiries")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);

    // A catalog imported elsewhere reaches both replicas within 5 s.
    let before = etag(&http, &one.base).await;
    let mut projects = one.state.served().catalog.projects().to_vec();
    projects.truncate(5000);
    let smaller = Catalog::from_projects("replica-test", projects).catalog;
    let importer = Db::open(&db).await.unwrap();
    let imported = Instant::now();
    importer.replace_catalog(&smaller, |_| {}).await.unwrap();
    let (_, new_etag) = importer.load_catalog().await.unwrap().unwrap();
    assert_ne!(new_etag, before);
    until(5, "both replicas serve the imported catalog", || async {
        etag(&http, &one.base).await == new_etag && etag(&http, &two.base).await == new_etag
    })
    .await;
    eprintln!(
        "both replicas served the new catalog {} ms after the import",
        imported.elapsed().as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_counts_a_client_once_across_replicas() {
    let Some(db) = fresh_postgres("replica-rate").await else {
        return;
    };
    let limit = RateLimit {
        per_minute: 6.0,
        burst: 3.0,
    };
    let one = start(&settings(&db, limit), 0);
    let two = start(&settings(&db, limit), 0);
    let http = yunzhan_client::http_client().unwrap();
    for (n, base) in [&one.base, &two.base, &one.base].into_iter().enumerate() {
        let response = post(&http, base, &format!("rate-{n}"), "你好").await;
        assert_eq!(response.status(), StatusCode::CREATED, "inquiry {n}");
    }
    let limited = post(&http, &two.base, "rate-3", "你好").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    assert_eq!(
        limited.json::<ErrorBody>().await.unwrap().code,
        "rate_limited"
    );
    assert_eq!(one.state.db.inquiry_count().await.unwrap(), 3);
}

/// Reads the hall list through `base` until stopped; counts answers and
/// failures (5xx or no answer).
fn keep_reading(
    base: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(usize, Vec<String>)> {
    tokio::spawn(async move {
        let http = yunzhan_client::http_client().unwrap();
        let mut answered = 0;
        let mut failures = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            match http.get(format!("{base}/api/v1/halls")).send().await {
                Ok(response) if response.status().is_success() => answered += 1,
                Ok(response) => failures.push(format!("HTTP {}", response.status())),
                Err(error) => failures.push(error.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (answered, failures)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_behind_nginx_loses_and_doubles_nothing() {
    let Some(db) = fresh_postgres("nginx-fault").await else {
        return;
    };
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let dir = scratch("nginx-fault");
    let mut replicas = [
        Replica::start(&db, &dir, &[]),
        Replica::start(&db, &dir, &[]),
    ];
    let balancer = Nginx::start(&nginx, &[replicas[0].port, replicas[1].port], BALANCER);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = keep_reading(balancer.base(), stop.clone());
    let sender = paced_sender(&dir, ApiClient::new(&balancer.base()));

    let counter = Db::open(&db).await.unwrap();
    until(60, "30 inquiries stored", || async {
        counter.inquiry_count().await.unwrap() >= 30
    })
    .await;
    replicas[0].kill();
    let stored_when_killed = counter.inquiry_count().await.unwrap();
    assert!(stored_when_killed < 100, "the kill came before the end");
    until(60, "30 more stored by the other replica", || async {
        counter.inquiry_count().await.unwrap() >= (stored_when_killed + 30).min(100)
    })
    .await;
    replicas[0].restart();

    let outbox = sender.await.unwrap();
    stop.store(true, Ordering::Relaxed);
    let (answered, failures) = reader.await.unwrap();
    let retried = expect_exactly_100(&outbox, &db).await;
    assert!(answered > 0);
    assert_eq!(
        failures,
        Vec::<String>::new(),
        "catalog reads during the kill"
    );
    eprintln!(
        "nginx: killed a replica with {stored_when_killed} stored; {retried} inquiries retried; \
         {answered} hall reads, none failed"
    );
    for replica in &replicas {
        assert!(!replica.log().contains("panicked"), "{}", replica.log());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_rides_out_a_postgres_restart() {
    if super::common::postgres_admin().is_none() {
        return;
    }
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let cluster = PgCluster::start("pg-restart");
    let db: DbTarget = cluster.admin_url.parse().unwrap();
    let dir = scratch("pg-restart");
    let replicas = [
        Replica::start(&db, &dir, &[]),
        Replica::start(&db, &dir, &[]),
    ];
    let balancer = Nginx::start(&nginx, &[replicas[0].port, replicas[1].port], BALANCER);
    // Checked on one replica directly; the outbox goes through nginx.
    let base = replicas[0].base();
    let http = yunzhan_client::http_client().unwrap();
    let sender = paced_sender(&dir, ApiClient::new(&balancer.base()));
    let counter = Db::open(&db).await.unwrap();
    until(60, "30 inquiries stored", || async {
        counter.inquiry_count().await.unwrap() >= 30
    })
    .await;
    let stored_before = counter.inquiry_count().await.unwrap();
    assert!(stored_before < 100, "the outage comes mid-way");
    cluster.stop();
    // Answers within a bounded time, in the error shape, and not ready.
    for (method, path) in [("GET", "/api/v1/ready"), ("POST", "/api/v1/inquiries")] {
        let asked = Instant::now();
        let request = match method {
            "GET" => http.get(format!("{base}{path}")),
            _ => http
                .post(format!("{base}{path}"))
                .header("Idempotency-Key", "during-outage")
                .json(&inquiry("数据库停机时")),
        };
        let response = request.send().await.unwrap();
        let took = asked.elapsed();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.code, "database_unavailable", "{path}");
        assert!(
            took < Duration::from_secs(10),
            "{path} answered after {took:?}"
        );
        eprintln!(
            "{method} {path} with PostgreSQL down: 503 after {} ms",
            took.as_millis()
        );
    }
    let health = http
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK, "liveness is not readiness");

    cluster.start_again();
    let back = Instant::now();
    until(
        30,
        "ready again without a restart of the server",
        || async {
            let status = http
                .get(format!("{base}/api/v1/ready"))
                .send()
                .await
                .unwrap()
                .status();
            status == StatusCode::OK
        },
    )
    .await;
    eprintln!(
        "ready {} ms after PostgreSQL was back",
        back.elapsed().as_millis()
    );

    let outbox = sender.await.unwrap();
    // Sends during the outage were answered 503 (and retried by nginx or the
    // outbox) or waited for the database: either way, 100 rows.
    let retried = expect_exactly_100(&outbox, &db).await;
    eprintln!(
        "PostgreSQL stopped at {stored_before} stored; {retried} inquiries retried by the outbox"
    );
    for replica in &replicas {
        assert!(!replica.log().contains("panicked"), "{}", replica.log());
    }
}
