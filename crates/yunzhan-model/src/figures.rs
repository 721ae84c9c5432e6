//! The conference in figures, for organisers: counted from the catalog and
//! the stored deals, never typed in. The server reads one [`DealFact`] per
//! inquiry; everything here is counting.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::deal::Stage;
use crate::hall::{HALLS, HallIndex};
use crate::project::{Industry, ProjectKind};

/// One inquiry as the figures see it (no personal data, no message text).
#[derive(Debug, Clone, PartialEq)]
pub struct DealFact {
    pub platform_no: String,
    pub agent_id: String,
    /// When it arrived, in seconds since 1970.
    pub received_at: i64,
    /// The calendar day it arrived, in the conference's time zone.
    pub received_day: String,
    pub stage: Stage,
    /// The furthest stage of the pipeline it ever reached (a closed deal
    /// keeps how far it got; `Closed` itself is never "further").
    pub furthest: Stage,
    /// When the agent first replied, in seconds since 1970.
    pub first_reply_at: Option<i64>,
    /// The cooperation's amount in 万元 while its stage carries terms.
    pub amount_wan: Option<f64>,
}

impl DealFact {
    /// No first reply after `hours` (a closed deal is never overdue).
    pub fn is_overdue(&self, now: i64, hours: f64) -> bool {
        is_overdue(
            self.first_reply_at.is_some(),
            self.stage,
            now - self.received_at,
            hours,
        )
    }
}

/// The overdue rule of the workspace: an open inquiry with no first reply
/// for more than `hours`.
pub fn is_overdue(replied: bool, stage: Stage, age_seconds: i64, hours: f64) -> bool {
    !replied && stage != Stage::Closed && age_seconds as f64 > hours * 3600.0
}

/// A stage's place in the pipeline, for "reached at least"; closed is not
/// on the way anywhere.
pub fn pipeline_rank(stage: Stage) -> Option<usize> {
    (stage != Stage::Closed).then(|| Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0))
}

fn reached(fact: &DealFact, stage: Stage) -> bool {
    pipeline_rank(fact.furthest) >= pipeline_rank(stage)
}

/// Counts for one slice of the conference (a hall, an industry, a kind).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub projects: usize,
    pub inquiries: usize,
    /// Deals now at 合作意向 or beyond (signed, delivered).
    pub intentions: usize,
    /// Their amounts, in 万元.
    pub amount_wan: f64,
    /// Deals now signed or delivered.
    pub signed: usize,
    pub delivered: usize,
}

impl Tally {
    fn add_fact(&mut self, fact: &DealFact) {
        self.inquiries += 1;
        if fact.stage.has_terms() {
            self.intentions += 1;
            self.amount_wan += fact.amount_wan.unwrap_or(0.0);
        }
        if matches!(fact.stage, Stage::Signed | Stage::Delivered) {
            self.signed += 1;
        }
        if fact.stage == Stage::Delivered {
            self.delivered += 1;
        }
    }
}

/// The steps of the funnel from a booth visit to a signed contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelStep {
    BoothVisits,
    CardOpens,
    Inquiries,
    Contacted,
    Intentions,
    Signed,
}

impl FunnelStep {
    pub const ALL: [FunnelStep; 6] = [
        FunnelStep::BoothVisits,
        FunnelStep::CardOpens,
        FunnelStep::Inquiries,
        FunnelStep::Contacted,
        FunnelStep::Intentions,
        FunnelStep::Signed,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            FunnelStep::BoothVisits => "展位访问",
            FunnelStep::CardOpens => "项目卡片打开",
            FunnelStep::Inquiries => "询价",
            FunnelStep::Contacted => "已对接",
            FunnelStep::Intentions => "合作意向",
            FunnelStep::Signed => "已签约",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            FunnelStep::BoothVisits => "Booth visits",
            FunnelStep::CardOpens => "Card opens",
            FunnelStep::Inquiries => "Inquiries",
            FunnelStep::Contacted => "Contacted",
            FunnelStep::Intentions => "Intentions",
            FunnelStep::Signed => "Signed",
        }
    }
}

/// One step of the funnel: how many got there (`None`: not counted) and
/// the share of the step before that did.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelRow {
    pub step: FunnelStep,
    pub count: Option<u64>,
    pub conversion: Option<f64>,
}

/// How one service agent answers.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentFigures {
    pub id: String,
    pub name: String,
    pub inquiries: usize,
    pub replied: usize,
    /// The median time from inquiry to first reply, in hours.
    pub median_first_reply_hours: Option<f64>,
    pub overdue: usize,
}

/// Booth visits and card opens, when visits are counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attention {
    pub booth_visits: u64,
    pub card_opens: u64,
}

/// Everything the organisers' dashboard shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub halls: usize,
    pub exhibitors: usize,
    pub projects: usize,
    /// Generated demo projects among them.
    pub generated_projects: usize,
    pub featured: usize,
    pub total: Tally,
    pub by_kind: Vec<(ProjectKind, Tally)>,
    pub by_hall: Vec<(HallIndex, Tally)>,
    pub by_industry: Vec<(Industry, Tally)>,
    /// Inquiries that are about generated demo projects.
    pub demo_inquiries: usize,
    pub funnel: Vec<FunnelRow>,
    /// Inquiries per calendar day, oldest first.
    pub per_day: Vec<(String, usize)>,
    pub agents: Vec<AgentFigures>,
}

