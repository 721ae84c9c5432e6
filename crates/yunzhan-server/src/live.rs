//! Live updates: every replica follows the database's `changes` feed (one
//! cheap query every [`FOLLOW_EVERY`]) and passes each change to the
//! server-sent event streams open on it. Following the database rather
//! than each other is what makes a reply written through one replica reach
//! a page connected to another, on SQLite and PostgreSQL alike.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::broadcast;

use crate::db::{Change, Db};
use crate::metrics::Metrics;

/// How often a replica asks the database for new changes: a change
/// reaches open pages within about this long.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(300);

/// The changes this replica has seen, for every stream open on it.
#[derive(Clone)]
pub struct Live {
    sender: broadcast::Sender<Arc<Change>>,
}

impl Live {
    /// Starts following the feed from its current end.
    pub async fn start(db: Arc<Db>, metrics: Arc<Metrics>) -> Result<Live, String> {
        let (sender, _) = broadcast::channel(1024);
        let mut seen = db
            .last_change()
            .await
            .map_err(|error| format!("cannot read the change feed: {error}"))?;
        let live = Live {
            sender: sender.clone(),
        };
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(FOLLOW_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match db.changes_after(seen).await {
                    Ok(changes) => {
                        for change in changes {
                            seen = change.id;
                            // Nobody listening is fine.
                            let _ = sender.send(Arc::new(change));
                        }
                    }
                    Err(error) => {
                        metrics.database_error();
                        tracing::warn!(%error, "cannot follow the change feed; retrying");
                    }
                }
            }
        });
        Ok(live)
    }

    /// An event stream that says `changed` whenever a change `wanted`
    /// selects arrives (and `ready` once at the start, so a page knows it
    /// is connected). A stream that falls behind just says `changed`. Each
    /// event carries data: a browser's `EventSource` drops events without.
    pub fn stream(&self, wanted: impl Fn(&Change) -> bool + Send + 'static) -> Response {
        let receiver = self.sender.subscribe();
        let changes =
            futures_util::stream::unfold((receiver, wanted), |(mut receiver, wanted)| async move {
                loop {
                    match receiver.recv().await {
                        Ok(change) if wanted(&change) => break,
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(_)) => break,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
                let changed: Result<Event, Infallible> =
                    Ok(Event::default().event("changed").data("changed"));
                Some((changed, (receiver, wanted)))
            });
        let ready: Result<Event, Infallible> = Ok(Event::default().event("ready").data("ready"));
        let events = futures_util::stream::once(async { ready }).chain(changes);
        let mut response = Sse::new(events)
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
            .into_response();
        // Tells nginx not to buffer the stream.
        response
            .headers_mut()
            .insert("x-accel-buffering", HeaderValue::from_static("no"));
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
