//! Yunzhan's reference platform API server: the catalog, booths, search and
//! inquiries of docs/api.md on SQLite (one machine) or PostgreSQL (many
//! replicas behind a load balancer).

pub mod api;
pub mod db;
pub mod live;
pub mod metrics;
pub mod rate;
pub mod text_view;
pub mod workspace;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use yunzhan_model::Catalog;

use crate::api::{AppState, ServedCatalog};
use crate::db::{Db, DbTarget, unix_now};
use crate::live::Live;
use crate::metrics::Metrics;
use crate::rate::RateLimit;

/// Largest request body accepted (an inquiry is a few KiB at most).
pub const BODY_LIMIT: usize = 32 * 1024;

/// How the server runs; `yunzhan-server serve --help` documents each.
#[derive(Debug, Clone)]
pub struct Settings {
    pub db: DbTarget,
    /// A built web app (`dist/`) to serve at `/`.
    pub web: Option<PathBuf>,
    /// The web origin allowed to call the API from a browser; `*` for any.
    pub cors_origin: String,
    pub inquiry_rate: RateLimit,
    /// Load balancers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// How often a replica looks for a catalog imported elsewhere.
    pub catalog_poll: Duration,
    pub workspace: workspace::WorkspaceSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            db: DbTarget::Sqlite(PathBuf::from("yunzhan.db")),
            web: None,
            cors_origin: "*".into(),
            inquiry_rate: RateLimit::default(),
            trusted_proxies: Vec::new(),
            catalog_poll: Duration::from_secs(1),
            workspace: workspace::WorkspaceSettings::default(),
        }
    }
}

/// Opens and migrates the database, imports the embedded catalog on first
/// start, and starts following catalogs imported by others (on the current
/// tokio runtime).
pub async fn open_state(settings: &Settings) -> Result<AppState, String> {
    let db = Db::open(&settings.db).await?;
    let embedded = Catalog::load(yunzhan_model::EMBEDDED_CATALOG)
        .map_err(|error| format!("the embedded catalog is broken: {error}"))?
        .catalog;
    db.seed_catalog(&embedded)
        .await
        .map_err(|error| format!("cannot import the embedded catalog: {error}"))?;
    let (catalog, etag) = db
        .load_catalog()
        .await
        .map_err(|error| format!("cannot read the catalog from the database: {error}"))?
        .ok_or("the imported catalog is missing")?;
    let metrics = Arc::new(Metrics::default());
    metrics.serving_catalog(catalog.catalog_version(), &etag);
    let db = Arc::new(db);
    let live = Live::start(db.clone(), metrics.clone()).await?;
    let state = AppState {
        catalog: Arc::new(RwLock::new(Arc::new(ServedCatalog::new(catalog, etag)))),
        db,
        metrics,
        inquiry_rate: settings.inquiry_rate,
        trusted_proxies: settings.trusted_proxies.clone().into(),
        live,
        workspace: settings.workspace.clone(),
    };
    tokio::spawn(follow_catalog(state.clone(), settings.catalog_poll));
    Ok(state)
}

/// How often a replica forgets rate buckets that have been full for a while.
const FORGET_IDLE_CLIENTS: Duration = Duration::from_secs(60);

/// Every `period`, serves the catalog another replica (or `import`) stored;
/// every minute, forgets rate buckets that have been full for a while.
async fn follow_catalog(state: AppState, period: Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut forgotten = Instant::now();
    loop {
        ticks.tick().await;
        if let Err(error) = refresh_catalog(&state).await {
            state.metrics.database_error();
            tracing::warn!(%error, "cannot check the stored catalog; retrying");
        }
        if forgotten.elapsed() >= FORGET_IDLE_CLIENTS {
            forgotten = Instant::now();
            let idle_since = unix_now() - 2.0 * state.inquiry_rate.refill_seconds();
            if let Err(error) = state.db.forget_idle_clients(idle_since).await {
                tracing::warn!(%error, "cannot forget idle rate buckets");
            }
        }
    }
}

async fn refresh_catalog(state: &AppState) -> Result<(), db::DbError> {
    if state.db.catalog_etag().await?.as_deref() == Some(state.served().etag.as_str()) {
        return Ok(());
    }
    if let Some((catalog, etag)) = state.db.load_catalog().await? {
        tracing::info!(catalog_version = catalog.catalog_version(), %etag, "serving a new catalog");
        state.serve_catalog(ServedCatalog::new(catalog, etag));
    }
    Ok(())
}

