//! The visitor's private thread page, `/thread/{id}/{secret}`: the link
//! the app, the text view and the kiosk's QR code hand out. It shows the
//! inquiry's stage and messages and takes a reply; it works without script
//! and refreshes live with it. The secret in the path is the only key, so
//! the page is never cached, sends a Referer only to its own site, and the request log
//! names the route, not the path.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use yunzhan_model::api::{Author, Thread};

use super::auth::{Visitor, same_origin};
use super::pages::{Lang, Notice};
use super::{Refusal, api_notice, page};
use crate::api::{AppState, open_thread, visitor_view};
use crate::db::{MessageWrite, random_secret};
use crate::rate::client_address;

pub(super) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/thread/{id}/{secret}",
        axum::routing::get(show).post(answer),
    )
}

fn view(
    lang: Lang,
    thread: &Thread,
    events: &str,
    problem: Option<&Notice>,
    draft: &str,
) -> Markup {
    let title = format!("{} #{}", lang.t("我的询单", "My inquiry"), thread.id);
    html! {
        (DOCTYPE)
        html lang=(lang.t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · " (lang.t("云展", "Yunzhan")) }
                link rel="stylesheet" href="/agent/style.css";
                script src="/agent/workspace.js" defer {}
            }
            body {
                header {
                    p.site { (lang.t("云展 · 天府科技云", "Yunzhan · Tianfu Sci-Tech Cloud")) }
                    nav aria-label=(lang.t("语言", "Language")) {
                        @match lang {
                            Lang::Zh => a href="?lang=en" lang="en" { "English" },
                            Lang::En => a href="?lang=zh" lang="zh-CN" { "中文" },
                        }
                    }
                }
                main #main {
                    h1 { (title) }
                    p { (thread.platform_no) " " (thread.project_title) }
                    p.private { (lang.t(
                        "这是您的私人链接：持有它的人都能查看和回复本询单，请勿转发。",
                        "This is your private link: anyone holding it can read and answer this inquiry, so do not share it.",
                    )) }
                    @if let Some(problem) = problem {
                        p.notice role="alert" { (problem_text(lang, problem)) }
                    }
                    div #live data-events=(events) {
                        p #stage-now aria-live="polite" {
                            (lang.t("当前阶段：", "Stage now: "))
                            strong { (lang.t(thread.stage.name_zh(), thread.stage.name_en())) }
                        }
                        ol.thread {
                            @for message in &thread.messages {
                                li.(match message.author { Author::Agent => "agent", Author::Visitor => "visitor" }) {
                                    p.meta {
                                        (match message.author {
                                            Author::Agent => lang.t("服务专员", "Service agent"),
                                            Author::Visitor => lang.t("我", "Me"),
                                        })
                                        " · " time datetime=(message.sent_at) { (message.sent_at.replace('T', " ").trim_end_matches('Z')) " UTC" }
                                    }
                                    p.body { (message.body) }
                                }
                            }
                        }
                    }
                    form method="post" {
                        input type="hidden" name="key" value=(random_secret(16));
                        label for="body" { (lang.t("回复服务专员", "Answer the service agent")) }
                        textarea #body name="body" rows="4" maxlength="2000" required { (draft) }
                        button type="submit" { (lang.t("发送", "Send")) }
                    }
                }
            }
        }
    }
}

fn problem_text(lang: Lang, problem: &Notice) -> String {
    match problem {
        Notice::Invalid(messages) => messages.join(" "),
        _ => lang
            .t("无法发送，请稍后重试。", "Could not send; try again later.")
            .into(),
    }
}

fn not_found(lang: Lang) -> Refusal {
    Refusal {
        status: StatusCode::NOT_FOUND,
        lang,
        session: None,
        notice: Notice::NotFound,
        clear_cookie: false,
    }
}

async fn render(
    state: &AppState,
    lang: Lang,
    id: i64,
    secret: &str,
    status: StatusCode,
    problem: Option<Notice>,
    draft: &str,
) -> Result<Response, Refusal> {
    let file = open_thread(state, id, secret)
        .await
        .map_err(|_| not_found(lang))?;
    let thread = visitor_view(state, &file);
    let events = format!("/api/v1/inquiries/{id}/events?secret={secret}");
    Ok(page(
        status,
        view(lang, &thread, &events, problem.as_ref(), draft),
    ))
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((id, secret)): Path<(i64, String)>,
) -> Result<Response, Refusal> {
    render(&state, visitor.lang, id, &secret, StatusCode::OK, None, "").await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    body: String,
}

async fn answer(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((id, secret)): Path<(i64, String)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, Refusal> {
    let lang = visitor.lang;
    same_origin(&headers, lang)?;
    open_thread(&state, id, &secret)
        .await
        .map_err(|_| not_found(lang))?;
    let write = MessageWrite {
        inquiry_id: id,
        author: Author::Visitor,
        author_id: String::new(),
        body: form.body.clone(),
        key: (!form.key.is_empty()).then(|| form.key.clone()),
        client: client_address(client, &headers, &state.trusted_proxies).to_string(),
        limit: state.inquiry_rate,
    };
    match crate::api::post_message(&state, write).await {
        Ok(_) => Ok(Redirect::to(&format!("/thread/{id}/{secret}")).into_response()),
        Err(error) => {
            let problem = api_notice(lang, &error);
            render(
                &state,
                lang,
                id,
                &secret,
                error.status(),
                Some(problem),
                &form.body,
            )
            .await
        }
    }
}
