//! The real server on a loopback port, with its own database in a scratch
//! folder.

use std::path::{Path, PathBuf};

use yunzhan_server::api::AppState;
use yunzhan_server::rate::RateLimit;
use yunzhan_server::{BackgroundServer, Settings};

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yunzhan-server-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn settings(dir: &Path, inquiry_rate: RateLimit) -> Settings {
    Settings {
        db: dir.join("yunzhan.db"),
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
