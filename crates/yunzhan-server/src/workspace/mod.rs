//! The service agents' and organisers' workspace at `/agent/`: sign in with
//! a token, the inbox, each inquiry's page (contact details, thread, stage
//! and history), replies, stage changes, reassignment and the overdue
//! threshold. Server-rendered HTML (`pages.rs`) that works without script;
//! `workspace.js` refreshes it live. Who may see and do what is decided
//! here, once per request (`auth.rs`).

mod auth;
mod charts;
mod dashboard;
mod exhibitor;
mod matching;
mod pages;
mod thread_page;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;
use serde::Deserialize;
use yunzhan_model::ProjectKind;
use yunzhan_model::api::{Author, FieldMessage};
use yunzhan_model::deal::{Stage, StageChange};

use self::auth::{SignedIn, Visitor, same_origin};
use self::pages::{InboxPage, InquiryPage, Lang, Notice};
use crate::api::{ApiError, AppState};
use crate::db::{DbError, InboxFilter, InquiryFile, MessageWrite, Role, Session, parse_rfc3339};
use crate::rate::client_address;

/// How the workspace's sessions behave.
#[derive(Debug, Clone)]
pub struct WorkspaceSettings {
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// Mark cookies `Secure` (the site is served over https).
    pub secure_cookies: bool,
}

impl Default for WorkspaceSettings {
    fn default() -> Self {
        WorkspaceSettings {
            session_lifetime: Duration::from_secs(8 * 3600),
            secure_cookies: false,
        }
    }
}

/// The most inquiries one inbox page lists.
const INBOX_LIMIT: i64 = 500;

const STYLE_CSS: &str = include_str!("style.css");
const WORKSPACE_JS: &str = include_str!("workspace.js");

pub fn routes() -> Router<AppState> {
    thread_page::routes()
        .merge(dashboard::routes())
        .merge(exhibitor::routes())
        .merge(matching::routes())
        .route("/agent", get(|| async { Redirect::permanent("/agent/") }))
        .route("/agent/", get(home))
        .route("/agent/sign-in", post(sign_in))
        .route("/agent/sign-out", post(sign_out))
        .route("/agent/settings", post(settings))
        .route("/agent/events", get(events))
        .route("/agent/inquiries/{id}", get(inquiry))
        .route("/agent/inquiries/{id}/reply", post(reply))
        .route("/agent/inquiries/{id}/stage", post(stage))
        .route("/agent/inquiries/{id}/assign", post(assign))
        .route("/agent/style.css", get(|| asset("text/css", STYLE_CSS)))
        .route(
            "/agent/workspace.js",
            get(|| asset("text/javascript", WORKSPACE_JS)),
        )
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                format!("{content_type}; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        body,
    )
        .into_response()
}

