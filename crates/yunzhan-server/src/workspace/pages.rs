//! The workspace's HTML, in Chinese and English, with maud: every value is
//! escaped, so message text is always shown as text. Pages work without
//! script; `workspace.js` only refreshes the `#live` region when the
//! server says something changed.

use maud::{DOCTYPE, Markup, html};
use yunzhan_model::api::Author;
use yunzhan_model::deal::{CloseReason, Stage};
use yunzhan_model::figures::is_overdue;

use crate::db::{DealEvent, EventKind, InboxRow, InquiryFile, Role, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Zh,
    En,
}

impl Lang {
    pub(super) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The Chinese or the English text.
    pub(super) fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub(super) fn stage(self, stage: Stage) -> &'static str {
        self.t(stage.name_zh(), stage.name_en())
    }

    fn reason(self, reason: CloseReason) -> &'static str {
        self.t(reason.name_zh(), reason.name_en())
    }
}

/// Why a page is shown instead of the one asked for, or what just failed.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Notice {
    SignInFirst,
    Expired,
    SignedOut,
    WrongToken,
    StaleForm,
    OtherSite,
    NotFound,
    OrganiserOnly,
    AgentOnly,
    Unavailable,
    NoSuchTable,
    ExhibitorsOwnPage,
    NotYourExhibitor,
    /// A form's fields need correcting (messages in the page's language).
    Invalid(Vec<String>),
}

impl Notice {
    fn text(&self, lang: Lang) -> String {
        match self {
            Notice::SignInFirst => lang
                .t("请先登录。", "Please sign in first.")
                .into(),
            Notice::Expired => lang
                .t(
                    "登录已过期，请重新登录。",
                    "Your session has expired; please sign in again.",
                )
                .into(),
            Notice::SignedOut => lang.t("已退出登录。", "You have signed out.").into(),
            Notice::WrongToken => lang
                .t(
                    "无法识别该令牌：请检查是否完整复制，或请管理员重新生成。",
                    "This token is not recognised: check it was copied whole, or ask for a new one.",
                )
                .into(),
            Notice::StaleForm => lang
                .t(
                    "该表单已过期（可能来自旧页面或已退出的登录）。请刷新页面后重试。",
                    "This form is out of date (from an old page or an ended session). Reload the page and try again.",
                )
                .into(),
            Notice::OtherSite => lang
                .t(
                    "拒绝来自其他网站的提交。",
                    "A form sent from another site was refused.",
                )
                .into(),
            Notice::NotFound => lang
                .t(
                    "没有找到该询单，或您无权查看。",
                    "There is no such inquiry, or it is not yours to see.",
                )
                .into(),
            Notice::OrganiserOnly => lang
                .t(
                    "只有组织方可以这样做。",
                    "Only an organiser can do this.",
                )
                .into(),
            Notice::AgentOnly => lang
                .t(
                    "只有负责该询单的服务专员可以这样做。",
                    "Only the inquiry's service agent can do this.",
                )
                .into(),
            Notice::Unavailable => lang
                .t(
                    "数据库暂时不可用，请几秒后重试。",
                    "The database is unavailable for a moment; try again in a few seconds.",
                )
                .into(),
            Notice::ExhibitorsOwnPage => lang
                .t(
                    "参展单位账号只能查看本单位的展位数据：请打开 /exhibitor/。",
                    "An exhibitor's account sees its own booth's figures only: open /exhibitor/.",
                )
                .into(),
            Notice::NotYourExhibitor => lang
                .t(
                    "您只能查看自己负责项目的参展单位。",
                    "You can only see the exhibitors of the projects you serve.",
                )
                .into(),
            Notice::NoSuchTable => lang
                .t("没有这张表。", "There is no such table.")
                .into(),
            Notice::Invalid(messages) => messages.join(" "),
        }
    }
}

