//! Demand-side matching in the workspace (`/agent/challenges/{no}`): a
//! challenge's possible solutions, and the one action that routes a solver
//! to it as a tracked 对接 — a deal in the challenge's pipeline, at
//! 已对接 (contacted), with the solver as the other party. Routing the same
//! solver again opens the deal made the first time.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use yunzhan_model::deal::{Stage, StageChange};
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::matching::Solution;
use yunzhan_model::{Project, ProjectKind};

use super::auth::SignedIn;
use super::pages::{Lang, Notice, layout};
use super::{PageResult, Refusal, check_form, page};
use crate::api::AppState;
use crate::db::{InquiryWrite, Role, Session, Stored, now_rfc3339, random_secret};

/// Solutions listed per challenge.
const LISTED: usize = 8;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/agent/challenges/{no}", get(solutions_page))
        .route("/agent/challenges/{no}/route", post(route_solver))
}

/// The challenge `no` if the session may work on it: its own agent, or an
/// organiser. Anything else is the same 404.
fn visible_challenge<'a>(
    signed_in: &SignedIn,
    projects: &'a [Project],
    no: &str,
) -> Result<&'a Project, Refusal> {
    projects
        .iter()
        .find(|project| project.platform_no == no && project.kind == ProjectKind::Challenge)
        .filter(|project| {
            signed_in
                .agent_scope()
                .is_none_or(|agent| project.agent.id == agent)
        })
        .ok_or_else(|| Refusal::not_found(signed_in))
}

async fn solutions_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(no): Path<String>,
) -> PageResult {
    let served = state.served();
    let catalog = &served.catalog;
    let challenge = visible_challenge(&signed_in, catalog.projects(), &no)?;
    let id = catalog.find(&no).expect("found above");
    let solutions = served.matcher().solutions(catalog, id, LISTED);
    let rows: Vec<(&Solution, &Project)> = solutions
        .iter()
        .map(|solution| (solution, catalog.project(solution.project)))
        .collect();
    Ok(page(
        StatusCode::OK,
        render(signed_in.lang, &signed_in.session, challenge, &rows),
    ))
}

#[derive(Deserialize)]
struct RouteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    solver: String,
}

async fn route_solver(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(no): Path<String>,
    Form(form): Form<RouteForm>,
) -> PageResult {
    check_form(&headers, &signed_in, &form.csrf, Role::Agent)?;
    let lang = signed_in.lang;
    let served = state.served();
    let catalog = &served.catalog;
    let challenge = visible_challenge(&signed_in, catalog.projects(), &no)?;
    let solver = catalog
        .find(&form.solver)
        .map(|id| catalog.project(id))
        .filter(|solver| solver.kind != ProjectKind::Challenge)
        .ok_or_else(|| Refusal::not_found(&signed_in))?;
    let failed = |error| Refusal::database(&state, lang, error);
    let stored = state
        .db
        .store_inquiry(InquiryWrite {
            key: format!("match-{}-{}", challenge.platform_no, solver.platform_no),
            inquiry: introduction(challenge, solver),
            agent_id: challenge.agent.id.clone(),
            received_at: now_rfc3339(),
            client: format!("agent {}", signed_in.session.subject),
            limit: state.inquiry_rate,
            thread_secret: random_secret(24),
        })
        .await
        .map_err(failed)?;
    let id = match stored {
        Stored::Created(stored) => {
            let change = StageChange {
                to: Some(Stage::Contacted),
                amount_wan: None,
                parties: Vec::new(),
                reason: None,
                note: format!("需求侧撮合 / demand-side match: {}", solver.platform_no),
            };
            state
                .db
                .change_stage(stored.id, &signed_in.session.subject, &change)
                .await
                .map_err(failed)?;
            tracing::info!(inquiry = stored.id, challenge = %no, solver = %solver.platform_no, "solver routed");
            stored.id
        }
        Stored::Replayed(stored) => stored.id,
        Stored::KeyReused | Stored::Limited(_) => {
            return Err(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                lang,
                session: Some(signed_in.session.clone()),
                notice: Notice::Invalid(vec![
                    lang.t(
                        "发起对接过于频繁，请稍后再试。",
                        "Too many deals routed at once; try again shortly.",
                    )
                    .into(),
                ]),
                clear_cookie: false,
            });
        }
    };
    Ok(Redirect::to(&format!("/agent/inquiries/{id}")).into_response())
}

