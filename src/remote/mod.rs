//! The link to the platform API and the visitor's inquiry outbox.
//!
//! With `--api URL` a worker thread fetches the catalog hall by hall (the
//! lobby shows the progress), caches the last good one on disk, falls back
//! to that cache (or the embedded catalog) with an "offline" badge when the
//! server cannot be reached, and polls the catalog's ETag so a changed
//! catalog refreshes the booths without a restart. Inquiries go to a durable
//! outbox first and are sent with retry; without `--api` they stay queued
//! there. Each sent inquiry's thread (the agent's replies and the deal's
//! stage) is read back every second with the receipt's secret, and the
//! visitor's replies go through the same outbox. Natively the worker is a thread with a small async runtime and
//! keeps its files in the data folder; in a browser it is a task on the
//! page's event loop and keeps them in `localStorage`.

use std::collections::HashMap;
use std::time::Duration;

use bevy::prelude::*;
use yunzhan_model::api::Thread;
use yunzhan_model::attention::CountBatch;
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

/// What opens a sent inquiry's thread: its id and its receipt's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ThreadKey {
    pub(crate) id: i64,
    pub(crate) secret: String,
}

/// One inquiry in the outbox, as the worker last reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutboxLine {
    /// The idempotency key: which inquiry this is.
    pub(crate) key: String,
    pub(crate) platform_no: String,
    pub(crate) state: InquiryState,
    /// Once sent to a server that keeps threads.
    pub(crate) thread: Option<ThreadKey>,
}

/// One of the visitor's replies in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplyLine {
    pub(crate) inquiry_id: i64,
    pub(crate) body: String,
    pub(crate) state: InquiryState,
    /// The stored message's id, once sent.
    pub(crate) message_id: Option<i64>,
}

/// The inquiries and replies in the outbox as the worker last reported
/// them. At the kiosk those of earlier visitors stay in the outbox until
/// they are sent, but are no longer shown.
#[derive(Resource, Debug, Clone, Default)]
pub(crate) struct SentInquiries {
    outbox: Vec<OutboxLine>,
    replies: Vec<ReplyLine>,
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

    /// The current visitor's inquiries, oldest first.
    pub(crate) fn current(&self) -> impl Iterator<Item = &OutboxLine> {
        (self.outbox.iter()).filter(|line| !self.earlier_visitors.contains(&line.key))
    }

    /// The visitor's replies to inquiry `id` that its thread does not show
    /// yet (queued, refused, or sent since the thread was last read).
    pub(crate) fn unshown_replies<'a>(
        &'a self,
        id: i64,
        thread: Option<&'a Thread>,
    ) -> impl Iterator<Item = &'a ReplyLine> {
        self.replies.iter().filter(move |reply| {
            reply.inquiry_id == id
                && !reply.message_id.is_some_and(|message| {
                    thread.is_some_and(|thread| thread.messages.iter().any(|m| m.id == message))
                })
        })
    }

    pub(crate) fn replace(&mut self, outbox: Vec<OutboxLine>, replies: Vec<ReplyLine>) {
        self.earlier_visitors
            .retain(|key| outbox.iter().any(|line| line.key == *key));
        self.outbox = outbox;
        self.replies = replies;
    }
}

/// The threads of the visitor's sent inquiries as the server last showed
/// them, and how many of the agent's updates of each the visitor has seen
/// (kept in storage, so a reload does not badge what was read).
#[derive(Resource, Debug, Clone, Default)]
pub(crate) struct Threads {
    by_inquiry: HashMap<i64, Thread>,
    seen: HashMap<i64, i64>,
}

/// Where the seen counts are kept.
const SEEN: &str = "threads-seen.json";

impl Threads {
    fn load(storage: &Storage) -> Threads {
        let seen = storage
            .read(SEEN)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Threads {
            by_inquiry: HashMap::new(),
            seen,
        }
    }

    /// The threads as the server shows them now.
    pub(crate) fn replace(&mut self, threads: Vec<Thread>) {
        self.by_inquiry = threads
            .into_iter()
            .map(|thread| (thread.id, thread))
            .collect();
    }

    pub(crate) fn get(&self, id: i64) -> Option<&Thread> {
        self.by_inquiry.get(&id)
    }

    /// The agent's replies and stage changes the visitor has not seen.
    pub(crate) fn unread(&self, id: i64) -> i64 {
        let updates = self.get(id).map_or(0, |thread| thread.agent_updates);
        (updates - self.seen.get(&id).copied().unwrap_or(0)).max(0)
    }

    /// Everything of thread `id` shown so far is seen; true if that changed.
    pub(crate) fn mark_seen(&mut self, id: i64) -> bool {
        let updates = self.get(id).map_or(0, |thread| thread.agent_updates);
        self.seen.insert(id, updates) != Some(updates)
    }
}