pub fn router(state: AppState, settings: &Settings) -> Router {
    let mut router = text_view::routes()
        .merge(workspace::routes())
        .route("/metrics", axum::routing::get(metrics));
    for route in api::routes() {
        router = router.route(&route.path, route.handler);
    }
    let origin = if settings.cors_origin == "*" {
        AllowOrigin::any()
    } else {
        AllowOrigin::exact(
            HeaderValue::from_str(&settings.cors_origin)
                .unwrap_or(HeaderValue::from_static("null")),
        )
    };
    let cors = CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::IF_NONE_MATCH,
            HeaderName::from_static(api::IDEMPOTENCY_KEY),
        ])
        .expose_headers([header::ETAG, header::RETRY_AFTER]);
    let mut router = router
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(cors);
    if let Some(web) = &settings.web {
        router = router.fallback_service(
            ServeDir::new(web)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(true),
        );
    }
    router.layer(middleware::from_fn_with_state(state, log_and_harden))
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// How long a browser may keep a file of the web app: files whose names
/// carry a content hash (`yunzhan.0123456789abcdef.js`) never change, so
/// for a year; everything else (index.html, manifest.json) is revalidated
/// on each visit. API answers are revalidated with their ETags.
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let hashed = name.split('.').any(|part| {
        part.len() == 16
            && part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if hashed && !path.starts_with(yunzhan_model::api::PREFIX) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// One log line and one metric per request (method, path, status, time;
/// a path with a visitor's secret as its route template;
/// never query strings or bodies, which can hold personal data; metrics by
/// route template, files as `static`), `nosniff` on every
/// answer, so a browser never treats stored text as HTML, fonts typed
/// `font/otf`, and a Cache-Control header ([`cache_control`]) where none
/// was set.
async fn log_and_harden(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("static", MatchedPath::as_str)
        .to_owned();
    let mut response = next.run(request).await;
    let succeeded = response.status().is_success();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The file server's type table still names OpenType fonts by the
    // retired `application/font-sfnt`; RFC 8081's is `font/otf`.
    if path.ends_with(".otf") && succeeded {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("font/otf"));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control(&path)),
        );
    }
    let took = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.request(method.as_str(), &route, status, took);
    // A path that carries a visitor's secret is logged as its route.
    let path = if route.contains("{secret}") {
        route
    } else {
        path
    };
    tracing::info!(
        %method,
        %path,
        status,
        ms = took.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// A server on its own thread and runtime, for embedding and tests.
/// Killing it (or dropping the handle) drops every connection and request
/// in flight, as a crash would; the database keeps what was committed.
pub struct BackgroundServer {
    pub port: u16,
    pub state: AppState,
    kill: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundServer {
    /// Starts serving on 127.0.0.1:`port` (0: any free port).
    pub fn start(settings: &Settings, port: u16) -> Result<BackgroundServer, String> {
        let (ready, started) = std::sync::mpsc::channel();
        let (kill, killed) = std::sync::mpsc::channel::<()>();
        let settings = settings.clone();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = ready.send(Err(error.to_string()));
                    return;
                }
            };
            let bound = runtime.block_on(async {
                let state = open_state(&settings).await?;
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .map_err(|error| format!("cannot listen on port {port}: {error}"))?;
                let port = listener
                    .local_addr()
                    .map_err(|error| error.to_string())?
                    .port();
                tokio::spawn(serve(
                    listener,
                    router(state.clone(), &settings),
                    std::future::pending(),
                ));
                Ok((port, state))
            });
            let failed = bound.is_err();
            let _ = ready.send(bound);
            if !failed {
                // Until killed, or the handle is dropped.
                let _ = killed.recv();
            }
            runtime.shutdown_background();
        });
        let (port, state) = started
            .recv()
            .map_err(|_| "the server thread stopped".to_string())??;
        Ok(BackgroundServer {
            port,
            state,
            kill: Some(kill),
            thread: Some(thread),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server at once.
    pub fn kill(&mut self) {
        self.kill.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        self.kill();
    }
}
