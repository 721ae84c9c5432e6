//! The app against the real platform server on loopback (headless, no GPU):
//! the catalog comes from the server, a changed catalog refreshes the hall
//! without a restart, the cached catalog is used with an offline badge when
//! the server is gone, and an inquiry queued offline is sent once it is back.

use std::time::{Duration, Instant};

use super::common::{count, go, headless_app_with, screen};
use crate::expo::Screen;
use crate::expo::catalog::ExpoCatalog;
use crate::expo::storage::Storage;
use crate::remote::{
    CatalogSource, InquiryState, PlatformPlugin, PlatformStatus, SentInquiries, SubmitInquiry,
};
use crate::world::cards::Card;
use crate::world::navigation::Go;
use bevy::prelude::*;
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::{Catalog, CooperationMode, HallIndex};
use yunzhan_server::db::DbTarget;
use yunzhan_server::rate::RateLimit;
use yunzhan_server::{BackgroundServer, Settings};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("yunzhan-platform-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a database call of the server from this (synchronous) test.
fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn app_on(api: &str, data: &std::path::Path) -> App {
    let (api, data) = (api.to_string(), data.to_path_buf());
    headless_app_with(move |app| {
        app.insert_resource(Storage::in_dir(data));
        app.add_plugins(PlatformPlugin {
            api: Some(api),
            poll_every: Duration::from_millis(200),
        });
    })
}

/// Runs frames until `done` holds; the worker thread answers in real time,
/// so this waits on a condition (up to 30 s), never on a fixed sleep.
fn until(app: &mut App, what: &str, mut done: impl FnMut(&mut App) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(app) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn status(app: &App) -> PlatformStatus {
    app.world().resource::<PlatformStatus>().clone()
}

fn version(app: &App) -> String {
    app.world()
        .resource::<ExpoCatalog>()
        .catalog_version()
        .to_string()
}

#[test]
fn the_app_follows_the_server_and_falls_back_to_its_cache() {
    let server_dir = scratch("server");
    let data = scratch("data");
    let settings = Settings {
        db: DbTarget::Sqlite(server_dir.join("yunzhan.db")),
        inquiry_rate: RateLimit {
            per_minute: 1e6,
            burst: 1e6,
        },
        ..Settings::default()
    };
    let mut server = BackgroundServer::start(&settings, 0).unwrap();
    let port = server.port;
    let mut app = app_on(&server.base_url(), &data);
    until(&mut app, "the server's catalog", |app| {
        let status = status(app);
        status.source == CatalogSource::Server && status.online == Some(true)
    });

    // Walk into Bazhong, then the platform drops one of its projects.
    let bazhong = HallIndex::from_id("bazhong").unwrap();
    go(&mut app, Go::Hall(bazhong), Screen::Hall);
    let before = count::<Card>(&mut app);
    assert_eq!(
        before,
        app.world()
            .resource::<ExpoCatalog>()
            .hall_project_count(bazhong)
    );
    let mut projects = server.state.served().catalog.projects().to_vec();
    let dropped = projects.iter().position(|p| p.hall == bazhong).unwrap();
    let dropped_no = projects.remove(dropped).platform_no;
    // Imported into the platform's database, as an operator would.
    let refreshed = Catalog::from_projects("refresh-test", projects).catalog;
    block_on(server.state.db.replace_catalog(&refreshed, |_| {})).unwrap();
    until(&mut app, "the refreshed catalog", |app| {
        version(app) == "refresh-test"
    });
    until(&mut app, "the hall rebuilt", |app| {
        screen(app) == Screen::Hall && count::<Card>(app) == before - 1
    });
    assert!(
        app.world()
            .resource::<ExpoCatalog>()
            .find(&dropped_no)
            .is_none()
    );

    // The server goes away: a new start uses the cache and says offline.
    server.kill();
    drop(app);
    let mut offline = app_on(&format!("http://127.0.0.1:{port}"), &data);
    until(&mut offline, "the offline badge", |app| {
        status(app).online == Some(false)
    });
    assert_eq!(status(&offline).source, CatalogSource::Cache);
    assert_eq!(version(&offline), "refresh-test");
    assert!(status(&offline).problem.is_some(), "the badge says why");

    // An inquiry made offline is queued, and sent when the server is back.
    offline.world_mut().write_message(SubmitInquiry(Inquiry {
        platform_no: "YZ-2023-00001".into(),
        name: "测试访客".into(),
        phone: "13800000000".into(),
        intent: Some(CooperationMode::TechnologyTransfer),
        message: "离线时提交的询问".into(),
        ..Inquiry::default()
    }));
    let states = |app: &App| -> Vec<InquiryState> {
        let sent = app.world().resource::<SentInquiries>();
        sent.visitors("YZ-2023-00001")
            .map(|line| line.state.clone())
            .collect()
    };
    until(&mut offline, "the queued inquiry", |app| {
        states(app) == [InquiryState::Queued]
    });
    let server = BackgroundServer::start(&settings, port).unwrap();
    until(&mut offline, "the inquiry sent", |app| {
        states(app) == [InquiryState::Sent]
    });
    assert_eq!(block_on(server.state.db.inquiry_count()).unwrap(), 1);
}