/// The frame of every page: language switch, who is signed in, sign-out.
pub(super) fn layout(lang: Lang, title: &str, session: Option<&Session>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · " (lang.t("云展 服务工作台", "Yunzhan workspace")) }
                link rel="stylesheet" href="/agent/style.css";
                script src="/agent/workspace.js" defer {}
            }
            body {
                a.skip href="#main" { (lang.t("跳到正文", "Skip to content")) }
                header {
                    p.site { a href="/agent/" { (lang.t("云展 · 服务工作台", "Yunzhan · service workspace")) } }
                    nav aria-label=(lang.t("语言与账户", "Language and account")) {
                        @match lang {
                            Lang::Zh => a href="?lang=en" lang="en" { "English" },
                            Lang::En => a href="?lang=zh" lang="zh-CN" { "中文" },
                        }
                        @if let Some(session) = session {
                            @match session.role {
                                Role::Organiser => {
                                    a href="/agent/" { (lang.t("询单", "Inquiries")) }
                                    a href="/organiser/" { (lang.t("数据看板", "Figures")) }
                                    a href="/exhibitor/" { (lang.t("参展单位数据", "Exhibitors' figures")) }
                                }
                                Role::Agent => {
                                    a href="/agent/" { (lang.t("询单", "Inquiries")) }
                                    a href="/exhibitor/" { (lang.t("参展单位数据", "Exhibitors' figures")) }
                                    a href="/agent/inquiries.xlsx" download {
                                        (lang.t("导出我的询单（Excel）", "Export my inquiries (Excel)"))
                                    }
                                }
                                Role::Exhibitor => a href="/exhibitor/" { (lang.t("展位数据", "Booth figures")) },
                            }
                            span.who {
                                (match session.role {
                                    Role::Agent => lang.t("服务专员 ", "Service agent "),
                                    Role::Organiser => lang.t("组织方 ", "Organiser "),
                                    Role::Exhibitor => lang.t("参展单位 ", "Exhibitor "),
                                })
                                (session.subject)
                            }
                            form method="post" action="/agent/sign-out" {
                                input type="hidden" name="csrf" value=(session.csrf);
                                button type="submit" { (lang.t("退出登录", "Sign out")) }
                            }
                        }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

fn notice(lang: Lang, notice: Option<&Notice>) -> Markup {
    html! {
        @if let Some(notice) = notice {
            p.notice role="alert" { (notice.text(lang)) }
        }
    }
}

pub(super) fn sign_in(lang: Lang, why: Option<&Notice>) -> Markup {
    let title = lang.t("登录", "Sign in");
    layout(
        lang,
        title,
        None,
        html! {
            h1 { (title) }
            (notice(lang, why))
            p { (lang.t(
                "请输入管理员为您生成的令牌（服务专员或组织方）。登录后本浏览器保持登录 8 小时，或直到您退出。",
                "Enter the token you were given (service agent or organiser). This browser stays signed in for the session's lifetime or until you sign out.",
            )) }
            form method="post" action="/agent/sign-in" {
                label for="token" { (lang.t("令牌", "Token")) }
                input #token type="password" name="token" autocomplete="current-password" required;
                button type="submit" { (lang.t("登录", "Sign in")) }
            }
        },
    )
}

/// A page that only says why (403, 404, 503).
pub(super) fn refusal(lang: Lang, session: Option<&Session>, why: &Notice) -> Markup {
    let title = lang.t("无法完成", "Not possible");
    layout(
        lang,
        title,
        session,
        html! {
            h1 { (title) }
            (notice(lang, Some(why)))
            p { a href="/agent/" { (lang.t("返回收件箱", "Back to the inbox")) } }
        },
    )
}

/// "3 小时" / "3 h": how long ago `seconds` is.
fn age(lang: Lang, seconds: f64) -> String {
    let hours = (seconds / 3600.0).floor().max(0.0) as i64;
    match (lang, hours) {
        (Lang::Zh, 0) => format!("{} 分钟", (seconds / 60.0).floor().max(0.0)),
        (Lang::En, 0) => format!("{} min", (seconds / 60.0).floor().max(0.0)),
        (Lang::Zh, h) if h < 48 => format!("{h} 小时"),
        (Lang::En, h) if h < 48 => format!("{h} h"),
        (Lang::Zh, h) => format!("{} 天", h / 24),
        (Lang::En, h) => format!("{} days", h / 24),
    }
}

/// The inbox as the page shows it.
pub(super) struct InboxPage<'a> {
    pub rows: &'a [InboxRow],
    pub total: i64,
    /// Project titles, by the rows' order.
    pub titles: Vec<String>,
    /// The agent's projects (for the filter): platform number and title.
    pub projects: Vec<(String, String)>,
    pub project: Option<String>,
    pub stage: Option<Stage>,
    pub overdue_hours: f64,
    /// Seconds since each row was received, by the rows' order.
    pub ages: Vec<f64>,
    /// The agent's challenges (platform number and title), to match
    /// solvers to.
    pub challenges: Vec<(String, String)>,
}

pub(super) fn inbox(lang: Lang, session: &Session, page: &InboxPage) -> Markup {
    let organiser = session.role == Role::Organiser;
    let title = if organiser {
        lang.t("全部询单", "All inquiries")
    } else {
        lang.t("我的询单", "My inquiries")
    };
    layout(
        lang,
        title,
        Some(session),
        html! {
            h1 { (title) }
            form.filters method="get" action="/agent/" {
                label for="project" { (lang.t("项目", "Project")) }
                select #project name="project" {
                    option value="" { (lang.t("全部项目", "All projects")) }
                    @for (platform_no, name) in &page.projects {
                        option value=(platform_no) selected[page.project.as_deref() == Some(platform_no.as_str())] {
                            (platform_no) " " (name)
                        }
                    }
                }
                label for="stage" { (lang.t("阶段", "Stage")) }
                select #stage name="stage" {
                    option value="" { (lang.t("全部阶段", "All stages")) }
                    @for stage in Stage::ALL {
                        option value=(crate::db::stage_wire(stage)) selected[page.stage == Some(stage)] { (lang.stage(stage)) }
                    }
                }
                button type="submit" { (lang.t("筛选", "Filter")) }
            }
            div #live data-events="/agent/events" {
                p #count aria-live="polite" {
                    (match lang {
                        Lang::Zh => format!("共 {} 条询单；超过 {} 小时未首次回复的标为“逾期”。", page.total, page.overdue_hours),
                        Lang::En => format!("{} inquiries; those without a first reply after {} hours are marked overdue.", page.total, page.overdue_hours),
                    })
                    @if (page.rows.len() as i64) < page.total {
                        " " (match lang {
                            Lang::Zh => format!("显示前 {} 条，请用筛选缩小范围。", page.rows.len()),
                            Lang::En => format!("Showing the first {}; filter to narrow it down.", page.rows.len()),
                        })
                    }
                }
                @if page.rows.is_empty() {
                    p { (lang.t("没有符合条件的询单。", "No inquiries match.")) }
                } @else {
                    table {
                        caption.visually-hidden { (title) }
                        thead { tr {
                            th scope="col" { (lang.t("询单", "Inquiry")) }
                            th scope="col" { (lang.t("状态", "Status")) }
                            th scope="col" { (lang.t("等待", "Age")) }
                            th scope="col" { (lang.t("项目", "Project")) }
                            th scope="col" { (lang.t("意向", "Intent")) }
                            th scope="col" { (lang.t("阶段", "Stage")) }
                            @if organiser { th scope="col" { (lang.t("服务专员", "Agent")) } }
                        } }
                        tbody {
                            @for (index, row) in page.rows.iter().enumerate() {
                                @let overdue = is_overdue(row.first_reply_at.is_some(), row.stage,
                                    page.ages[index] as i64, page.overdue_hours);
                                tr.awaiting[row.awaiting_reply] {
                                    td { a href={ "/agent/inquiries/" (row.id) } { "#" (row.id) } }
                                    td {
                                        @if overdue { strong.overdue { (lang.t("逾期", "Overdue")) } " " }
                                        @if row.awaiting_reply {
                                            (lang.t("待回复", "Awaiting reply"))
                                        } @else {
                                            (lang.t("已回复", "Replied"))
                                        }
                                    }
                                    td { (age(lang, page.ages[index])) }
                                    td { (row.platform_no) " " (page.titles[index]) }
                                    td { (row.intent.map(|mode| lang.t(mode.name_zh(), mode.name_en())).unwrap_or("")) }
                                    td { (lang.stage(row.stage)) }
                                    @if organiser { td { (row.agent_id) } }
                                }
                            }
                        }
                    }
                }
            }
            @if !page.challenges.is_empty() {
                section aria-labelledby="matching" {
                    h2 #matching { (lang.t("需求侧撮合", "Demand-side matching")) }
                    p { (lang.t("为您的科技难题项目寻找可能的解决方案，一键发起对接：", "Find possible solutions for your challenges and route a solver in one action:")) }
                    ul.challenges {
                        @for (platform_no, name) in &page.challenges {
                            li { a href={ "/agent/challenges/" (platform_no) } { (platform_no) " " (name) } }
                        }
                    }
                }
            }
            @if organiser {
                section aria-labelledby="settings" {
                    h2 #settings { (lang.t("设置", "Settings")) }
                    form method="post" action="/agent/settings" {
                        input type="hidden" name="csrf" value=(session.csrf);
                        label for="overdue_hours" { (lang.t("逾期阈值（小时，无首次回复）", "Overdue after (hours without a first reply)")) }
                        input #overdue_hours type="number" name="overdue_hours" min="1" max="720" step="1" value=(page.overdue_hours) required;
                        button type="submit" { (lang.t("保存", "Save")) }
                    }
                }
            }
        },
    )
}