/// A page with the headers every workspace page has: never cached, never
/// framed, no script but its own.
fn page(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
            (header::REFERRER_POLICY, "same-origin"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// Why a request was not served, answered as a page in the asker's language.
pub struct Refusal {
    status: StatusCode,
    lang: Lang,
    session: Option<Session>,
    notice: Notice,
    /// Clear the session cookie (it named no live session).
    clear_cookie: bool,
}

impl Refusal {
    fn sign_in(lang: Lang, notice: Option<Notice>) -> Refusal {
        let clear_cookie = notice == Some(Notice::Expired);
        Refusal {
            status: StatusCode::UNAUTHORIZED,
            lang,
            session: None,
            notice: notice.unwrap_or(Notice::SignInFirst),
            clear_cookie,
        }
    }

    fn forbidden(lang: Lang, notice: Notice) -> Refusal {
        Refusal {
            status: StatusCode::FORBIDDEN,
            lang,
            session: None,
            notice,
            clear_cookie: false,
        }
    }

    fn not_found(signed_in: &SignedIn) -> Refusal {
        Refusal {
            status: StatusCode::NOT_FOUND,
            lang: signed_in.lang,
            session: Some(signed_in.session.clone()),
            notice: Notice::NotFound,
            clear_cookie: false,
        }
    }

    fn database(state: &AppState, lang: Lang, error: DbError) -> Refusal {
        let status = state.database_failed(error).status();
        Refusal {
            status,
            lang,
            session: None,
            notice: Notice::Unavailable,
            clear_cookie: false,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let markup = if self.status == StatusCode::UNAUTHORIZED {
            pages::sign_in(self.lang, Some(&self.notice))
        } else {
            pages::refusal(self.lang, self.session.as_ref(), &self.notice)
        };
        let mut response = page(self.status, markup);
        if self.clear_cookie {
            response.headers_mut().insert(
                header::SET_COOKIE,
                auth::cleared_session_cookie(&crate::workspace::WorkspaceSettings::default()),
            );
        }
        response
    }
}

type PageResult = Result<Response, Refusal>;

/// A choice of language made with `?lang=` is remembered in a cookie.
fn remember_language(
    state: &AppState,
    lang: Lang,
    query: &BTreeMap<String, String>,
) -> Option<HeaderValue> {
    query
        .contains_key("lang")
        .then(|| auth::language_cookie(&state.workspace, lang))
}

async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<BTreeMap<String, String>>,
) -> PageResult {
    let remembered = remember_language(&state, visitor.lang, &query);
    let mut response = match visitor.session {
        // A cookie that names no live session: it expired.
        None if visitor.cookie.is_some() => {
            Refusal::sign_in(visitor.lang, Some(Notice::Expired)).into_response()
        }
        None => page(StatusCode::OK, pages::sign_in(visitor.lang, None)),
        Some(session) if session.role == Role::Exhibitor => {
            Redirect::to("/exhibitor/").into_response()
        }
        Some(session) => {
            let signed_in = SignedIn {
                lang: visitor.lang,
                session,
            };
            inbox(&state, &signed_in, &query).await?
        }
    };
    if let Some(cookie) = remembered {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

async fn inbox(
    state: &AppState,
    signed_in: &SignedIn,
    query: &BTreeMap<String, String>,
) -> PageResult {
    let lang = signed_in.lang;
    let failed = |error| Refusal::database(state, lang, error);
    let filter = InboxFilter {
        agent: signed_in.agent_scope(),
        platform_no: query.get("project").filter(|p| !p.is_empty()).cloned(),
        stage: query.get("stage").and_then(|stage| {
            serde_json::from_value(serde_json::Value::String(stage.clone())).ok()
        }),
    };
    let (rows, total) = state.db.inbox(&filter, INBOX_LIMIT).await.map_err(failed)?;
    let overdue_hours = state.db.overdue_hours().await.map_err(failed)?;
    let served = state.served();
    let title = |platform_no: &str| {
        served
            .catalog
            .find(platform_no)
            .map(|id| served.catalog.project(id).title.clone())
            .unwrap_or_default()
    };
    let theirs = |kind: Option<ProjectKind>| -> Vec<(String, String)> {
        let Some(agent) = &filter.agent else {
            return Vec::new();
        };
        served
            .catalog
            .projects()
            .iter()
            .filter(|project| project.agent.id == *agent && kind.is_none_or(|k| project.kind == k))
            .map(|project| (project.platform_no.clone(), project.title.clone()))
            .collect()
    };
    let projects: Vec<(String, String)> = match &filter.agent {
        Some(_) => theirs(None),
        None => {
            let mut seen: Vec<String> = rows.iter().map(|row| row.platform_no.clone()).collect();
            seen.sort();
            seen.dedup();
            seen.into_iter()
                .map(|no| (no.clone(), title(&no)))
                .collect()
        }
    };
    let now = crate::db::unix_now();
    let inbox = InboxPage {
        titles: rows.iter().map(|row| title(&row.platform_no)).collect(),
        ages: rows
            .iter()
            .map(|row| now - parse_rfc3339(&row.received_at).unwrap_or(now as i64) as f64)
            .collect(),
        rows: &rows,
        total,
        projects,
        project: filter.platform_no.clone(),
        stage: filter.stage,
        overdue_hours,
        challenges: theirs(Some(ProjectKind::Challenge)),
    };
    Ok(page(
        StatusCode::OK,
        pages::inbox(lang, &signed_in.session, &inbox),
    ))
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    token: String,
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> PageResult {
    let lang = visitor.lang;
    same_origin(&headers, lang)?;
    let holder = state
        .db
        .token_holder(form.token.trim())
        .await
        .map_err(|error| Refusal::database(&state, lang, error))?;
    let Some((role, subject)) = holder else {
        return Err(Refusal::sign_in(lang, Some(Notice::WrongToken)));
    };
    let (id, _) = state
        .db
        .start_session(role, &subject, state.workspace.session_lifetime)
        .await
        .map_err(|error| Refusal::database(&state, lang, error))?;
    tracing::info!(role = ?role, "signed in to the workspace");
    let mut response = Redirect::to("/agent/").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::session_cookie(&state.workspace, &id),
    );
    Ok(response)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    let lang = visitor.lang;
    same_origin(&headers, lang)?;
    let (Some(cookie), Some(session)) = (&visitor.cookie, visitor.session) else {
        return Err(Refusal::sign_in(lang, Some(Notice::SignedOut)));
    };
    SignedIn { lang, session }.check_csrf(&form.csrf)?;
    state
        .db
        .end_session(cookie)
        .await
        .map_err(|error| Refusal::database(&state, lang, error))?;
    let mut response = page(
        StatusCode::OK,
        pages::sign_in(lang, Some(&Notice::SignedOut)),
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        auth::cleared_session_cookie(&state.workspace),
    );
    Ok(response)
}

/// The inquiry `id` if the session may see it: an agent only their own.
/// Anything else is the same 404, so a guess learns nothing.
async fn visible_inquiry(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<InquiryFile, Refusal> {
    let file = state
        .db
        .inquiry_file(id)
        .await
        .map_err(|error| Refusal::database(state, signed_in.lang, error))?;
    file.filter(|file| {
        signed_in
            .agent_scope()
            .is_none_or(|agent| file.row.agent_id == agent)
    })
    .ok_or_else(|| Refusal::not_found(signed_in))
}

async fn inquiry(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> PageResult {
    let file = visible_inquiry(&state, &signed_in, id).await?;
    Ok(inquiry_page(
        &state,
        &signed_in,
        &file,
        StatusCode::OK,
        None,
        String::new(),
    ))
}

fn inquiry_page(
    state: &AppState,
    signed_in: &SignedIn,
    file: &InquiryFile,
    status: StatusCode,
    problem: Option<Notice>,
    draft: String,
) -> Response {
    let served = state.served();
    let project = served
        .catalog
        .find(&file.row.platform_no)
        .map(|id| served.catalog.project(id));
    let project_title = project.map(|p| p.title.clone()).unwrap_or_default();
    let challenge = project.is_some_and(|p| p.kind == ProjectKind::Challenge);
    let agents = if signed_in.is_organiser() {
        let mut agents: Vec<(String, String)> = served
            .catalog
            .projects()
            .iter()
            .map(|project| (project.agent.id.clone(), project.agent.name.clone()))
            .collect();
        agents.sort();
        agents.dedup();
        agents
    } else {
        Vec::new()
    };
    let view = InquiryPage {
        file,
        project_title,
        challenge,
        agents,
        problem,
        draft,
    };
    page(
        status,
        pages::inquiry(signed_in.lang, &signed_in.session, &view),
    )
}

/// A form field's label, for messages about it.
fn field_label(lang: Lang, field: &str) -> String {
    let (base, index) = field.split_once('.').unwrap_or((field, ""));
    let label = match base {
        "to" => lang.t("新阶段", "New stage"),
        "amount_wan" => lang.t("金额（万元）", "Amount (万元)"),
        "parties" => lang.t("合作各方", "Parties"),
        "reason" => lang.t("关闭原因", "Reason"),
        "note" => lang.t("备注", "Note"),
        "body" => lang.t("回复内容", "Reply"),
        other => other,
    };
    match index.parse::<usize>() {
        Ok(index) => format!("{label} {}", index + 1),
        Err(_) => label.to_string(),
    }
}

/// The refused fields of a form, in the page's language.
fn field_messages(lang: Lang, fields: &[FieldMessage]) -> Notice {
    Notice::Invalid(
        fields
            .iter()
            .map(|field| {
                let message = lang.t(&field.message_zh, &field.message);
                format!("{}：{message}", field_label(lang, &field.field))
            })
            .collect(),
    )
}

/// Why the API refused what a form sent, in the page's language.
fn api_notice(lang: Lang, error: &ApiError) -> Notice {
    let body = error.body();
    if body.fields.is_empty() {
        Notice::Invalid(vec![lang.t(&body.message_zh, &body.message).to_string()])
    } else {
        field_messages(lang, &body.fields)
    }
}

/// Checks a state-changing form: same site, signed in (by the extractor),
/// this session's CSRF token, and the role it needs.
fn check_form(
    headers: &HeaderMap,
    signed_in: &SignedIn,
    csrf: &str,
    role: Role,
) -> Result<(), Refusal> {
    same_origin(headers, signed_in.lang)?;
    signed_in.check_csrf(csrf)?;
    require_role(signed_in, role)
}

/// Refuses a session without `role` (403, saying who may).
fn require_role(signed_in: &SignedIn, role: Role) -> Result<(), Refusal> {
    if signed_in.session.role != role {
        let notice = match role {
            Role::Organiser => Notice::OrganiserOnly,
            Role::Agent => Notice::AgentOnly,
            Role::Exhibitor => Notice::ExhibitorsOwnPage,
        };
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            lang: signed_in.lang,
            session: Some(signed_in.session.clone()),
            notice,
            clear_cookie: false,
        });
    }
    Ok(())
}

fn back_to(id: i64) -> Response {
    Redirect::to(&format!("/agent/inquiries/{id}")).into_response()
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

async fn reply(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<ReplyForm>,
) -> PageResult {
    check_form(&headers, &signed_in, &form.csrf, Role::Agent)?;
    let file = visible_inquiry(&state, &signed_in, id).await?;
    let write = MessageWrite {
        inquiry_id: id,
        author: Author::Agent,
        author_id: signed_in.session.subject.clone(),
        body: form.body.clone(),
        key: None,
        client: client_address(client, &headers, &state.trusted_proxies).to_string(),
        limit: state.inquiry_rate,
    };
    match crate::api::post_message(&state, write).await {
        Ok(_) => Ok(back_to(id)),
        Err(error) => Ok(refused_form(&state, &signed_in, &file, &error, form.body)),
    }
}

/// The inquiry page again, with why the API refused the form and what was
/// typed kept in the reply box.
fn refused_form(
    state: &AppState,
    signed_in: &SignedIn,
    file: &InquiryFile,
    error: &ApiError,
    draft: String,
) -> Response {
    let notice = api_notice(signed_in.lang, error);
    inquiry_page(state, signed_in, file, error.status(), Some(notice), draft)
}

#[derive(Deserialize)]
struct StageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    amount_wan: String,
    #[serde(default)]
    parties: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

impl StageForm {
    /// The change the form asks for, or the fields that cannot be read.
    fn change(&self) -> Result<StageChange, Vec<FieldMessage>> {
        let wire = |value: &str| serde_json::Value::String(value.trim().to_string());
        let mut unreadable = Vec::new();
        let mut unreadable_field = |field: &str, en: &str, zh: &str| {
            unreadable.push(FieldMessage {
                field: field.into(),
                message: en.into(),
                message_zh: zh.into(),
            })
        };
        let to: Option<Stage> = serde_json::from_value(wire(&self.to)).ok();
        let amount_wan = match self.amount_wan.trim() {
            "" => None,
            text => match text.parse::<f64>() {
                Ok(amount) => Some(amount),
                Err(_) => {
                    unreadable_field("amount_wan", "is not a number", "不是数字");
                    None
                }
            },
        };
        let reason = match self.reason.trim() {
            "" => None,
            _ => serde_json::from_value(wire(&self.reason)).ok(),
        };
        let change = StageChange {
            to,
            amount_wan,
            parties: self
                .parties
                .lines()
                .map(str::trim)
                .filter(|party| !party.is_empty())
                .map(String::from)
                .collect(),
            reason,
            note: self.note.trim().to_string(),
        };
        unreadable.extend(change.validate().iter().map(FieldMessage::from));
        if unreadable.is_empty() {
            Ok(change)
        } else {
            Err(unreadable)
        }
    }
}

async fn stage(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> PageResult {
    check_form(&headers, &signed_in, &form.csrf, Role::Agent)?;
    let file = visible_inquiry(&state, &signed_in, id).await?;
    let change = match form.change() {
        Ok(change) => change,
        Err(fields) => {
            let notice = field_messages(signed_in.lang, &fields);
            return Ok(inquiry_page(
                &state,
                &signed_in,
                &file,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(notice),
                String::new(),
            ));
        }
    };
    state
        .db
        .change_stage(id, &signed_in.session.subject, &change)
        .await
        .map_err(|error| Refusal::database(&state, signed_in.lang, error))?;
    tracing::info!(inquiry = id, to = ?change.to, "stage changed");
    Ok(back_to(id))
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agent: String,
}

async fn assign(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> PageResult {
    check_form(&headers, &signed_in, &form.csrf, Role::Organiser)?;
    let file = visible_inquiry(&state, &signed_in, id).await?;
    let served = state.served();
    let known = served
        .catalog
        .projects()
        .iter()
        .any(|project| project.agent.id == form.agent);
    if !known {
        let notice = Notice::Invalid(vec![
            signed_in
                .lang
                .t("没有这位服务专员。", "There is no such service agent.")
                .into(),
        ]);
        return Ok(inquiry_page(
            &state,
            &signed_in,
            &file,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(notice),
            String::new(),
        ));
    }
    state
        .db
        .reassign(id, &signed_in.session.subject, &form.agent)
        .await
        .map_err(|error| Refusal::database(&state, signed_in.lang, error))?;
    tracing::info!(inquiry = id, to = %form.agent, "inquiry reassigned");
    Ok(back_to(id))
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    overdue_hours: String,
}

async fn settings(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Form(form): Form<SettingsForm>,
) -> PageResult {
    check_form(&headers, &signed_in, &form.csrf, Role::Organiser)?;
    let hours = form
        .overdue_hours
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|hours| (1.0..=720.0).contains(hours));
    let Some(hours) = hours else {
        return Err(Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            lang: signed_in.lang,
            session: Some(signed_in.session.clone()),
            notice: Notice::Invalid(vec![
                signed_in
                    .lang
                    .t(
                        "逾期阈值应为 1 至 720 之间的小时数。",
                        "The overdue threshold must be 1 to 720 hours.",
                    )
                    .into(),
            ]),
            clear_cookie: false,
        });
    };
    state
        .db
        .set_overdue_hours(hours)
        .await
        .map_err(|error| Refusal::database(&state, signed_in.lang, error))?;
    Ok(Redirect::to("/agent/").into_response())
}

/// Server-sent events for the workspace's open pages: `changed` when an
/// inquiry the session sees has something new. Refused without clearing the
/// cookie: the stream is the script's request, and the page the visitor
/// loads next is what says their session expired.
async fn events(State(state): State<AppState>, signed_in: Result<SignedIn, Refusal>) -> Response {
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        Err(refusal) => {
            let refusal = Refusal {
                clear_cookie: false,
                ..refusal
            };
            return refusal.into_response();
        }
    };
    let scope = signed_in.agent_scope();
    state
        .live
        .stream(move |change| scope.as_ref().is_none_or(|agent| change.agent_id == *agent))
}
