//! The link to the platform API and the visitor's inquiry outbox.
//!
//! With `--api URL` a worker thread fetches the catalog hall by hall (the
//! lobby shows the progress), caches the last good one on disk, falls back
//! to that cache (or the embedded catalog) with an "offline" badge when the
//! server cannot be reached, and polls the catalog's ETag so a changed
//! catalog refreshes the booths without a restart. Inquiries go to a durable
//! outbox first and are sent with retry; without `--api` they stay queued
//! there. Natively the worker is a thread with a small async runtime and
//! keeps its files in the data folder; in a browser it is a task on the
//! page's event loop and keeps them in `localStorage`.

use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use yunzhan_model::inquiry::Inquiry;

use bevy::ecs::system::SystemParam;

use crate::Screen;
use crate::catalog::ExpoCatalog;
use crate::interaction::Selection;
use crate::navigation::{CurrentHall, Go, floor_position};
use crate::storage::Storage;
use crate::visitor::{EYE_HEIGHT, Visitor, orientation};

/// Where the catalog on show came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CatalogSource {
    #[default]
    Embedded,
    Server,
    /// The last catalog fetched from the server, read from disk.
    Cache,
}

/// What the HUD shows about the platform link.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct PlatformStatus {
    /// The API's address; `None` runs on the embedded catalog.
    pub api: Option<String>,
    pub source: CatalogSource,
    /// `Some(false)` after the server could not be reached.
    pub online: Option<bool>,
    /// Why the server could not be reached, for the badge's tooltip.
    pub problem: Option<String>,
    /// A catalog download in progress: halls done and halls in all.
    pub download: Option<(usize, usize)>,
}

/// Where one of the visitor's inquiries stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InquiryState {
    Queued,
    Sent,
    Rejected { reason: String, reason_zh: String },
}

/// The visitor's inquiries as the outbox last reported them.
#[derive(Resource, Debug, Clone, Default)]
pub struct SentInquiries(pub Vec<(String, InquiryState)>);

/// Queue an inquiry for sending.
#[derive(Message, Debug, Clone)]
pub struct SubmitInquiry(pub Inquiry);

pub struct PlatformPlugin {
    pub api: Option<String>,
    /// How often the worker asks whether the catalog changed.
    pub poll_every: Duration,
}

impl Default for PlatformPlugin {
    fn default() -> Self {
        PlatformPlugin {
            api: None,
            poll_every: Duration::from_secs(30),
        }
    }
}

/// The visitor's place, kept across a catalog refresh that rebuilds the
/// scene they stand in.
#[derive(Resource, Debug, Clone, Copy)]
pub(crate) struct KeepPlace {
    at: [f32; 2],
    yaw: f32,
    pitch: f32,
    /// Set once the scene is being rebuilt: the place is restored after
    /// that, never before (whichever system runs first in the frame).
    rebuilt: bool,
}

/// Rebuilds the scene on show (after a catalog or quality change) with the
/// visitor kept where they stand.
#[derive(SystemParam)]
pub struct RebuildScene<'w, 's> {
    screen: Res<'w, State<Screen>>,
    hall: Option<Res<'w, CurrentHall>>,
    visitors: Query<'w, 's, (&'static Transform, &'static Visitor)>,
    go: MessageWriter<'w, Go>,
}

impl<'w> RebuildScene<'w, '_> {
    /// For a system that also sends the visitor elsewhere.
    pub fn go(&mut self) -> &mut MessageWriter<'w, Go> {
        &mut self.go
    }

    pub fn in_hall(&self) -> bool {
        *self.screen.get() == Screen::Hall
    }

    pub fn keeping_place(&mut self, commands: &mut Commands) {
        // While a hall is still being built there is no place to keep yet
        // (and a booth the visitor is headed for stays their destination).
        let loading = *self.screen.get() == Screen::Loading;
        if let (false, Some((transform, visitor))) = (loading, self.visitors.iter().next()) {
            commands.insert_resource(KeepPlace {
                at: floor_position(transform),
                yaw: visitor.yaw,
                pitch: visitor.pitch,
                rebuilt: false,
            });
        }
        match (self.screen.get(), self.hall.as_deref()) {
            (Screen::Lobby, _) | (_, None) => self.go.write(Go::Lobby),
            (_, Some(hall)) => self.go.write(Go::Hall(hall.0)),
        };
    }
}