/// What the inquiry page shows besides the inquiry: its project's title,
/// the agents it may be given to, and a refused form with what was typed.
pub(super) struct InquiryPage<'a> {
    pub file: &'a InquiryFile,
    pub project_title: String,
    /// The project is a challenge (科技难题攻关), with possible solutions.
    pub challenge: bool,
    pub agents: Vec<(String, String)>,
    pub problem: Option<Notice>,
    pub draft: String,
}

fn history_line(lang: Lang, event: &DealEvent, organiser: bool) -> Markup {
    let stage_name = |wire: &str| {
        serde_json::from_value::<Stage>(serde_json::Value::String(wire.into()))
            .map_or(wire.to_string(), |stage| lang.stage(stage).to_string())
    };
    html! {
        li {
            time datetime=(event.at) { (event.at.replace('T', " ").trim_end_matches('Z')) " UTC" }
            " · " (event.actor) " · "
            @match event.kind {
                EventKind::Stage => { (stage_name(&event.from)) " → " (stage_name(&event.to)) }
                EventKind::Assign => { (lang.t("转交 ", "reassigned ")) (event.from) " → " (event.to) }
            }
            @if let Some(change) = &event.change {
                @if let Some(amount) = change.amount_wan {
                    " · " (amount) (lang.t(" 万元", " ×10⁴ CNY"))
                }
                @if !change.parties.is_empty() {
                    " · " (lang.t("合作方：", "parties: ")) (change.parties.join("、"))
                }
                @if let Some(reason) = change.reason {
                    " · " (lang.t("原因：", "reason: ")) (lang.reason(reason))
                }
                @if !organiser && !change.note.is_empty() {
                    " · " q { (change.note) }
                }
            }
        }
    }
}

