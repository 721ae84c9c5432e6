//! An exhibitor's booth figures at `/exhibitor/`: the anonymous attention
//! counts of its projects per day (booth visits, card opens, how long
//! visitors stayed, QR hand-offs, inquiries). An exhibitor's token shows
//! its own; an agent chooses among the exhibitors of the projects they
//! serve, an organiser among all. Counts below 5 are shown as "<5".

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::get;
use maud::{Markup, html};
use serde::Deserialize;
use yunzhan_model::Project;
use yunzhan_model::attention::{Event, SHOWN_FROM, shown};

use super::auth::Visitor;
use super::charts::{Bar, columns};
use super::pages::{Lang, Notice, layout};
use super::{PageResult, Refusal, page};
use crate::api::AppState;
use crate::db::{DailyCounts, Role, Session};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/exhibitor",
            get(|| async { Redirect::permanent("/exhibitor/") }),
        )
        .route("/exhibitor/", get(exhibitor_page))
}

#[derive(Deserialize)]
struct Which {
    #[serde(default)]
    name: String,
}

/// The exhibitors (organisation names) a session may see, sorted.
fn visible_exhibitors(session: &Session, projects: &[Project]) -> Vec<String> {
    let mut names: Vec<String> = match session.role {
        Role::Exhibitor => vec![session.subject.clone()],
        Role::Agent => projects
            .iter()
            .filter(|project| project.agent.id == session.subject)
            .map(|project| project.organisation.clone())
            .collect(),
        Role::Organiser => projects.iter().map(|p| p.organisation.clone()).collect(),
    };
    names.sort();
    names.dedup();
    names
}

async fn exhibitor_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(which): Query<Which>,
) -> PageResult {
    let lang = visitor.lang;
    let Some(session) = visitor.session else {
        let expired = visitor.cookie.is_some().then_some(Notice::Expired);
        return Err(Refusal::sign_in(lang, expired));
    };
    let served = state.served();
    let projects = served.catalog.projects();
    let allowed = visible_exhibitors(&session, projects);
    let chosen = match session.role {
        Role::Exhibitor => Some(session.subject.clone()),
        _ => Some(which.name.trim().to_string()).filter(|name| !name.is_empty()),
    };
    if chosen.as_ref().is_some_and(|name| !allowed.contains(name)) {
        return Err(Refusal {
            status: StatusCode::FORBIDDEN,
            lang,
            session: Some(session),
            notice: Notice::NotYourExhibitor,
            clear_cookie: false,
        });
    }
    let theirs: Vec<&Project> = match &chosen {
        Some(name) => projects
            .iter()
            .filter(|p| p.organisation == *name)
            .collect(),
        None => Vec::new(),
    };
    let numbers: Vec<String> = theirs.iter().map(|p| p.platform_no.clone()).collect();
    let daily = state
        .db
        .daily_counts(&numbers)
        .await
        .map_err(|error| Refusal::database(&state, lang, error))?;
    let view = ExhibitorView {
        chooser: (session.role != Role::Exhibitor).then_some(allowed.as_slice()),
        chosen: chosen.as_deref(),
        projects: &theirs,
        daily: &daily,
    };
    Ok(page(StatusCode::OK, render(lang, &session, &view)))
}

struct ExhibitorView<'a> {
    /// The exhibitors to choose from (agents and organisers).
    chooser: Option<&'a [String]>,
    chosen: Option<&'a str>,
    projects: &'a [&'a Project],
    daily: &'a DailyCounts,
}

fn event_name(lang: Lang, event: Event) -> &'static str {
    lang.t(event.name_zh(), event.name_en())
}

fn render(lang: Lang, session: &Session, view: &ExhibitorView) -> Markup {
    let title = lang.t("展位数据", "Booth figures");
    let body = html! {
        h1 { (title) @if let Some(name) = view.chosen { "：" (name) } }
        @if let Some(names) = view.chooser {
            form.filters method="get" action="/exhibitor/" {
                label for="name" { (lang.t("参展单位", "Exhibitor")) }
                select #name name="name" {
                    @for name in names {
                        option value=(name) selected[view.chosen == Some(name.as_str())] { (name) }
                    }
                }
                button type="submit" { (lang.t("查看", "Show")) }
            }
        }
        p.private {
            (lang.t(
                "匿名统计：访客的设备只发送合计的次数，不含任何访客标识、IP 地址或 Cookie；访客可以选择“不统计我”。少于 5 次的数字显示为“<5”。",
                "Anonymous counts: visitors' devices send only totals, with no visitor identifier, IP address or cookie, and a visitor can choose \"don't count me\". Counts below 5 are shown as \"<5\".",
            ))
        }
        @if view.chosen.is_some() { (figures(lang, view)) }
    };
    layout(lang, title, Some(session), body)
}

fn figures(lang: Lang, view: &ExhibitorView) -> Markup {
    let total = |event: Event| -> u64 {
        view.daily
            .values()
            .map(|day| day.get(&event).copied().unwrap_or(0))
            .sum()
    };
    // Bars only for counts that may be shown; a smaller one is only "<5".
    let visits: Vec<Bar> = view
        .daily
        .iter()
        .map(|(day, counts)| {
            let count = counts.get(&Event::BoothVisit).copied().unwrap_or(0);
            Bar {
                label: day.get(5..).unwrap_or_default().to_string(),
                value: if count >= SHOWN_FROM {
                    count as f64
                } else {
                    0.0
                },
                shown: shown(count),
            }
        })
        .collect();
    let demo = view.projects.iter().all(|project| project.generated);
    html! {
        @if demo {
            p.notice.demo role="note" { (lang.t(
                "这是生成的演示参展单位，数字来自演示访问。",
                "This is a generated demo exhibitor; its figures come from demo visits.",
            )) }
        }
        h2 { (lang.t("合计", "Totals")) }
        ul.tiles {
            @for event in Event::ALL {
                li { span.value { (shown(total(event))) } span.label { (event_name(lang, event)) } }
            }
        }
        @if !visits.is_empty() {
            h2 { (lang.t("每日展位访问", "Booth visits per day")) }
            figure { (columns(lang.t("每日展位访问", "Booth visits per day"), &visits)) }
        }
        h2 { (lang.t("每日明细", "Day by day")) }
        @if view.daily.is_empty() {
            p { (lang.t("尚无统计。", "Nothing counted yet.")) }
        } @else {
            table.figures {
                caption.visually-hidden { (lang.t("每日明细", "Day by day")) }
                thead { tr {
                    th scope="col" { (lang.t("日期（北京时间）", "Day (Beijing time)")) }
                    @for event in Event::ALL { th scope="col" { (event_name(lang, event)) } }
                } }
                tbody {
                    @for (day, counts) in view.daily {
                        tr {
                            th scope="row" { (day) }
                            @for event in Event::ALL {
                                td.number { (shown(counts.get(&event).copied().unwrap_or(0))) }
                            }
                        }
                    }
                }
            }
        }
        h2 { (lang.t("展出的项目", "Projects on show")) }
        ul { @for project in view.projects { li { (project.platform_no) " " (project.title) } } }
    }
}