/// The deal's opening record: the solver as the other party, reached
/// through its own service agent.
fn introduction(challenge: &Project, solver: &Project) -> Inquiry {
    let intent = challenge
        .cooperation_modes
        .iter()
        .find(|mode| solver.cooperation_modes.contains(mode))
        .or(solver.cooperation_modes.first())
        .copied();
    Inquiry {
        platform_no: challenge.platform_no.clone(),
        name: solver.agent.name.clone(),
        organisation: solver.organisation.chars().take(80).collect(),
        phone: solver.agent.phone.clone().unwrap_or_default(),
        email: solver.agent.email.clone().unwrap_or_default(),
        intent,
        message: format!(
            "需求侧撮合：{}（{}，{}）可能解决此难题；联系人为其科服保姆。\nDemand-side match: {} may solve this challenge; the contact is its service agent.",
            solver.title, solver.platform_no, solver.organisation, solver.platform_no
        ),
    }
}

fn render(
    lang: Lang,
    session: &Session,
    challenge: &Project,
    rows: &[(&Solution, &Project)],
) -> Markup {
    let title = format!(
        "{}：{}",
        lang.t("可能的解决方案", "Possible solutions"),
        challenge.title
    );
    let agent = session.role == Role::Agent;
    let body = html! {
        p { a href="/agent/" { "← " (lang.t("收件箱", "Inbox")) } }
        h1 { (title) }
        p { (challenge.platform_no) " · " (challenge.organisation) }
        @if challenge.generated || rows.iter().any(|(_, solver)| solver.generated) {
            p.notice.demo role="note" { (lang.t(
                "含生成的演示项目：匹配结果仅用于演示。",
                "Generated demo projects included: these matches are for demonstration.",
            )) }
        }
        p { (lang.t(
            "按产业、关键词与文字相似度，从高新技术推广与科技成果转化项目中找出可能解决此难题的项目。“发起对接”会在此难题的流程中建立一条“已对接”的洽谈，对方为该项目（经其科服保姆联系）。",
            "Promotion and transfer projects that may solve this challenge, by industry, keywords and wording. \"Route\" opens a deal in this challenge's pipeline at Contacted, with that project (through its service agent) as the other party.",
        )) }
        table.figures {
            caption.visually-hidden { (title) }
            thead { tr {
                th scope="col" { (lang.t("项目", "Project")) }
                th scope="col" { (lang.t("单位", "Organisation")) }
                th scope="col" { (lang.t("理由", "Why")) }
                @if agent { th scope="col" { (lang.t("操作", "Action")) } }
            } }
            tbody {
                @for (solution, solver) in rows {
                    tr {
                        th scope="row" {
                            (solver.title)
                            @if solver.generated { " " span.demo-tag { (lang.t("[演示]", "[demo]")) } }
                            br; small { (solver.platform_no) " · " (lang.t(solver.kind.name_zh(), solver.kind.name_en())) }
                        }
                        td { (solver.organisation) }
                        td { (solution.why(lang == Lang::Zh)) }
                        @if agent {
                            td {
                                form method="post" action={ "/agent/challenges/" (challenge.platform_no) "/route" } {
                                    input type="hidden" name="csrf" value=(session.csrf);
                                    input type="hidden" name="solver" value=(solver.platform_no);
                                    button type="submit" aria-label={ (lang.t("发起对接：", "Route: ")) (solver.title) " " (solver.platform_no) } {
                                        (lang.t("发起对接", "Route"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(lang, &title, Some(session), body)
}
