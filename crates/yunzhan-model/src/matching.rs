//! Demand-side matching (需求侧撮合): for a challenge (科技难题攻关), the
//! promotion and transfer projects most likely to solve it.
//!
//! Projects are compared by their title and keywords as sets
//! of character bigrams, the way Chinese is matched without word breaks,
//! each bigram weighted by how rare it is in the catalog (inverse document
//! frequency), so that a shared "银耳" counts and a shared "技术" hardly
//! does. The score is the cosine of the two weighted sets, plus a small
//! bonus for the same industry that orders projects the text cannot tell
//! apart.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, ProjectId};
use crate::project::{Project, ProjectKind};

/// Added to the text similarity when both projects are of one industry.
const SAME_INDUSTRY: f32 = 0.05;

/// A character bigram, its two characters packed into one number.
type Gram = u64;

/// The catalog's projects as weighted bigram sets, built once per catalog.
pub struct Matcher {
    /// Each project's distinct bigrams, sorted.
    grams: Vec<Vec<Gram>>,
    /// Each project's vector length (the root of its weights squared).
    norms: Vec<f32>,
    idf: HashMap<Gram, f32>,
}

/// One possible solution of a challenge, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    pub project: ProjectId,
    pub score: f32,
    pub same_industry: bool,
    /// The challenge's keywords found in the solution's text.
    pub shared_keywords: Vec<String>,
}

impl Solution {
    /// Why it is suggested, in a few words of Chinese or English.
    pub fn why(&self, chinese: bool) -> String {
        let pick = |zh: &str, en: &str| {
            if chinese {
                zh.to_string()
            } else {
                en.to_string()
            }
        };
        let mut reasons = Vec::new();
        if self.same_industry {
            reasons.push(pick("同一产业", "same industry"));
        }
        if !self.shared_keywords.is_empty() {
            let keywords = self.shared_keywords.join(if chinese { "、" } else { ", " });
            reasons.push(pick("关键词：", "keywords: ") + &keywords);
        }
        if reasons.is_empty() {
            reasons.push(pick("文字相近", "similar wording"));
        }
        reasons.join(" · ")
    }
}

impl Matcher {
    pub fn new(catalog: &Catalog) -> Self {
        let grams: Vec<Vec<Gram>> = catalog.projects().iter().map(project_grams).collect();
        let mut frequency: HashMap<Gram, u32> = HashMap::new();
        for gram in grams.iter().flatten() {
            *frequency.entry(*gram).or_default() += 1;
        }
        let documents = grams.len().max(1) as f32;
        let idf: HashMap<Gram, f32> = frequency
            .into_iter()
            .map(|(gram, count)| (gram, (documents / count as f32).ln()))
            .collect();
        let norms = grams
            .iter()
            .map(|set| set.iter().map(|gram| idf[gram].powi(2)).sum::<f32>().sqrt())
            .collect();
        Matcher { grams, norms, idf }
    }

    /// The promotion and transfer projects of other organisations most
    /// likely to solve `challenge`, best first; none when it is not a
    /// challenge.
    pub fn solutions(
        &self,
        catalog: &Catalog,
        challenge: ProjectId,
        limit: usize,
    ) -> Vec<Solution> {
        let wanted = catalog.project(challenge);
        if wanted.kind != ProjectKind::Challenge {
            return Vec::new();
        }
        let mut scored: Vec<(f32, ProjectId)> = catalog
            .project_ids()
            .filter(|&id| {
                let candidate = catalog.project(id);
                candidate.kind != ProjectKind::Challenge
                    && candidate.organisation != wanted.organisation
            })
            .map(|id| {
                let bonus = if catalog.project(id).industry == wanted.industry {
                    SAME_INDUSTRY
                } else {
                    0.0
                };
                (self.similarity(challenge, id) + bonus, id)
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0).then_with(|| {
                let (pa, pb) = (catalog.project(a.1), catalog.project(b.1));
                pa.platform_no.cmp(&pb.platform_no)
            })
        });
        scored
            .into_iter()
            .take(limit)
            .map(|(score, id)| explain(wanted, catalog.project(id), id, score))
            .collect()
    }

    /// Cosine similarity of two projects' weighted bigram sets.
    fn similarity(&self, a: ProjectId, b: ProjectId) -> f32 {
        let (a, b) = (a.0 as usize, b.0 as usize);
        let norm = self.norms[a] * self.norms[b];
        if norm == 0.0 {
            return 0.0;
        }
        let (mut i, mut j, mut dot) = (0, 0, 0.0);
        let (left, right) = (&self.grams[a], &self.grams[b]);
        while i < left.len() && j < right.len() {
            match left[i].cmp(&right[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += self.idf[&left[i]].powi(2);
                    i += 1;
                    j += 1;
                }
            }
        }
        dot / norm
    }
}