fn thread(lang: Lang, file: &InquiryFile) -> Markup {
    html! {
        ol.thread {
            @for message in &file.messages {
                li.(match message.author { Author::Agent => "agent", Author::Visitor => "visitor" }) {
                    p.meta {
                        (match message.author {
                            Author::Agent => lang.t("服务专员", "Agent"),
                            Author::Visitor => lang.t("访客", "Visitor"),
                        })
                        " · " time datetime=(message.sent_at) { (message.sent_at.replace('T', " ").trim_end_matches('Z')) " UTC" }
                    }
                    p.body { (message.body) }
                }
            }
        }
    }
}

pub(super) fn inquiry(lang: Lang, session: &Session, page: &InquiryPage) -> Markup {
    let file = page.file;
    let organiser = session.role == Role::Organiser;
    let title = format!("{} #{}", lang.t("询单", "Inquiry"), file.row.id);
    layout(
        lang,
        &title,
        Some(session),
        html! {
            p { a href="/agent/" { "← " (lang.t("收件箱", "Inbox")) } }
            h1 { (title) }
            p { (file.row.platform_no) " " (page.project_title) }
            @if page.challenge {
                p { a href={ "/agent/challenges/" (file.row.platform_no) } { (lang.t("可能的解决方案 →", "Possible solutions →")) } }
            }
            (notice(lang, page.problem.as_ref()))
            div #live data-events="/agent/events" {
                p #stage-now aria-live="polite" {
                    (lang.t("当前阶段：", "Stage now: ")) strong { (lang.stage(file.row.stage)) }
                }
                @if !organiser {
                    h2 { (lang.t("访客联系方式", "The visitor's contact details")) }
                    dl.contact {
                        dt { (lang.t("姓名", "Name")) } dd { (file.inquiry.name) }
                        @if !file.inquiry.organisation.is_empty() {
                            dt { (lang.t("单位", "Organisation")) } dd { (file.inquiry.organisation) }
                        }
                        @if !file.inquiry.phone.is_empty() {
                            dt { (lang.t("电话", "Phone")) } dd { a href={ "tel:" (file.inquiry.phone) } { (file.inquiry.phone) } }
                        }
                        @if !file.inquiry.email.is_empty() {
                            dt { (lang.t("邮箱", "E-mail")) } dd { a href={ "mailto:" (file.inquiry.email) } { (file.inquiry.email) } }
                        }
                    }
                    h2 { (lang.t("对话", "Conversation")) }
                    (thread(lang, file))
                }
                h2 { (lang.t("阶段记录", "Stage history")) }
                @if file.history.is_empty() {
                    p { (lang.t("尚无变更。", "No changes yet.")) }
                } @else {
                    ol.history { @for event in &file.history { (history_line(lang, event, organiser)) } }
                }
            }
            @if organiser {
                (assign_form(lang, session, page))
            } @else {
                (reply_form(lang, session, page))
                (stage_form(lang, session, file))
            }
        },
    )
}