/// Keeps the seen counts when they change.
fn keep_seen(
    threads: Res<Threads>,
    storage: Option<Res<Storage>>,
    mut kept: Local<HashMap<i64, i64>>,
) {
    if *kept == threads.seen {
        return;
    }
    kept.clone_from(&threads.seen);
    if let Some(storage) = storage {
        let json = serde_json::to_vec(&threads.seen).expect("counts serialise");
        if let Err(error) = storage.write(SEEN, &json) {
            warn!("could not keep which replies were read: {error}");
        }
    }
}

/// Send the visitor's reply to the thread of a sent inquiry.
#[derive(Message, Debug, Clone)]
pub(crate) struct SendReply {
    pub(crate) inquiry_id: i64,
    pub(crate) body: String,
}

/// What is in the outbox now belongs to a visitor who left.
fn forget_the_visitor(mut sent: ResMut<SentInquiries>) {
    let SentInquiries {
        outbox,
        earlier_visitors,
        ..
    } = &mut *sent;
    earlier_visitors.extend(outbox.iter().map(|line| line.key.clone()));
}

/// Queue an inquiry for sending.
#[derive(Message, Debug, Clone)]
pub(crate) struct SubmitInquiry(pub Inquiry);

/// Send a batch of anonymous attention counts (the worker retries it under
/// its id until the server has it).
#[derive(Message, Debug, Clone)]
pub(crate) struct SendCounts(pub CountBatch);

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
        .init_resource::<Threads>()
        .add_message::<SubmitInquiry>()
        .add_message::<SendReply>()
        .add_message::<SendCounts>();
    app.add_systems(
        PostUpdate,
        (
            forget_the_visitor.run_if(on_message::<VisitorLeft>),
            keep_seen.run_if(resource_changed::<Threads>),
        ),
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
        app.insert_resource(Threads::load(&storage));
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
    use yunzhan_client::{
        ApiClient, Delivery, Letter, Outbox, OutboxEntry, SubmitOutcome, ThreadReply,
    };
    use yunzhan_model::Catalog;
    use yunzhan_model::api::Thread;
    use yunzhan_model::attention::CountBatch;
    use yunzhan_model::inquiry::Inquiry;

    use super::{
        CatalogSource, InquiryState, OutboxLine, PlatformStatus, ReplyLine, SendCounts, SendReply,
        SentInquiries, SubmitInquiry, ThreadKey, Threads,
    };
    use crate::expo::storage::Storage;
    use crate::world::rebuild::ShowCatalog;

    const CACHE: &str = "catalog-cache.json";
    const CACHE_ETAG: &str = "catalog-cache.etag";
    const OUTBOX: &str = "outbox.json";
    /// How often the threads of sent inquiries are read again: an agent's
    /// reply shows within about this long.
    const THREAD_POLL: Duration = Duration::from_secs(1);
    /// The most threads read back (the newest inquiries').
    const THREADS_FOLLOWED: usize = 20;

    /// What the app asks the worker to queue.
    enum Request {
        Inquiry(Inquiry),
        Reply { inquiry_id: i64, body: String },
        Counts(CountBatch),
    }

    /// The most batches of counts kept while the platform is away (the
    /// oldest are dropped: counts are not worth a growing backlog).
    const COUNT_BATCHES_KEPT: usize = 20;

    /// The app's end of the worker's channels.
    #[derive(Resource)]
    pub(crate) struct Link {
        submit: Sender<Request>,
        reports: Mutex<Receiver<Report>>,
    }

    impl Link {
        fn submit(&self, letter: Request) {
            if self.submit.send(letter).is_err() {
                error!("the platform worker has stopped; nothing more is queued");
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
        Outbox(Vec<OutboxLine>, Vec<ReplyLine>),
        Threads(Vec<Thread>),
    }

    pub(crate) fn forward_submissions(
        mut submissions: MessageReader<SubmitInquiry>,
        mut replies: MessageReader<SendReply>,
        mut counts: MessageReader<SendCounts>,
        link: Res<Link>,
    ) {
        for SendCounts(batch) in counts.read() {
            link.submit(Request::Counts(batch.clone()));
        }
        for SubmitInquiry(inquiry) in submissions.read() {
            link.submit(Request::Inquiry(inquiry.clone()));
        }
        for reply in replies.read() {
            link.submit(Request::Reply {
                inquiry_id: reply.inquiry_id,
                body: reply.body.clone(),
            });
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
        mut threads: ResMut<Threads>,
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
                Report::Outbox(entries, replies) => sent.replace(entries, replies),
                Report::Threads(read) => threads.replace(read),
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
        submissions: Receiver<Request>,
        poll_every: Duration,
    }

    fn state(delivery: &Delivery) -> InquiryState {
        match delivery {
            Delivery::Queued => InquiryState::Queued,
            Delivery::Sent { .. } => InquiryState::Sent,
            Delivery::Rejected { reason, reason_zh } => InquiryState::Rejected {
                reason: reason.clone(),
                reason_zh: reason_zh.clone(),
            },
        }
    }

    /// A sent inquiry's thread key.
    fn thread_key(entry: &OutboxEntry) -> Option<ThreadKey> {
        match (&entry.letter, &entry.delivery) {
            (
                Letter::Inquiry { .. },
                Delivery::Sent {
                    id,
                    thread_secret: Some(secret),
                    ..
                },
            ) => Some(ThreadKey {
                id: *id,
                secret: secret.clone(),
            }),
            _ => None,
        }
    }

    fn report_outbox(outbox: &Outbox) -> Report {
        let mut inquiries = Vec::new();
        let mut replies = Vec::new();
        for entry in outbox.entries() {
            match &entry.letter {
                Letter::Inquiry { inquiry } => inquiries.push(OutboxLine {
                    key: entry.key.clone(),
                    platform_no: inquiry.platform_no.clone(),
                    state: state(&entry.delivery),
                    thread: thread_key(entry),
                }),
                Letter::Reply { reply } => replies.push(ReplyLine {
                    inquiry_id: reply.inquiry_id,
                    body: reply.body.clone(),
                    state: state(&entry.delivery),
                    message_id: match entry.delivery {
                        Delivery::Sent { id, .. } => Some(id),
                        _ => None,
                    },
                }),
            }
        }
        Report::Outbox(inquiries, replies)
    }

    /// Queues what the app asked for (a reply with its inquiry's thread key).
    /// Sends the kept batches of counts, oldest first, until one has to
    /// wait; a batch the server refused for good is dropped.
    async fn send_counts(client: &ApiClient, counts: &mut Vec<CountBatch>) {
        while let Some(batch) = counts.first() {
            match client.send_counts(batch).await {
                SubmitOutcome::Accepted(_) => {}
                SubmitOutcome::Rejected(refusal) => {
                    warn!("a batch of counts was refused: {}", refusal.message);
                }
                SubmitOutcome::RetryLater(_) => return,
            }
            counts.remove(0);
        }
    }

    fn queue(outbox: &mut Outbox, letter: Request) {
        let queued = match letter {
            Request::Inquiry(inquiry) => outbox.submit(inquiry),
            // Counts never go into the outbox (the worker's loop keeps them).
            Request::Counts(_) => return,
            Request::Reply { inquiry_id, body } => {
                let secret = outbox
                    .entries()
                    .iter()
                    .filter_map(thread_key)
                    .find(|key| key.id == inquiry_id);
                let Some(ThreadKey { secret, .. }) = secret else {
                    error!("no thread key for inquiry {inquiry_id}; the reply was not queued");
                    return;
                };
                outbox.reply(ThreadReply {
                    inquiry_id,
                    thread_secret: secret,
                    body,
                })
            }
        };
        if let Err(error) = queued {
            error!("could not save the outbox: {error}");
        }
    }

    /// The threads of the newest sent inquiries that the server opens
    /// (one it cannot reach or refuses is left out until the next time).
    async fn read_threads(client: &ApiClient, outbox: &Outbox) -> Vec<Thread> {
        let keys: Vec<ThreadKey> = outbox.entries().iter().filter_map(thread_key).collect();
        let mut threads = Vec::new();
        for key in keys.iter().rev().take(THREADS_FOLLOWED) {
            if let Ok(Some(thread)) = client.thread(key.id, &key.secret).await {
                threads.push(thread);
            }
        }
        threads
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
            self.tell(report_outbox(&outbox));
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
            let mut next_threads = Instant::now();
            let mut threads_shown = Vec::new();
            let mut counts: Vec<CountBatch> = Vec::new();
            loop {
                loop {
                    match self.submissions.try_recv() {
                        Ok(Request::Counts(batch)) => {
                            counts.push(batch);
                            let excess = counts.len().saturating_sub(COUNT_BATCHES_KEPT);
                            counts.drain(..excess);
                        }
                        Ok(letter) => {
                            queue(&mut outbox, letter);
                            if !self.tell(report_outbox(&outbox)) {
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
                            self.tell(report_outbox(&outbox));
                        }
                        Err(error) => error!("could not save the outbox: {error}"),
                    }
                    // After the outbox: counts never hold up an inquiry.
                    send_counts(client, &mut counts).await;
                    if Instant::now() >= next_threads {
                        let threads = read_threads(client, &outbox).await;
                        if threads != threads_shown {
                            threads_shown.clone_from(&threads);
                            self.tell(Report::Threads(threads));
                        }
                        next_threads = Instant::now() + THREAD_POLL;
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
