//! The bodies of the platform API (`/api/v1`, see docs/api.md), shared by
//! the reference server and the app's client so both speak the same shapes.

use serde::{Deserialize, Serialize};

use crate::project::{Industry, Project, ProjectKind};
use crate::validate::FieldError;

pub const PREFIX: &str = "/api/v1";
/// Booths per page when the client does not say.
pub const DEFAULT_PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 200;
/// The largest page number a request may ask for (pages past the last are
/// empty; this bounds the number, not the catalog).
pub const MAX_PAGE: usize = 1_000_000;

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub catalog_version: String,
    pub projects: usize,
}

/// `GET /api/v1/catalog`: which catalog the server holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogInfo {
    pub catalog_version: String,
    /// Changes whenever any project changes; also sent as the `ETag` header.
    pub etag: String,
    pub projects: usize,
    pub halls: usize,
}

/// One hall in `GET /api/v1/halls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallSummary {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub provincial: bool,
    /// The economic region's id; none for the provincial hall.
    pub region: Option<String>,
    pub exhibitors: usize,
    pub projects: usize,
}

/// One exhibitor's booth and the projects shown on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booth {
    pub exhibitor: String,
    pub generated: bool,
    pub projects: Vec<Project>,
}

/// `GET /api/v1/halls/{id}/booths?page=&per_page=`: booths in the order the
/// hall lays them out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothPage {
    pub hall: String,
    pub catalog_version: String,
    pub page: usize,
    pub per_page: usize,
    pub total_booths: usize,
    pub total_pages: usize,
    pub booths: Vec<Booth>,
}

/// A project as a search result lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCard {
    pub platform_no: String,
    pub title: String,
    pub title_en: Option<String>,
    pub organisation: String,
    pub hall: String,
    pub industry: Industry,
    pub kind: ProjectKind,
    pub featured: bool,
    pub generated: bool,
}

impl From<&Project> for ProjectCard {
    fn from(project: &Project) -> Self {
        ProjectCard {
            platform_no: project.platform_no.clone(),
            title: project.title.clone(),
            title_en: project.title_en.clone(),
            organisation: project.organisation.clone(),
            hall: project.hall.hall().id.to_string(),
            industry: project.industry,
            kind: project.kind,
            featured: project.featured,
            generated: project.generated,
        }
    }
}

/// `GET /api/v1/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub results: Vec<ProjectCard>,
}

/// What `POST /api/v1/inquiries` answers on success (201, or 200 for a
/// replay of the same idempotency key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryReceipt {
    pub id: i64,
    pub platform_no: String,
    pub agent_id: String,
    pub received_at: String,
    pub status: String,
    /// The visitor's key to this inquiry's thread (`GET /inquiries/{id}/thread`
    /// with `Authorization: Bearer SECRET`, or the page `/thread/{id}/SECRET`).
    /// Each receipt, a replay's too, carries a secret of its own; all stay
    /// valid. Absent from servers older than the thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_secret: Option<String>,
}

/// Who wrote a message of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Visitor,
    Agent,
}

/// One message of an inquiry's thread. Its text is plain text, never HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMessage {
    /// 0 for the inquiry's own message, which opens the thread.
    pub id: i64,
    pub author: Author,
    pub body: String,
    pub sent_at: String,
}

/// `GET /api/v1/inquiries/{id}/thread`: what the visitor sees of their
/// inquiry: its stage and every message, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub id: i64,
    pub platform_no: String,
    pub project_title: String,
    pub stage: crate::deal::Stage,
    pub messages: Vec<ThreadMessage>,
    /// How many things the agent has done on this thread (replies and
    /// stage changes): the app's unread badge counts those it has not shown.
    pub agent_updates: i64,
}

/// `POST /api/v1/inquiries/{id}/messages`: the visitor's reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub body: String,
}

impl Reply {
    /// The longest reply, as long as an inquiry's message.
    pub const MAX_CHARS: usize = crate::inquiry::limits::MESSAGE;

    pub fn validate(&self) -> Vec<FieldError> {
        let mut check = crate::validate::Checker::default();
        check.text("body", &self.body, Self::MAX_CHARS, true);
        check.errors
    }
}

/// Every error answer: a stable code, messages in English and Chinese,
/// and for 422 the refused fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub message_zh: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldMessage>,
}

/// One refused field of a 422 answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMessage {
    pub field: String,
    pub message: String,
    pub message_zh: String,
}

impl From<&FieldError> for FieldMessage {
    fn from(error: &FieldError) -> Self {
        FieldMessage {
            field: error.field.clone(),
            message: error.problem.message_en(),
            message_zh: error.problem.message_zh(),
        }
    }
}
