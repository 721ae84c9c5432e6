//! The durable inquiry outbox: an inquiry is written to storage before the
//! visitor is told it is queued, sent with retry and backoff under one
//! idempotency key, and marked sent only when the server acknowledges it.
//! A crash or a stopped server never loses one and never stores one twice.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use web_time::Instant;
use yunzhan_model::inquiry::Inquiry;

use crate::{ApiClient, Store, SubmitOutcome};

/// Where an inquiry stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    Queued,
    Sent { id: i64, received_at: String },
    Rejected { reason: String, reason_zh: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The idempotency key, made once when the inquiry is queued.
    pub key: String,
    pub inquiry: Inquiry,
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempts: u32,
}

#[derive(Debug)]
pub struct Outbox {
    /// Where the entries are kept, under `name`.
    store: Store,
    name: String,
    entries: Vec<OutboxEntry>,
    /// When each queued entry may be tried again (not persisted: after a
    /// restart every queued entry is due at once).
    not_before: Vec<Option<Instant>>,
    first_backoff: Duration,
    max_backoff: Duration,
}

fn new_key() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Outbox {
    /// Opens the outbox kept in `store` under `name`. An item that cannot
    /// be read is copied aside (`NAME.unreadable.json`, never overwritten)
    /// and named in the error, with an empty outbox.
    pub fn open(store: Store, name: &str) -> (Outbox, Option<String>) {
        let mut problem = None;
        let entries = match store.read(name) {
            Some(bytes) => match serde_json::from_slice::<Vec<OutboxEntry>>(&bytes) {
                Ok(entries) => entries,
                Err(error) => {
                    // A name no earlier unreadable outbox has taken.
                    let stem = name.trim_end_matches(".json");
                    let aside = (1..)
                        .map(|n| match n {
                            1 => format!("{stem}.unreadable.json"),
                            n => format!("{stem}.unreadable-{n}.json"),
                        })
                        .find(|aside| store.read(aside).is_none())
                        .expect("a free name");
                    let kept = store.write(&aside, &bytes);
                    problem = Some(match kept {
                        Ok(()) => format!(
                            "the inquiry outbox {} could not be read ({error}); it was kept as {}",
                            store.describe(name),
                            store.describe(&aside)
                        ),
                        Err(why) => format!(
                            "the inquiry outbox {} could not be read ({error}) nor kept aside ({why})",
                            store.describe(name)
                        ),
                    });
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let outbox = Outbox {
            store,
            name: name.to_string(),
            not_before: vec![None; entries.len()],
            entries,
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        };
        (outbox, problem)
    }

    /// An outbox that keeps nothing.
    pub fn in_memory() -> Outbox {
        Outbox::open(Store::nowhere(), "outbox.json").0
    }

    /// Retry delays: `first` after the first failure, doubling up to `max`.
    pub fn with_backoff(mut self, first: Duration, max: Duration) -> Outbox {
        self.first_backoff = first;
        self.max_backoff = max;
        self
    }

    pub fn entries(&self) -> &[OutboxEntry] {
        &self.entries
    }

    pub fn queued(&self) -> usize {
        self.entries
            .iter()
            .filter(|entry| entry.delivery == Delivery::Queued)
            .count()
    }

    /// Queues an inquiry; it is stored when this returns `Ok`. Returns its
    /// idempotency key.
    pub fn submit(&mut self, inquiry: Inquiry) -> std::io::Result<String> {
        let key = new_key();
        self.entries.push(OutboxEntry {
            key: key.clone(),
            inquiry,
            delivery: Delivery::Queued,
            attempts: 0,
        });
        self.not_before.push(None);
        if let Err(error) = self.save() {
            self.entries.pop();
            self.not_before.pop();
            return Err(error);
        }
        Ok(key)
    }

    fn save(&self) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(&self.entries).expect("entries serialise");
        self.store.write(&self.name, &json)
    }

    /// How long until the next queued entry is due; `None` when none is queued.
    pub fn next_due(&self, now: Instant) -> Option<Duration> {
        self.entries
            .iter()
            .zip(&self.not_before)
            .filter(|(entry, _)| entry.delivery == Delivery::Queued)
            .map(|(_, at)| at.map_or(Duration::ZERO, |at| at.saturating_duration_since(now)))
            .min()
    }

    /// One pass: sends every queued entry that is due, records what the
    /// server said and saves after each answer. Returns how many changed.
    pub async fn deliver(&mut self, client: &ApiClient) -> std::io::Result<usize> {
        let mut changed = 0;
        for index in 0..self.entries.len() {
            let now = Instant::now();
            let entry = &self.entries[index];
            let due = self.not_before[index].is_none_or(|at| at <= now);
            if entry.delivery != Delivery::Queued || !due {
                continue;
            }
            let outcome = client.submit(&entry.key, &entry.inquiry).await;
            let entry = &mut self.entries[index];
            entry.attempts += 1;
            match outcome {
                SubmitOutcome::Accepted(receipt) => {
                    entry.delivery = Delivery::Sent {
                        id: receipt.id,
                        received_at: receipt.received_at,
                    };
                    changed += 1;
                }
                SubmitOutcome::Rejected(error) => {
                    let fields = |pick: fn(&yunzhan_model::api::FieldMessage) -> &String| {
                        error
                            .fields
                            .iter()
                            .map(|field| format!("{}: {}", field.field, pick(field)))
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    let (detail, detail_zh) = (fields(|f| &f.message), fields(|f| &f.message_zh));
                    let join = |message: &str, detail: String| {
                        if detail.is_empty() {
                            message.to_string()
                        } else {
                            format!("{message} ({detail})")
                        }
                    };
                    entry.delivery = Delivery::Rejected {
                        reason: join(&error.message, detail),
                        reason_zh: join(&error.message_zh, detail_zh),
                    };
                    changed += 1;
                }
                SubmitOutcome::RetryLater(hint) => {
                    let exponent = entry.attempts.saturating_sub(1).min(16);
                    let backoff = (self.first_backoff * 2u32.pow(exponent)).min(self.max_backoff);
                    self.not_before[index] = Some(now + hint.unwrap_or(backoff).max(backoff));
                    self.save()?;
                    // The server is not taking inquiries now: stop this pass.
                    break;
                }
            }
            self.save()?;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inquiry(message: &str) -> Inquiry {
        Inquiry {
            platform_no: "YZ-2023-00001".into(),
            name: "王小明".into(),
            email: "wang@example.org".into(),
            intent: Some(yunzhan_model::CooperationMode::JointDevelopment),
            message: message.into(),
            ..Inquiry::default()
        }
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("yunzhan-outbox-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn queued_inquiries_survive_a_restart_with_their_keys() {
        let dir = scratch("restart");
        let (mut outbox, problem) = Outbox::open(Store::in_dir(&dir), "outbox.json");
        assert_eq!(problem, None);
        let first = outbox.submit(inquiry("一")).unwrap();
        let second = outbox.submit(inquiry("二")).unwrap();
        assert_ne!(first, second);
        drop(outbox);

        let (reopened, problem) = Outbox::open(Store::in_dir(&dir), "outbox.json");
        assert_eq!(problem, None);
        let keys: Vec<&str> = reopened.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, [first.as_str(), second.as_str()]);
        assert_eq!(reopened.queued(), 2);
        assert_eq!(reopened.next_due(Instant::now()), Some(Duration::ZERO));
    }

    #[test]
    fn an_unreadable_outbox_is_kept_aside_not_overwritten() {
        let dir = scratch("broken");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("outbox.json"), b"[{\"key\": truncated").unwrap();
        let (mut outbox, problem) = Outbox::open(Store::in_dir(&dir), "outbox.json");
        let problem = problem.expect("the problem is reported");
        assert!(problem.contains("outbox.unreadable.json"), "{problem}");
        assert_eq!(
            std::fs::read(dir.join("outbox.unreadable.json")).unwrap(),
            b"[{\"key\": truncated"
        );
        outbox.submit(inquiry("新")).unwrap();
        assert_eq!(
            Outbox::open(Store::in_dir(&dir), "outbox.json").0.queued(),
            1
        );

        // A second unreadable outbox gets a name of its own.
        std::fs::write(dir.join("outbox.json"), b"not json").unwrap();
        let (_, problem) = Outbox::open(Store::in_dir(&dir), "outbox.json");
        assert!(problem.unwrap().contains("outbox.unreadable-2.json"));
        assert_eq!(
            std::fs::read(dir.join("outbox.unreadable.json")).unwrap(),
            b"[{\"key\": truncated",
            "the first one is kept"
        );
        assert_eq!(
            std::fs::read(dir.join("outbox.unreadable-2.json")).unwrap(),
            b"not json"
        );
    }
}