/// Runs a task off the frame loop: natively on a thread of its own with a
/// small async runtime, in a browser on the page's event loop. `make`
/// makes the task where it runs.
#[cfg(not(target_arch = "wasm32"))]
pub fn spawn_task<F>(name: &str, make: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(make()),
                Err(error) => error!("cannot start a task's runtime: {error}"),
            }
        });
    if let Err(error) = spawned {
        error!("cannot start the {name} task: {error}");
    }
}

#[cfg(target_arch = "wasm32")]
pub fn spawn_task<F>(_name: &str, make: impl FnOnce() -> F + 'static)
where
    F: std::future::Future<Output = ()> + 'static,
{
    wasm_bindgen_futures::spawn_local(make());
}

/// Puts a new catalog on show: the open project, favourites and search
/// follow their platform numbers, and the scene on show is rebuilt with the
/// visitor kept in place.
#[derive(SystemParam)]
pub struct ShowCatalog<'w, 's> {
    shown: ResMut<'w, ExpoCatalog>,
    selection: ResMut<'w, Selection>,
    favourites: Option<ResMut<'w, crate::ui::Favourites>>,
    search: Option<ResMut<'w, crate::ui::SearchState>>,
    rebuild: RebuildScene<'w, 's>,
}

impl<'w> ShowCatalog<'w, '_> {
    pub fn go(&mut self) -> &mut MessageWriter<'w, Go> {
        self.rebuild.go()
    }

    pub fn on_show(&self) -> &Arc<yunzhan_model::Catalog> {
        &self.shown.0
    }

    pub fn show(&mut self, commands: &mut Commands, catalog: Arc<yunzhan_model::Catalog>) {
        let old = self.shown.0.clone();
        let follow = |id| catalog.find(&old.project(id).platform_no);
        self.selection.0 = self.selection.0.and_then(follow);
        if let Some(favourites) = self.favourites.as_mut() {
            favourites.0 = favourites.0.iter().filter_map(|&id| follow(id)).collect();
        }
        if let Some(search) = self.search.as_mut() {
            search.forget_results();
        }
        self.shown.0 = catalog;
        self.rebuild.keeping_place(commands);
        info!("catalog {} on show", self.shown.catalog_version());
    }
}

impl Plugin for PlatformPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(PlatformStatus {
            api: self.api.clone(),
            ..default()
        })
        .init_resource::<SentInquiries>()
        .init_resource::<Storage>()
        .add_message::<SubmitInquiry>();
        let storage = app.world().resource::<Storage>().clone();
        let link = worker::start(self.api.clone(), storage, self.poll_every);
        app.insert_resource(link);
        app.add_systems(
            Update,
            (worker::forward_submissions, worker::receive_reports),
        );
        app.add_systems(
            Update,
            keep_place.run_if(
                resource_exists::<KeepPlace>
                    .and_then(|keep: Res<KeepPlace>| keep.rebuilt)
                    .and_then(not(in_state(Screen::Loading))),
            ),
        );
        for screen in [Screen::Loading, Screen::Lobby] {
            app.add_systems(OnEnter(screen), |keep: Option<ResMut<KeepPlace>>| {
                if let Some(mut keep) = keep {
                    keep.rebuilt = true;
                }
            });
        }
    }
}

fn keep_place(
    mut commands: Commands,
    keep: Res<KeepPlace>,
    mut visitors: Query<(&mut Visitor, &mut Transform)>,
) {
    for (mut visitor, mut transform) in &mut visitors {
        visitor.yaw = keep.yaw;
        visitor.pitch = keep.pitch;
        transform.translation = crate::scene::world(keep.at, EYE_HEIGHT);
        transform.rotation = orientation(&visitor);
    }
    commands.remove_resource::<KeepPlace>();
}

