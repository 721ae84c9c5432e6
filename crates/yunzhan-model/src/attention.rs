//! Anonymous attention counts for exhibitors and organisers: how often a
//! booth was visited, a card opened, a project handed to a phone or
//! inquired about, and how long visitors stayed at a booth (in bands).
//! A visitor's device adds its counts up and sends them in batches, with no
//! identifier of the visitor; a batch carries only a random id so that a
//! retried batch is counted once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::validate::{FieldError, Problem, is_platform_no};

/// What was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The visitor entered the area in front of a booth (counted for the
    /// first project the booth shows).
    BoothVisit,
    /// A project's card was opened (its detail read).
    CardOpen,
    /// How long a visit to a booth lasted, in bands.
    #[serde(rename = "dwell_under_10s")]
    DwellUnder10s,
    #[serde(rename = "dwell_10_60s")]
    Dwell10To60s,
    #[serde(rename = "dwell_1_5min")]
    Dwell1To5Min,
    #[serde(rename = "dwell_over_5min")]
    DwellOver5Min,
    /// A project handed to a phone (the kiosk's QR code).
    QrHandoff,
    /// An inquiry sent.
    Inquiry,
}

impl Event {
    pub const ALL: [Event; 8] = [
        Event::BoothVisit,
        Event::CardOpen,
        Event::DwellUnder10s,
        Event::Dwell10To60s,
        Event::Dwell1To5Min,
        Event::DwellOver5Min,
        Event::QrHandoff,
        Event::Inquiry,
    ];

    /// The band of a booth visit that lasted `seconds`.
    pub fn dwell(seconds: f32) -> Event {
        match seconds {
            s if s < 10.0 => Event::DwellUnder10s,
            s if s < 60.0 => Event::Dwell10To60s,
            s if s < 300.0 => Event::Dwell1To5Min,
            _ => Event::DwellOver5Min,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Event::BoothVisit => "展位访问",
            Event::CardOpen => "卡片打开",
            Event::DwellUnder10s => "停留 <10 秒",
            Event::Dwell10To60s => "停留 10–60 秒",
            Event::Dwell1To5Min => "停留 1–5 分钟",
            Event::DwellOver5Min => "停留 >5 分钟",
            Event::QrHandoff => "扫码带走",
            Event::Inquiry => "询价",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Event::BoothVisit => "Booth visits",
            Event::CardOpen => "Card opens",
            Event::DwellUnder10s => "Stayed <10 s",
            Event::Dwell10To60s => "Stayed 10–60 s",
            Event::Dwell1To5Min => "Stayed 1–5 min",
            Event::DwellOver5Min => "Stayed >5 min",
            Event::QrHandoff => "QR hand-offs",
            Event::Inquiry => "Inquiries",
        }
    }
}

/// One count of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub platform_no: String,
    pub event: Event,
    pub n: u32,
}

/// `POST /api/v1/counts`: what one device counted since its last batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountBatch {
    /// A random id, new for each batch and kept for its retries.
    pub batch: String,
    pub counts: Vec<Count>,
}

impl CountBatch {
    /// The most counts in one batch, and the largest single count.
    pub const MAX_COUNTS: usize = 1000;
    pub const MAX_N: u32 = 10_000;

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let id_ok = (8..=64).contains(&self.batch.len())
            && self
                .batch
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            errors.push(FieldError::new(
                "batch",
                Problem::Malformed {
                    detail: "8–64 letters, digits, '-' or '_'".into(),
                },
            ));
        }
        if self.counts.len() > Self::MAX_COUNTS {
            errors.push(FieldError::new(
                "counts",
                Problem::TooMany {
                    max_items: Self::MAX_COUNTS,
                },
            ));
        }
        for (index, count) in self.counts.iter().enumerate() {
            if !is_platform_no(&count.platform_no) {
                errors.push(FieldError::new(
                    format!("counts[{index}].platform_no"),
                    Problem::BadPlatformNo,
                ));
            }
            if !(1..=Self::MAX_N).contains(&count.n) {
                errors.push(FieldError::new(
                    format!("counts[{index}].n"),
                    Problem::Malformed {
                        detail: format!("from 1 to {}", Self::MAX_N),
                    },
                ));
            }
        }
        errors
    }
}

/// The answer to a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// Counts added (0 for a batch counted before).
    pub counted: usize,
    /// Counts of projects that are not in the catalog, dropped.
    pub ignored: usize,
}

/// Counts added up on a device between batches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(BTreeMap<(String, Event), u32>);

impl Tally {
    pub fn add(&mut self, platform_no: &str, event: Event) {
        let n = self.0.entry((platform_no.to_string(), event)).or_default();
        *n = n.saturating_add(1).min(CountBatch::MAX_N);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Everything counted so far as a batch with the id `batch` (at most
    /// [`CountBatch::MAX_COUNTS`] counts; the rest stay for the next one).
    pub fn take_batch(&mut self, batch: String) -> Option<CountBatch> {
        if self.0.is_empty() {
            return None;
        }
        let keys: Vec<(String, Event)> = self
            .0
            .keys()
            .take(CountBatch::MAX_COUNTS)
            .cloned()
            .collect();
        let counts = keys
            .into_iter()
            .filter_map(|key| {
                let n = self.0.remove(&key)?;
                Some(Count {
                    platform_no: key.0,
                    event: key.1,
                    n,
                })
            })
            .collect();
        Some(CountBatch { batch, counts })
    }
}

/// Counts below this are shown as "<5", so a figure never points at one
/// visitor.
pub const SHOWN_FROM: u64 = 5;

/// A count as an exhibitor sees it.
pub fn shown(count: u64) -> String {
    if count < SHOWN_FROM {
        format!("<{SHOWN_FROM}")
    } else {
        count.to_string()
    }
}
