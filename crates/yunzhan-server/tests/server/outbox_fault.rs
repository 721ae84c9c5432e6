//! The fault test: the app's outbox sends 100 inquiries (one every 30 ms,
//! as visitors would) while the server is
//! killed mid-way (connections dropped, answers lost) and started again on
//! the same database. Afterwards the database holds exactly 100, none twice,
//! and every outbox entry is marked sent.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::common::{UNLIMITED, back_ends, scratch, settings, start, stored_messages, until};
use yunzhan_client::{ApiClient, Delivery, Outbox, ThreadReply};
use yunzhan_model::CooperationMode;
use yunzhan_model::inquiry::Inquiry;
use yunzhan_server::db::{Db, DbTarget};

pub(crate) const INQUIRIES: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_mid_way_loses_and_doubles_nothing() {
    for db in back_ends("fault").await {
        eprintln!("back end: {db}");
        restart_mid_way(&db).await;
    }
}

/// The `n`th inquiry of a fault test (each message its own).
fn fault_inquiry(n: usize) -> Inquiry {
    Inquiry {
        platform_no: format!("YZ-2023-{:05}", n + 1),
        name: "测试访客".into(),
        email: "visitor@example.org".into(),
        intent: Some(CooperationMode::Consulting),
        message: format!("故障测试询单 #{n}"),
        ..Inquiry::default()
    }
}

/// The app's outbox, empty, with a short backoff.
fn empty_outbox(dir: &std::path::Path) -> Outbox {
    let (outbox, problem) = Outbox::open(yunzhan_client::Store::in_dir(dir), "outbox.json");
    assert_eq!(problem, None);
    outbox.with_backoff(Duration::from_millis(20), Duration::from_millis(200))
}

/// A visitor's pace: one inquiry into the outbox every 30 ms, delivered as
/// it goes, then everything left (at most 90 s).
pub(crate) fn paced_sender(
    dir: &std::path::Path,
    client: ApiClient,
) -> tokio::task::JoinHandle<Outbox> {
    let mut outbox = empty_outbox(dir);
    tokio::spawn(async move {
        for n in 0..INQUIRIES {
            outbox.submit(fault_inquiry(n)).unwrap();
            outbox.deliver(&client).await.unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        deliver_all(outbox, client).await.unwrap()
    })
}

/// Sends the outbox through `client` until it is empty (at most 90 s).
fn deliver_all(mut outbox: Outbox, client: ApiClient) -> tokio::task::JoinHandle<Outbox> {
    tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(90);
        while outbox.queued() > 0 && Instant::now() < deadline {
            outbox.deliver(&client).await.unwrap();
            if let Some(wait) = outbox.next_due(Instant::now()) {
                tokio::time::sleep(wait.max(Duration::from_millis(5))).await;
            }
        }
        outbox
    })
}

/// Every entry sent, each with its own stored inquiry, and the database
/// holding each of the 100 messages exactly once. Returns how many
/// entries needed more than one attempt.
pub(crate) async fn expect_exactly_100(outbox: &Outbox, db: &DbTarget) -> usize {
    assert_eq!(
        outbox.queued(),
        0,
        "everything was delivered before the deadline"
    );
    assert!(
        outbox
            .entries()
            .iter()
            .all(|e| matches!(e.delivery, Delivery::Sent { .. }))
    );
    let messages = stored_messages(db).await;
    let distinct: BTreeSet<&String> = messages.iter().collect();
    assert_eq!((messages.len(), distinct.len()), (INQUIRIES, INQUIRIES));
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
    outbox.entries().iter().filter(|e| e.attempts > 1).count()
}

async fn restart_mid_way(target: &DbTarget) {
    let dir = scratch("fault-outbox");
    let settings = settings(target, UNLIMITED);
    let mut first = start(&settings, 0);
    let port = first.port;
    let sender = paced_sender(&dir, ApiClient::new(&first.base));

    // Kill the server once some inquiries are in, while others are in flight.
    let db = Db::open(target).await.unwrap();
    until(60, "30 inquiries stored", || async {
        db.inquiry_count().await.unwrap() >= 30
    })
    .await;
    first.kill();
    let stored_when_killed = db.inquiry_count().await.unwrap();
    assert!(
        (stored_when_killed as usize) < INQUIRIES,
        "the kill came before the end"
    );
    // Down for a moment: the outbox keeps failing and backing off.
    until(10, "a send failed while the server was down", || async {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
    })
    .await;
    let second = start(&settings, port);

    let outbox = sender.await.unwrap();
    let retried = expect_exactly_100(&outbox, target).await;
    assert!(retried > 0, "some sends failed while the server was down");
    drop(second);
    eprintln!(
        "killed with {stored_when_killed} stored; {retried} inquiries needed more than one attempt"
    );
}

/// Replies written while the server is down wait in the outbox, survive
/// the app's restart with their thread secret, and are stored exactly once
/// when it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_written_while_the_server_is_down_arrive_exactly_once() {
    for target in back_ends("fault-replies").await {
        let dir = scratch("fault-replies-outbox");
        let settings = settings(&target, UNLIMITED);
        let mut server = start(&settings, 0);
        let port = server.port;
        let client = ApiClient::new(&server.base);
        let mut outbox = empty_outbox(&dir);
        outbox.submit(fault_inquiry(0)).unwrap();
        outbox.deliver(&client).await.unwrap();
        let Delivery::Sent {
            id,
            thread_secret: Some(secret),
            ..
        } = outbox.entries()[0].delivery.clone()
        else {
            panic!("the inquiry was sent with its thread secret");
        };

        server.kill();
        const REPLIES: usize = 20;
        for n in 0..REPLIES {
            outbox
                .reply(ThreadReply {
                    inquiry_id: id,
                    thread_secret: secret.clone(),
                    body: format!("离线时写的回复 #{n}"),
                })
                .unwrap();
            outbox.deliver(&client).await.unwrap();
        }
        assert_eq!(outbox.queued(), REPLIES, "nothing could be sent");
        assert!(
            outbox.entries()[1].attempts > 0,
            "a send was tried and failed"
        );
        drop(outbox);

        // The app restarts, the server comes back: everything goes once.
        let _second = start(&settings, port);
        let reopened = empty_outbox(&dir);
        let outbox = deliver_all(reopened, client).await.unwrap();
        assert_eq!(outbox.queued(), 0);
        let db = Db::open(&target).await.unwrap();
        let file = db.inquiry_file(id).await.unwrap().unwrap();
        let replies: Vec<&str> = file.messages[1..].iter().map(|m| m.body.as_str()).collect();
        let expected: Vec<String> = (0..REPLIES)
            .map(|n| format!("离线时写的回复 #{n}"))
            .collect();
        assert_eq!(replies, expected, "each reply once, in order");
    }
}