mod worker {
    //! The worker: an async task that owns the API client, the catalog
    //! cache and the outbox (a thread of its own natively, a task on the
    //! page's event loop in a browser).

    use std::sync::Mutex;
    use std::sync::mpsc::{self, Receiver, Sender};
    use std::time::Duration;

    use bevy::platform::time::Instant;
    use bevy::prelude::*;
    use yunzhan_client::{ApiClient, Delivery, Outbox};
    use yunzhan_model::Catalog;
    use yunzhan_model::inquiry::Inquiry;

    use super::{
        CatalogSource, InquiryState, PlatformStatus, SentInquiries, ShowCatalog, SubmitInquiry,
    };
    use crate::storage::Storage;

    const CACHE: &str = "catalog-cache.json";
    const CACHE_ETAG: &str = "catalog-cache.etag";
    const OUTBOX: &str = "outbox.json";

    /// The app's end of the worker's channels.
    #[derive(Resource)]
    pub struct Link {
        submit: Sender<Inquiry>,
        reports: Mutex<Receiver<Report>>,
    }

    impl Link {
        pub fn submit(&self, inquiry: Inquiry) {
            if self.submit.send(inquiry).is_err() {
                error!("the inquiry worker has stopped; the inquiry was not queued");
            }
        }

        fn reports(&self) -> Vec<Report> {
            self.reports
                .lock()
                .map(|reports| reports.try_iter().collect())
                .unwrap_or_default()
        }
    }