impl Figures {
    /// Counts the catalog and the deals. `attention` is `None` until booth
    /// visits are counted; `now` and `overdue_hours` decide what is overdue.
    /// Inquiries about projects no longer in the catalog count in the
    /// totals, the funnel and the agents, but in no hall, industry or kind.
    pub fn compute(
        catalog: &Catalog,
        facts: &[DealFact],
        attention: Option<Attention>,
        now: i64,
        overdue_hours: f64,
    ) -> Figures {
        let stats = catalog.stats();
        let mut by_kind: BTreeMap<ProjectKind, Tally> = BTreeMap::new();
        let mut by_hall: BTreeMap<usize, Tally> = BTreeMap::new();
        let mut by_industry: BTreeMap<Industry, Tally> = BTreeMap::new();
        for project in catalog.projects() {
            by_kind.entry(project.kind).or_default().projects += 1;
            by_hall.entry(project.hall.0 as usize).or_default().projects += 1;
            by_industry.entry(project.industry).or_default().projects += 1;
        }
        let mut total = Tally {
            projects: stats.projects,
            ..Tally::default()
        };
        let mut demo_inquiries = 0;
        for fact in facts {
            total.add_fact(fact);
            let Some(id) = catalog.find(&fact.platform_no) else {
                continue;
            };
            let project = catalog.project(id);
            demo_inquiries += usize::from(project.generated);
            by_kind.entry(project.kind).or_default().add_fact(fact);
            by_hall
                .entry(project.hall.0 as usize)
                .or_default()
                .add_fact(fact);
            by_industry
                .entry(project.industry)
                .or_default()
                .add_fact(fact);
        }
        Figures {
            halls: stats.halls,
            exhibitors: stats.exhibitors,
            projects: stats.projects,
            generated_projects: stats.generated,
            featured: stats.featured,
            total,
            by_kind: ProjectKind::ALL
                .iter()
                .map(|kind| (*kind, by_kind.remove(kind).unwrap_or_default()))
                .collect(),
            by_hall: (0..HALLS.len())
                .map(|hall| {
                    let index = HallIndex(hall as u8);
                    (index, by_hall.remove(&hall).unwrap_or_default())
                })
                .collect(),
            by_industry: Industry::ALL
                .iter()
                .map(|industry| (*industry, by_industry.remove(industry).unwrap_or_default()))
                .collect(),
            demo_inquiries,
            funnel: funnel(facts, attention),
            per_day: per_day(facts),
            agents: agents(catalog, facts, now, overdue_hours),
        }
    }
}

fn funnel(facts: &[DealFact], attention: Option<Attention>) -> Vec<FunnelRow> {
    let count_reached =
        |stage: Stage| facts.iter().filter(|fact| reached(fact, stage)).count() as u64;
    let counts = FunnelStep::ALL.map(|step| match step {
        FunnelStep::BoothVisits => attention.map(|a| a.booth_visits),
        FunnelStep::CardOpens => attention.map(|a| a.card_opens),
        FunnelStep::Inquiries => Some(facts.len() as u64),
        FunnelStep::Contacted => Some(count_reached(Stage::Contacted)),
        FunnelStep::Intentions => Some(count_reached(Stage::Intention)),
        FunnelStep::Signed => Some(count_reached(Stage::Signed)),
    });
    FunnelStep::ALL
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let before = index.checked_sub(1).and_then(|before| counts[before]);
            FunnelRow {
                step: *step,
                count: counts[index],
                conversion: match (before, counts[index]) {
                    (Some(before), Some(count)) if before > 0 => Some(count as f64 / before as f64),
                    _ => None,
                },
            }
        })
        .collect()
}

fn per_day(facts: &[DealFact]) -> Vec<(String, usize)> {
    let mut days: BTreeMap<&str, usize> = BTreeMap::new();
    for fact in facts {
        *days.entry(fact.received_day.as_str()).or_default() += 1;
    }
    days.into_iter()
        .map(|(day, count)| (day.to_string(), count))
        .collect()
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

/// Every agent with inquiries, most inquiries first.
fn agents(
    catalog: &Catalog,
    facts: &[DealFact],
    now: i64,
    overdue_hours: f64,
) -> Vec<AgentFigures> {
    let names: BTreeMap<&str, &str> = catalog
        .projects()
        .iter()
        .map(|project| (project.agent.id.as_str(), project.agent.name.as_str()))
        .collect();
    let mut by_agent: BTreeMap<&str, Vec<&DealFact>> = BTreeMap::new();
    for fact in facts {
        by_agent
            .entry(fact.agent_id.as_str())
            .or_default()
            .push(fact);
    }
    let mut agents: Vec<AgentFigures> = by_agent
        .into_iter()
        .map(|(id, facts)| {
            let mut hours: Vec<f64> = facts
                .iter()
                .filter_map(|fact| Some((fact.first_reply_at? - fact.received_at) as f64 / 3600.0))
                .collect();
            AgentFigures {
                id: id.to_string(),
                name: names
                    .get(id)
                    .map_or_else(|| id.to_string(), |name| name.to_string()),
                inquiries: facts.len(),
                replied: hours.len(),
                median_first_reply_hours: median(&mut hours),
                overdue: facts
                    .iter()
                    .filter(|fact| fact.is_overdue(now, overdue_hours))
                    .count(),
            }
        })
        .collect();
    agents.sort_by(|a, b| b.inquiries.cmp(&a.inquiries).then_with(|| a.id.cmp(&b.id)));
    agents
}
