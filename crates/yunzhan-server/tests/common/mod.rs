//! The real server on a loopback port, with its own database in a scratch
//! folder.
// Each test file uses its own part of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use std::sync::mpsc;
use yunzhan_server::api::AppState;
use yunzhan_server::rate::RateLimit;
use yunzhan_server::{Settings, open_state, router, serve};

/// A server running on its own runtime and thread, so that killing it
/// drops every connection and request in flight, as a crash would.
pub struct TestServer {
    pub base: String,
    pub port: u16,
    pub state: AppState,
    kill: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yunzhan-server-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn settings(dir: &Path, inquiry_rate: RateLimit) -> Settings {
    Settings {
        db: dir.join("yunzhan.db"),
        inquiry_rate,
        ..Settings::default()
    }
}

/// A generous limit, for tests that are not about rate limiting.
pub const UNLIMITED: RateLimit = RateLimit {
    per_minute: 1e6,
    burst: 1e6,
};

/// Starts the server on `port` (0: any free port).
pub fn start(settings: &Settings, port: u16) -> TestServer {
    let state = open_state(settings).unwrap();
    let app = router(state.clone(), settings);
    let (ready, bound) = mpsc::channel();
    let (kill, killed) = mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .unwrap();
        ready.send(listener.local_addr().unwrap().port()).unwrap();
        runtime.spawn(serve(listener, app, std::future::pending()));
        // Until killed (or the handle is dropped).
        let _ = killed.recv();
        runtime.shutdown_background();
    });
    let port = bound.recv().unwrap();
    TestServer {
        base: format!("http://127.0.0.1:{port}"),
        port,
        state,
        kill: Some(kill),
        thread: Some(thread),
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// Stops the server at once: connections and requests in flight are
    /// dropped without answers.
    pub fn kill(&mut self) {
        self.kill.take();
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}
