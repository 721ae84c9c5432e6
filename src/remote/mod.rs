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

use std::time::Duration;

use bevy::prelude::*;
use yunzhan_model::inquiry::Inquiry;

use crate::expo::VisitorLeft;
use crate::expo::storage::Storage;

/// Where the catalog on show came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum CatalogSource {
    #[default]
    Embedded,
    Server,
    /// The last catalog fetched from the server, read from disk.
    Cache,
}

/// What the HUD shows about the platform link.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub(crate) struct PlatformStatus {
    /// The API's address; `None` runs on the embedded catalog.
    pub(crate) api: Option<String>,
    pub(crate) source: CatalogSource,
    /// `Some(false)` after the server could not be reached.
    pub(crate) online: Option<bool>,
    /// Why the server could not be reached, for the badge's tooltip.
    pub(crate) problem: Option<String>,
    /// A catalog download in progress: halls done and halls in all.
    pub(crate) download: Option<(usize, usize)>,
}

/// Where one of the visitor's inquiries stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InquiryState {
    Queued,
    Sent,
    Rejected { reason: String, reason_zh: String },
}

/// One inquiry in the outbox, as the worker last reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutboxLine {
    /// The idempotency key: which inquiry this is.
    pub(crate) key: String,
    pub(crate) platform_no: String,
    pub(crate) state: InquiryState,
}

/// The inquiries in the outbox as the worker last reported them. At the
/// kiosk those of earlier visitors stay in the outbox until they are sent,
/// but are no longer shown.
#[derive(Resource, Debug, Clone, Default)]
pub(crate) struct SentInquiries {
    outbox: Vec<OutboxLine>,
    earlier_visitors: std::collections::HashSet<String>,
}

impl SentInquiries {
    /// Every inquiry in the outbox, whoever wrote it.
    #[cfg(any(target_arch = "wasm32", test))]
    pub(crate) fn outbox(&self) -> &[OutboxLine] {
        &self.outbox
    }

    /// The current visitor's inquiries of a project, oldest first.
    pub(crate) fn visitors(&self, platform_no: &str) -> impl Iterator<Item = &OutboxLine> {
        self.outbox.iter().filter(move |line| {
            line.platform_no == platform_no && !self.earlier_visitors.contains(&line.key)
        })
    }

    pub(crate) fn replace(&mut self, outbox: Vec<OutboxLine>) {
        self.earlier_visitors
            .retain(|key| outbox.iter().any(|line| line.key == *key));
        self.outbox = outbox;
    }
}

/// What is in the outbox now belongs to a visitor who left.
fn forget_the_visitor(mut sent: ResMut<SentInquiries>) {
    let SentInquiries {
        outbox,
        earlier_visitors,
    } = &mut *sent;
    earlier_visitors.extend(outbox.iter().map(|line| line.key.clone()));
}

/// Queue an inquiry for sending.
#[derive(Message, Debug, Clone)]
pub(crate) struct SubmitInquiry(pub Inquiry);

pub(crate) struct PlatformPlugin {
    pub(crate) api: Option<String>,
    /// How often the worker asks whether the catalog changed.
    pub(crate) poll_every: Duration,
}

impl Default for PlatformPlugin {
    fn default() -> Self {
        PlatformPlugin {
            api: None,
            poll_every: Duration::from_secs(30),
        }
    }
}

/// The link's state as the HUD and the inquiry form show it; works without
/// the worker (which [`PlatformPlugin`] adds).
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<PlatformStatus>()
        .init_resource::<SentInquiries>()
        .add_message::<SubmitInquiry>();
    app.add_systems(
        PostUpdate,
        forget_the_visitor.run_if(on_message::<VisitorLeft>),
    );
}

impl Plugin for PlatformPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(PlatformStatus {
            api: self.api.clone(),
            ..default()
        })
        .init_resource::<Storage>();
        let storage = app.world().resource::<Storage>().clone();
        let link = worker::start(self.api.clone(), storage, self.poll_every);
        app.insert_resource(link);
        app.add_systems(
            Update,
            (worker::forward_submissions, worker::receive_reports),
        );
    }
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
        CatalogSource, InquiryState, OutboxLine, PlatformStatus, SentInquiries, SubmitInquiry,
    };
    use crate::expo::storage::Storage;
    use crate::world::rebuild::ShowCatalog;

    const CACHE: &str = "catalog-cache.json";
    const CACHE_ETAG: &str = "catalog-cache.etag";
    const OUTBOX: &str = "outbox.json";

    /// The app's end of the worker's channels.
    #[derive(Resource)]
    pub(crate) struct Link {
        submit: Sender<Inquiry>,
        reports: Mutex<Receiver<Report>>,
    }

    impl Link {
        pub(crate) fn submit(&self, inquiry: Inquiry) {
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

    pub(crate) fn start(api: Option<String>, storage: Storage, poll_every: Duration) -> Link {
        let (submit, submissions) = mpsc::channel();
        let (report, reports) = mpsc::channel();
        let worker = Worker {
            client: api.as_deref().map(ApiClient::new),
            storage,
            report,
            submissions,
            poll_every,
        };
        crate::expo::tasks::spawn_task("platform", move || worker.run());
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
        Outbox(Vec<OutboxLine>),
    }

    pub(crate) fn forward_submissions(
        mut submissions: MessageReader<SubmitInquiry>,
        link: Res<Link>,
    ) {
        for SubmitInquiry(inquiry) in submissions.read() {
            link.submit(inquiry.clone());
        }
    }

    /// Applies what the worker reported: a new catalog (the open scene is
    /// rebuilt, favourites and the open project follow their platform numbers),
    /// the link's state, and the outbox.
    pub(crate) fn receive_reports(
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
                Report::Outbox(entries) => sent.replace(entries),
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

    fn summary(outbox: &Outbox) -> Vec<OutboxLine> {
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
                OutboxLine {
                    key: entry.key.clone(),
                    platform_no: entry.inquiry.platform_no.clone(),
                    state,
                }
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