fn reply_form(lang: Lang, session: &Session, page: &InquiryPage) -> Markup {
    html! {
        section aria-labelledby="reply-title" {
            h2 #reply-title { (lang.t("回复访客", "Reply to the visitor")) }
            form method="post" action={ "/agent/inquiries/" (page.file.row.id) "/reply" } {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="body" { (lang.t("回复内容（访客会在应用或对话页中看到）", "Your reply (the visitor sees it in the app or on their thread page)")) }
                textarea #body name="body" rows="4" maxlength="2000" required { (page.draft) }
                button type="submit" { (lang.t("发送回复", "Send reply")) }
            }
        }
    }
}

fn stage_form(lang: Lang, session: &Session, file: &InquiryFile) -> Markup {
    html! {
        section aria-labelledby="stage-title" {
            h2 #stage-title { (lang.t("更新阶段", "Move the deal")) }
            form method="post" action={ "/agent/inquiries/" (file.row.id) "/stage" } {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="to" { (lang.t("新阶段", "New stage")) }
                select #to name="to" required {
                    @for stage in Stage::ALL {
                        option value=(crate::db::stage_wire(stage)) selected[stage == file.row.stage] { (lang.stage(stage)) }
                    }
                }
                label for="amount_wan" { (lang.t("金额（万元，合作意向/签约/落地时必填）", "Amount in 万元 (10,000 CNY; needed from intention on)")) }
                input #amount_wan type="number" name="amount_wan" min="0" step="any";
                label for="parties" { (lang.t("合作各方（每行一个）", "Parties (one per line)")) }
                textarea #parties name="parties" rows="2" {}
                label for="reason" { (lang.t("关闭原因（关闭时必填）", "Reason (needed to close)")) }
                select #reason name="reason" {
                    option value="" { "—" }
                    @for reason in CloseReason::ALL {
                        option value=(serde_json::to_value(reason).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()) { (lang.reason(reason)) }
                    }
                }
                label for="note" { (lang.t("备注（仅工作台可见）", "Note (seen in the workspace only)")) }
                textarea #note name="note" rows="2" maxlength="500" {}
                button type="submit" { (lang.t("保存阶段", "Save stage")) }
            }
        }
    }
}

fn assign_form(lang: Lang, session: &Session, page: &InquiryPage) -> Markup {
    html! {
        section aria-labelledby="assign-title" {
            h2 #assign-title { (lang.t("转交给其他服务专员", "Give to another agent")) }
            p { (lang.t("现由 ", "Now with ")) (page.file.row.agent_id) }
            form method="post" action={ "/agent/inquiries/" (page.file.row.id) "/assign" } {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="agent" { (lang.t("服务专员", "Agent")) }
                select #agent name="agent" required {
                    @for (id, name) in &page.agents {
                        option value=(id) selected[*id == page.file.row.agent_id] { (id) " " (name) }
                    }
                }
                button type="submit" { (lang.t("转交", "Reassign")) }
            }
        }
    }
}
