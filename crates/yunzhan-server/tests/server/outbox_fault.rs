//! The fault test: the app's outbox sends 100 inquiries while the server is
//! killed mid-way (connections dropped, answers lost) and started again on
//! the same database. Afterwards the database holds exactly 100, none twice,
//! and every outbox entry is marked sent.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::common::{UNLIMITED, scratch, settings, start};
use yunzhan_client::{ApiClient, Delivery, Outbox};
use yunzhan_model::CooperationMode;
use yunzhan_model::inquiry::Inquiry;
use yunzhan_server::db::Db;

const INQUIRIES: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_mid_way_loses_and_doubles_nothing() {
    let dir = scratch("fault");
    let settings = settings(&dir, UNLIMITED);
    let mut first = start(&settings, 0);
    let port = first.port;
    let client = ApiClient::new(&first.base);

    let (outbox, problem) = Outbox::open(yunzhan_client::Store::in_dir(&dir), "outbox.json");
    assert_eq!(problem, None);
    let mut outbox = outbox.with_backoff(Duration::from_millis(20), Duration::from_millis(200));
    for n in 0..INQUIRIES {
        outbox
            .submit(Inquiry {
                platform_no: format!("YZ-2023-{:05}", n + 1),
                name: "测试访客".into(),
                email: "visitor@example.org".into(),
                intent: Some(CooperationMode::Consulting),
                message: format!("故障测试询单 #{n}"),
                ..Inquiry::default()
            })
            .unwrap();
    }

    let sender = tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(60);
        while outbox.queued() > 0 && Instant::now() < deadline {
            outbox.deliver(&client).await.unwrap();
            if let Some(wait) = outbox.next_due(Instant::now()) {
                tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
            }
        }
        outbox
    });

    // Kill the server once some inquiries are in, while others are in flight.
    let db = Db::open(&settings.db).unwrap();
    while db.inquiry_count().unwrap() < 30 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    first.kill();
    let stored_when_killed = db.inquiry_count().unwrap();
    assert!(
        (stored_when_killed as usize) < INQUIRIES,
        "the kill came before the end"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = start(&settings, port);

    let outbox = sender.await.unwrap();
    assert_eq!(
        outbox.queued(),
        0,
        "everything was delivered before the deadline"
    );
    let retried = outbox.entries().iter().filter(|e| e.attempts > 1).count();
    assert!(retried > 0, "some sends failed while the server was down");
    assert!(
        outbox
            .entries()
            .iter()
            .all(|e| matches!(e.delivery, Delivery::Sent { .. }))
    );

    assert_eq!(db.inquiry_count().unwrap(), INQUIRIES as i64);
    // Each of our 100 messages is in the database exactly once.
    let connection = rusqlite::Connection::open(&settings.db).unwrap();
    let (rows, distinct): (i64, i64) = connection
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT json_extract(record, '$.message')) FROM inquiries",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((rows, distinct), (INQUIRIES as i64, INQUIRIES as i64));
    let ids: BTreeSet<i64> = outbox
        .entries()
        .iter()
        .filter_map(|entry| match entry.delivery {
            Delivery::Sent { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(
        ids.len(),
        INQUIRIES,
        "each entry got its own stored inquiry"
    );
    drop(second);
    eprintln!(
        "killed with {stored_when_killed} stored; {retried} inquiries needed more than one attempt"
    );
}