    pub fn start(api: Option<String>, storage: Storage, poll_every: Duration) -> Link {
        let (submit, submissions) = mpsc::channel();
        let (report, reports) = mpsc::channel();
        let worker = Worker {
            client: api.as_deref().map(ApiClient::new),
            storage,
            report,
            submissions,
            poll_every,
        };
        super::spawn_task("platform", move || worker.run());
        Link {
            submit,
            reports: Mutex::new(reports),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    async fn sleep(duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    /// A `setTimeout` awaited.
    #[cfg(target_arch = "wasm32")]
    async fn sleep(duration: Duration) {
        let millis = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            if let Some(window) = web_sys::window() {
                let _ =
                    window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    /// What the worker tells the app.
    #[derive(Debug)]
    enum Report {
        Download {
            done: usize,
            halls: usize,
        },
        Catalog {
            catalog: Catalog,
            source: CatalogSource,
        },
        Online,
        Offline(String),
        Outbox(Vec<(String, InquiryState)>),
    }

    pub fn forward_submissions(mut submissions: MessageReader<SubmitInquiry>, link: Res<Link>) {
        for SubmitInquiry(inquiry) in submissions.read() {
            link.submit(inquiry.clone());
        }
    }

    /// Applies what the worker reported: a new catalog (the open scene is
    /// rebuilt, favourites and the open project follow their platform numbers),
    /// the link's state, and the outbox.
    #[allow(clippy::too_many_arguments)]
    pub fn receive_reports(
        link: Res<Link>,
        mut commands: Commands,
        mut status: ResMut<PlatformStatus>,
        mut sent: ResMut<SentInquiries>,
        mut show: ShowCatalog,
    ) {
        for report in link.reports() {
            match report {
                Report::Download { done, halls } => status.download = Some((done, halls)),
                Report::Online => {
                    status.online = Some(true);
                    status.problem = None;
                }
                Report::Offline(problem) => {
                    status.online = Some(false);
                    status.problem = Some(problem);
                    status.download = None;
                }
                Report::Outbox(entries) => sent.0 = entries,
                Report::Catalog { catalog, source } => {
                    status.source = source;
                    status.download = None;
                    show.show(&mut commands, std::sync::Arc::new(catalog));
                }
            }
        }
    }

    struct Worker {
        client: Option<ApiClient>,
        storage: Storage,
        report: Sender<Report>,
        submissions: Receiver<Inquiry>,
        poll_every: Duration,
    }

    fn summary(outbox: &Outbox) -> Vec<(String, InquiryState)> {
        outbox
            .entries()
            .iter()
            .map(|entry| {
                let state = match &entry.delivery {
                    Delivery::Queued => InquiryState::Queued,
                    Delivery::Sent { .. } => InquiryState::Sent,
                    Delivery::Rejected { reason, reason_zh } => InquiryState::Rejected {
                        reason: reason.clone(),
                        reason_zh: reason_zh.clone(),
                    },
                };
                (entry.inquiry.platform_no.clone(), state)
            })
            .collect()
    }

    impl Worker {
        fn tell(&self, report: Report) -> bool {
            self.report.send(report).is_ok()
        }

        fn open_outbox(&self) -> Outbox {
            let (outbox, problem) = Outbox::open(self.storage.0.clone(), OUTBOX);
            if let Some(problem) = problem {
                error!("{problem}");
            }
            outbox
        }

        /// The cached catalog and its ETag, when a readable one is kept.
        fn cached(&self) -> Option<(Catalog, String)> {
            let etag = String::from_utf8(self.storage.read(CACHE_ETAG)?).ok()?;
            let report = Catalog::load(&self.storage.read(CACHE)?).ok()?;
            Some((report.catalog, etag))
        }

        /// Fetches the catalog unless the server still has `etag`; reports
        /// it and caches it. Returns the ETag now on show.
        async fn refresh(&self, client: &ApiClient, etag: Option<String>) -> Option<String> {
            let result = match client.catalog_changed(etag.as_deref()).await {
                Ok(None) => Ok(None),
                Ok(Some(_)) => client
                    .fetch_catalog(|progress| {
                        self.tell(Report::Download {
                            done: progress.halls_done,
                            halls: progress.halls,
                        });
                    })
                    .await
                    .map(Some),
                Err(error) => Err(error),
            };
            match result {
                Ok(None) => {
                    self.tell(Report::Online);
                    etag
                }
                Ok(Some(fetched)) => {
                    if fetched.refused > 0 {
                        warn!("{} records from the server were refused", fetched.refused);
                    }
                    let cached = self
                        .storage
                        .write(CACHE, fetched.catalog.to_json().as_bytes())
                        .and_then(|()| self.storage.write(CACHE_ETAG, fetched.etag.as_bytes()));
                    if let Err(error) = cached {
                        warn!("could not cache the catalog: {error}");
                    }
                    self.tell(Report::Online);
                    self.tell(Report::Catalog {
                        catalog: fetched.catalog,
                        source: CatalogSource::Server,
                    });
                    Some(fetched.etag)
                }
                Err(error) => {
                    warn!("platform API: {error}");
                    self.tell(Report::Offline(error.to_string()));
                    etag
                }
            }
        }

        async fn run(self) {
            let mut outbox = self.open_outbox();
            self.tell(Report::Outbox(summary(&outbox)));
            let mut etag = None;
            if let Some(client) = &self.client {
                if let Some((catalog, cached_etag)) = self.cached() {
                    etag = Some(cached_etag);
                    self.tell(Report::Catalog {
                        catalog,
                        source: CatalogSource::Cache,
                    });
                }
                etag = self.refresh(client, etag).await;
            }
            let mut next_poll = Instant::now() + self.poll_every;
            loop {
                loop {
                    match self.submissions.try_recv() {
                        Ok(inquiry) => {
                            if let Err(error) = outbox.submit(inquiry) {
                                error!("could not save the inquiry outbox: {error}");
                            }
                            if !self.tell(Report::Outbox(summary(&outbox))) {
                                return;
                            }
                        }
                        Err(mpsc::TryRecvError::Empty) => break,
                        // The app has quit.
                        Err(mpsc::TryRecvError::Disconnected) => return,
                    }
                }
                if let Some(client) = &self.client {
                    match outbox.deliver(client).await {
                        Ok(0) => {}
                        Ok(_) => {
                            self.tell(Report::Outbox(summary(&outbox)));
                        }
                        Err(error) => error!("could not save the inquiry outbox: {error}"),
                    }
                    if Instant::now() >= next_poll {
                        etag = self.refresh(client, etag).await;
                        next_poll = Instant::now() + self.poll_every;
                    }
                }
                sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
