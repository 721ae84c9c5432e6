//! Search over Chinese and English text, and related-project recommendation.
//!
//! Chinese has no spaces between words, so matching is by substring; a term
//! that is not found whole still matches when most of its character bigrams
//! are present (so 通江银耳保护 finds 通江银耳种质资源保护与利用).

use crate::catalog::{Catalog, ProjectId};
use crate::hall::HallIndex;
use crate::project::{Industry, Project, ProjectKind};

/// The lower-cased searchable text of one project, built once per catalog.
#[derive(Debug, Clone)]
pub(crate) struct SearchText {
    /// Fields joined by a separator that no query contains.
    text: String,
    /// Byte ends of the title, English title and organisation; keywords follow.
    ends: [usize; 3],
}

const SEPARATOR: char = '\u{1f}';

impl SearchText {
    pub(crate) fn new(project: &Project) -> Self {
        let mut text = String::with_capacity(
            project.title.len() + project.organisation.len() + 16 * project.keywords.len() + 64,
        );
        push_lower(&mut text, &project.title);
        let title_end = text.len();
        text.push(SEPARATOR);
        push_lower(&mut text, project.title_en.as_deref().unwrap_or(""));
        let title_en_end = text.len();
        text.push(SEPARATOR);
        push_lower(&mut text, &project.organisation);
        let organisation_end = text.len();
        for keyword in &project.keywords {
            text.push(SEPARATOR);
            push_lower(&mut text, keyword);
        }
        SearchText {
            text,
            ends: [title_end, title_en_end, organisation_end],
        }
    }

    /// Score of one query term against this project; 0 when it does not match.
    fn score(&self, term: &str) -> u32 {
        if let Some(position) = self.text.find(term) {
            let score = if position < self.ends[0] {
                if position == 0 { 14 } else { 10 }
            } else if position < self.ends[1] {
                8
            } else if position < self.ends[2] {
                6
            } else {
                let keyword_hit = self.text[self.ends[2]..]
                    .split(SEPARATOR)
                    .any(|keyword| keyword == term);
                if keyword_hit { 7 } else { 5 }
            };
            return score;
        }
        // Bigram fallback for longer terms (Chinese phrases typed differently).
        let chars: Vec<char> = term.chars().collect();
        if chars.len() < 3 {
            return 0;
        }
        let mut pair = String::new();
        let found = chars
            .windows(2)
            .filter(|window| {
                pair.clear();
                pair.extend(window.iter());
                self.text.contains(pair.as_str())
            })
            .count();
        let total = chars.len() - 1;
        if found * 10 >= total * 6 {
            (4 * found / total) as u32 + 1
        } else {
            0
        }
    }
}

fn push_lower(out: &mut String, text: &str) {
    if text.bytes().any(|b| b.is_ascii_uppercase()) || !text.is_ascii() {
        out.extend(text.chars().flat_map(char::to_lowercase));
    } else {
        out.push_str(text);
    }
}

/// A search: free text plus optional filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub hall: Option<HallIndex>,
    pub industry: Option<Industry>,
    pub kind: Option<ProjectKind>,
    /// Only featured projects when true.
    pub featured_only: bool,
}

impl Query {
    pub fn text(text: impl Into<String>) -> Self {
        Query {
            text: text.into(),
            ..Query::default()
        }
    }

    fn admits(&self, project: &Project) -> bool {
        self.hall.is_none_or(|hall| project.hall == hall)
            && self
                .industry
                .is_none_or(|industry| project.industry == industry)
            && self.kind.is_none_or(|kind| project.kind == kind)
            && (!self.featured_only || project.featured)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub project: ProjectId,
    pub score: u32,
}

impl Catalog {
    /// Projects matching every term of the query and its filters, best first
    /// (ties: featured first, then by platform number), at most `limit`.
    /// An empty text lists the filtered projects.
    pub fn search(&self, query: &Query, limit: usize) -> Vec<Hit> {
        let lowered = query.text.to_lowercase();
        let terms: Vec<&str> = lowered
            .split(|c: char| c.is_whitespace() || c == SEPARATOR)
            .filter(|term| !term.is_empty())
            .collect();
        let search_text = self.search_text();
        let mut hits: Vec<Hit> = self
            .project_ids()
            .filter(|&id| query.admits(self.project(id)))
            .filter_map(|id| {
                let text = &search_text[id.0 as usize];
                let mut score = 1;
                for term in &terms {
                    match text.score(term) {
                        0 => return None,
                        term_score => score += term_score,
                    }
                }
                Some(Hit { project: id, score })
            })
            .collect();
        hits.sort_by(|a, b| {
            let (pa, pb) = (self.project(a.project), self.project(b.project));
            b.score
                .cmp(&a.score)
                .then(pb.featured.cmp(&pa.featured))
                .then_with(|| pa.platform_no.cmp(&pb.platform_no))
        });
        hits.truncate(limit);
        hits
    }

    /// Projects a visitor looking at `project` may also want: same industry,
    /// shared keywords, same exhibitor, hall and kind, best first.
    pub fn related(&self, project: ProjectId, limit: usize) -> Vec<ProjectId> {
        let this = self.project(project);
        let mut scored: Vec<(u32, ProjectId)> = self
            .project_ids()
            .filter(|&id| id != project)
            .filter_map(|id| {
                let other = self.project(id);
                let shared_keywords = other
                    .keywords
                    .iter()
                    .filter(|keyword| this.keywords.contains(keyword))
                    .count() as u32;
                let score = 4 * u32::from(other.industry == this.industry)
                    + 3 * shared_keywords
                    + 2 * u32::from(other.organisation == this.organisation)
                    + u32::from(other.hall == this.hall)
                    + u32::from(other.kind == this.kind);
                (score >= 5).then_some((score, id))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.cmp(&a.0).then_with(|| {
                self.project(a.1)
                    .platform_no
                    .cmp(&self.project(b.1).platform_no)
            })
        });
        scored.into_iter().take(limit).map(|(_, id)| id).collect()
    }
}