fn explain(wanted: &Project, found: &Project, id: ProjectId, score: f32) -> Solution {
    let text = matching_text(found);
    Solution {
        project: id,
        score,
        same_industry: found.industry == wanted.industry,
        shared_keywords: wanted
            .keywords
            .iter()
            .filter(|keyword| text.contains(&keyword.to_lowercase()))
            .cloned()
            .collect(),
    }
}

/// What a project says about its technology, lower-cased: its title and
/// keywords. (Not the summary: the named projects' summaries share the
/// source report's phrasing, which matched them with each other.)
fn matching_text(project: &Project) -> String {
    let mut text = project.title.to_lowercase();
    for part in project.keywords.iter() {
        text.push('\n');
        text.push_str(&part.to_lowercase());
    }
    text
}

/// The distinct bigrams of a project's text, within runs of letters and
/// digits (punctuation and spaces break a run).
fn project_grams(project: &Project) -> Vec<Gram> {
    let text = matching_text(project);
    let mut grams: Vec<Gram> = text
        .split(|c: char| !c.is_alphanumeric())
        .flat_map(|run| {
            let chars: Vec<char> = run.chars().collect();
            chars
                .windows(2)
                .map(|pair| (u64::from(pair[0]) << 32) | u64::from(pair[1]))
                .collect::<Vec<_>>()
        })
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Hand-judged good matches for some challenges (see
/// `docs/matching-judgements.json`): a promotion or transfer project solves
/// a challenge when its topic (a generated project's first keyword) is one
/// of `topics`, or when it is one of `projects`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Judgement {
    pub challenge: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub why: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Judgements {
    #[serde(default)]
    pub about: String,
    pub challenges: Vec<Judgement>,
}

impl Judgement {
    pub fn solved_by(&self, project: &Project) -> bool {
        project.kind != ProjectKind::Challenge
            && (self.projects.contains(&project.platform_no)
                || (project.generated
                    && project
                        .keywords
                        .first()
                        .is_some_and(|topic| self.topics.contains(topic))))
    }
}

/// Precision at `k` of one ranking per judged challenge: the share of each
/// ranking's first `k` that solve it (a shorter ranking counts its gaps as
/// misses), per challenge in the judgements' order. A challenge missing
/// from the catalog is an error naming it.
pub fn precision_at(
    catalog: &Catalog,
    judgements: &Judgements,
    k: usize,
    rank: impl Fn(ProjectId) -> Vec<ProjectId>,
) -> Result<Vec<f64>, String> {
    judgements
        .challenges
        .iter()
        .map(|judgement| {
            let id = catalog.find(&judgement.challenge).ok_or_else(|| {
                format!("challenge {} is not in the catalog", judgement.challenge)
            })?;
            let hits = rank(id)
                .into_iter()
                .take(k)
                .filter(|&found| judgement.solved_by(catalog.project(found)))
                .count();
            Ok(hits as f64 / k as f64)
        })
        .collect()
}
