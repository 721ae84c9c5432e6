//! The durable outbox: an inquiry, or a reply to an inquiry's thread, is
//! written to storage before the visitor is told it is queued, sent with
//! retry and backoff under one idempotency key, and marked sent only when
//! the server acknowledges it. A crash or a stopped server never loses one
//! and never stores one twice. A sent inquiry keeps its receipt's thread
//! secret here, so the visitor's thread survives restarts and reloads.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use web_time::Instant;
use yunzhan_model::api::Reply;
use yunzhan_model::inquiry::Inquiry;

use crate::{ApiClient, Store, SubmitOutcome};

/// Where a letter stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Delivery {
    Queued,
    Sent {
        /// The inquiry's or the message's id.
        id: i64,
        received_at: String,
        /// An inquiry's key to its thread (none for replies, and for
        /// inquiries sent to a server older than threads).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread_secret: Option<String>,
    },
    Rejected {
        reason: String,
        reason_zh: String,
    },
}

/// The visitor's answer in the thread of an inquiry already sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadReply {
    pub inquiry_id: i64,
    pub thread_secret: String,
    pub body: String,
}

/// What an entry carries. Entries written before replies existed hold an
/// `inquiry` field only, and still read as inquiries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Letter {
    Inquiry { inquiry: Inquiry },
    Reply { reply: ThreadReply },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The idempotency key, made once when the letter is queued.
    pub key: String,
    #[serde(flatten)]
    pub letter: Letter,
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempts: u32,
}

impl OutboxEntry {
    /// The inquiry, when this entry is one.
    pub fn inquiry(&self) -> Option<&Inquiry> {
        match &self.letter {
            Letter::Inquiry { inquiry } => Some(inquiry),
            Letter::Reply { .. } => None,
        }
    }
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

/// A new random key: 16 bytes as hex (idempotency keys, batch ids).
pub fn new_key() -> String {
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
        self.queue(Letter::Inquiry { inquiry })
    }

    /// Queues a reply to a sent inquiry's thread, as [`Outbox::submit`].
    pub fn reply(&mut self, reply: ThreadReply) -> std::io::Result<String> {
        self.queue(Letter::Reply { reply })
    }

    fn queue(&mut self, letter: Letter) -> std::io::Result<String> {
        let key = new_key();
        self.entries.push(OutboxEntry {
            key: key.clone(),
            letter,
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
            let outcome = send(client, entry).await;
            let entry = &mut self.entries[index];
            entry.attempts += 1;
            match outcome {
                SubmitOutcome::Accepted(sent) => {
                    entry.delivery = sent;
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

/// Sends one letter; what was accepted is its `Sent` delivery.
async fn send(client: &ApiClient, entry: &OutboxEntry) -> SubmitOutcome<Delivery> {
    match &entry.letter {
        Letter::Inquiry { inquiry } => match client.submit(&entry.key, inquiry).await {
            SubmitOutcome::Accepted(receipt) => SubmitOutcome::Accepted(Delivery::Sent {
                id: receipt.id,
                received_at: receipt.received_at,
                thread_secret: receipt.thread_secret,
            }),
            SubmitOutcome::Rejected(error) => SubmitOutcome::Rejected(error),
            SubmitOutcome::RetryLater(hint) => SubmitOutcome::RetryLater(hint),
        },
        Letter::Reply { reply } => {
            let body = Reply {
                body: reply.body.clone(),
            };
            let outcome = client
                .reply(&entry.key, reply.inquiry_id, &reply.thread_secret, &body)
                .await;
            match outcome {
                SubmitOutcome::Accepted(message) => SubmitOutcome::Accepted(Delivery::Sent {
                    id: message.id,
                    received_at: message.sent_at,
                    thread_secret: None,
                }),
                SubmitOutcome::Rejected(error) => SubmitOutcome::Rejected(error),
                SubmitOutcome::RetryLater(hint) => SubmitOutcome::RetryLater(hint),
            }
        }
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
    fn outboxes_written_before_replies_existed_still_read() {
        let old = r#"[{"key": "k1", "inquiry": {"platform_no": "YZ-2023-00001", "name": "王", "organisation": "",
            "phone": "", "email": "w@example.org", "intent": "joint_development", "message": "旧"},
            "status": "sent", "id": 7, "received_at": "2026-11-01T00:00:00Z", "attempts": 1}]"#;
        let dir = scratch("old-format");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("outbox.json"), old.as_bytes()).unwrap();
        let (mut outbox, problem) = Outbox::open(Store::in_dir(&dir), "outbox.json");
        assert_eq!(problem, None);
        let entry = &outbox.entries()[0];
        assert_eq!(entry.inquiry().unwrap().message, "旧");
        assert!(matches!(
            entry.delivery,
            Delivery::Sent {
                id: 7,
                thread_secret: None,
                ..
            }
        ));

        outbox
            .reply(ThreadReply {
                inquiry_id: 7,
                thread_secret: "s".into(),
                body: "追问".into(),
            })
            .unwrap();
        let (reopened, _) = Outbox::open(Store::in_dir(&dir), "outbox.json");
        assert_eq!(reopened.entries().len(), 2);
        assert!(reopened.entries()[1].inquiry().is_none());
        assert_eq!(reopened.queued(), 1);
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
