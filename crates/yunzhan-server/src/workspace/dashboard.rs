//! The organisers' dashboard at `/organiser/`: the conference's figures
//! counted from the catalog and the stored deals, as charts and tables, and
//! every table as CSV and as one workbook. Also the agent's own inquiries
//! (with contact details, to that agent only) as CSV and workbook.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{Markup, html};
use yunzhan_model::figures::{Figures, FunnelRow, Tally};
use yunzhan_sheet::{Cell, Table};

use super::auth::SignedIn;
use super::charts::{Bar, bars, columns};
use super::pages::{Lang, Notice, layout};
use super::{PageResult, Refusal, page, require_role};
use crate::api::AppState;
use crate::db::Role;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organiser",
            get(|| async { Redirect::permanent("/organiser/") }),
        )
        .route("/organiser/", get(dashboard))
        .route("/organiser/figures.xlsx", get(figures_workbook))
        .route("/organiser/{file}", get(figures_csv))
        .route(
            "/agent/inquiries.csv",
            get(|s, who| own_inquiries(s, who, Format::Csv)),
        )
        .route(
            "/agent/inquiries.xlsx",
            get(|s, who| own_inquiries(s, who, Format::Xlsx)),
        )
}

/// The figures now, and the dashboard's tables of them in `lang`.
async fn current(state: &AppState, signed_in: &SignedIn) -> Result<(Figures, Vec<Table>), Refusal> {
    require_role(signed_in, Role::Organiser)?;
    let failed = |error| Refusal::database(state, signed_in.lang, error);
    let facts = state.db.deal_facts().await.map_err(failed)?;
    let overdue_hours = state.db.overdue_hours().await.map_err(failed)?;
    let attention = state.db.attention_totals().await.map_err(failed)?;
    let served = state.served();
    let now = crate::db::unix_now() as i64;
    let figures = Figures::compute(&served.catalog, &facts, attention, now, overdue_hours);
    let tables = tables(signed_in.lang, &figures);
    Ok((figures, tables))
}

async fn dashboard(State(state): State<AppState>, signed_in: SignedIn) -> PageResult {
    let (figures, tables) = current(&state, &signed_in).await?;
    Ok(page(
        StatusCode::OK,
        dashboard_page(signed_in.lang, &signed_in, &figures, &tables),
    ))
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

/// A file to download, named after what it holds and today's date.
fn download(stem: &str, format: Format, tables: &[Table]) -> Response {
    let (body, content_type, extension) = match format {
        Format::Csv => (tables[0].to_csv(), "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => match yunzhan_sheet::workbook(tables) {
            Ok(bytes) => (
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Err(error) => {
                tracing::error!(%error, "a workbook could not be written");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    let day = &crate::db::now_rfc3339()[..10];
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"yunzhan-{stem}-{day}.{extension}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn figures_workbook(State(state): State<AppState>, signed_in: SignedIn) -> PageResult {
    let (_, tables) = current(&state, &signed_in).await?;
    Ok(download("figures", Format::Xlsx, &tables))
}

/// `/organiser/by_hall.csv` and the like: one table of the dashboard.
async fn figures_csv(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(file): Path<String>,
) -> PageResult {
    let (_, tables) = current(&state, &signed_in).await?;
    let wanted = file.strip_suffix(".csv").unwrap_or("");
    match tables.into_iter().find(|table| table.name == wanted) {
        Some(table) => Ok(download(wanted, Format::Csv, &[table])),
        None => Err(Refusal {
            status: StatusCode::NOT_FOUND,
            lang: signed_in.lang,
            session: Some(signed_in.session.clone()),
            notice: Notice::NoSuchTable,
            clear_cookie: false,
        }),
    }
}

/// The signed-in agent's inquiries with contact details and the message.
async fn own_inquiries(state: State<AppState>, signed_in: SignedIn, format: Format) -> PageResult {
    require_role(&signed_in, Role::Agent)?;
    let lang = signed_in.lang;
    let records = state
        .db
        .agent_records(&signed_in.session.subject)
        .await
        .map_err(|error| Refusal::database(&state, lang, error))?;
    let served = state.served();
    let title = |platform_no: &str| {
        served
            .catalog
            .find(platform_no)
            .map(|id| served.catalog.project(id).title.clone())
    };
    let table = Table {
        name: "inquiries".into(),
        headers: headers(
            lang,
            &[
                ("询单编号", "Inquiry"),
                ("收到时间 (UTC)", "Received (UTC)"),
                ("项目编号", "Project no."),
                ("项目", "Project"),
                ("阶段", "Stage"),
                ("意向", "Intent"),
                ("姓名", "Name"),
                ("单位", "Organisation"),
                ("电话", "Phone"),
                ("邮箱", "Email"),
                ("留言", "Message"),
            ],
        ),
        rows: records
            .iter()
            .map(|(row, inquiry)| {
                vec![
                    Cell::Number(row.id as f64),
                    row.received_at.as_str().into(),
                    row.platform_no.as_str().into(),
                    title(&row.platform_no).into(),
                    lang.stage(row.stage).into(),
                    inquiry
                        .intent
                        .map(|mode| lang.t(mode.name_zh(), mode.name_en()))
                        .into(),
                    inquiry.name.as_str().into(),
                    inquiry.organisation.as_str().into(),
                    inquiry.phone.as_str().into(),
                    inquiry.email.as_str().into(),
                    inquiry.message.as_str().into(),
                ]
            })
            .collect(),
    };
    Ok(download("my-inquiries", format, &[table]))
}

fn headers(lang: Lang, names: &[(&str, &str)]) -> Vec<String> {
    names
        .iter()
        .map(|(zh, en)| lang.t(zh, en).to_string())
        .collect()
}

/// 万元 as 亿元 (the unit of the conference's headline), to the 万元.
fn yi(amount_wan: f64) -> f64 {
    amount_wan.round() / 1e4
}

/// Every table of the dashboard, in its order.
fn tables(lang: Lang, figures: &Figures) -> Vec<Table> {
    let hall = |index: yunzhan_model::HallIndex| {
        let hall = index.hall();
        lang.t(hall.name_zh, hall.name_en).to_string()
    };
    vec![
        headline(lang, figures),
        tally_table(
            "by_hall",
            lang,
            ("展馆", "Hall"),
            figures.by_hall.iter().map(|(h, t)| (hall(*h), t)),
        ),
        tally_table(
            "by_industry",
            lang,
            ("产业", "Industry"),
            figures
                .by_industry
                .iter()
                .map(|(i, t)| (lang.t(i.name_zh(), i.name_en()).to_string(), t)),
        ),
        tally_table(
            "by_kind",
            lang,
            ("项目类型", "Kind"),
            figures
                .by_kind
                .iter()
                .map(|(k, t)| (lang.t(k.name_zh(), k.name_en()).to_string(), t)),
        ),
        funnel_table(lang, &figures.funnel),
        Table {
            name: "per_day".into(),
            headers: headers(
                lang,
                &[
                    ("日期（北京时间）", "Day (Beijing time)"),
                    ("询价", "Inquiries"),
                ],
            ),
            rows: figures
                .per_day
                .iter()
                .map(|(day, count)| vec![day.as_str().into(), (*count).into()])
                .collect(),
        },
        Table {
            name: "agents".into(),
            headers: headers(
                lang,
                &[
                    ("服务专员", "Service agent"),
                    ("编号", "Id"),
                    ("询价", "Inquiries"),
                    ("已回复", "Replied"),
                    ("首次回复中位时间（小时）", "Median first reply (hours)"),
                    ("逾期", "Overdue"),
                ],
            ),
            rows: figures
                .agents
                .iter()
                .map(|agent| {
                    vec![
                        agent.name.as_str().into(),
                        agent.id.as_str().into(),
                        agent.inquiries.into(),
                        agent.replied.into(),
                        agent.median_first_reply_hours.into(),
                        agent.overdue.into(),
                    ]
                })
                .collect(),
        },
    ]
}

fn headline(lang: Lang, figures: &Figures) -> Table {
    let total = &figures.total;
    let mut rows: Vec<(&str, &str, Cell)> = vec![
        ("展馆", "Halls", figures.halls.into()),
        ("参展单位", "Exhibitors", figures.exhibitors.into()),
        ("项目", "Projects", figures.projects.into()),
    ];
    for (kind, tally) in &figures.by_kind {
        rows.push((kind.name_zh(), kind.name_en(), tally.projects.into()));
    }
    rows.extend([
        ("重点推介项目", "Featured projects", figures.featured.into()),
        (
            "其中生成的演示项目",
            "Of which generated demo projects",
            figures.generated_projects.into(),
        ),
        ("询价", "Inquiries", total.inquiries.into()),
        (
            "合作意向",
            "Cooperation intentions",
            total.intentions.into(),
        ),
        (
            "意向金额（亿元）",
            "Amount of intentions (亿元)",
            yi(total.amount_wan).into(),
        ),
        ("已签约", "Signed", total.signed.into()),
        ("已落地", "Delivered", total.delivered.into()),
    ]);
    Table {
        name: "headline".into(),
        headers: headers(lang, &[("指标", "Figure"), ("数值", "Value")]),
        rows: rows
            .into_iter()
            .map(|(zh, en, value)| vec![lang.t(zh, en).into(), value])
            .collect(),
    }
}

fn tally_table<'a>(
    name: &str,
    lang: Lang,
    first: (&str, &str),
    slices: impl Iterator<Item = (String, &'a Tally)>,
) -> Table {
    Table {
        name: name.into(),
        headers: headers(
            lang,
            &[
                first,
                ("项目", "Projects"),
                ("询价", "Inquiries"),
                ("合作意向", "Intentions"),
                ("意向金额（万元）", "Amount (万元)"),
                ("已签约", "Signed"),
                ("已落地", "Delivered"),
            ],
        ),
        rows: slices
            .map(|(label, tally)| {
                vec![
                    label.into(),
                    tally.projects.into(),
                    tally.inquiries.into(),
                    tally.intentions.into(),
                    tally.amount_wan.into(),
                    tally.signed.into(),
                    tally.delivered.into(),
                ]
            })
            .collect(),
    }
}

fn funnel_table(lang: Lang, funnel: &[FunnelRow]) -> Table {
    Table {
        name: "funnel".into(),
        headers: headers(
            lang,
            &[
                ("步骤", "Step"),
                ("数量", "Count"),
                ("较上一步", "Of the step before"),
            ],
        ),
        rows: funnel
            .iter()
            .map(|row| {
                vec![
                    lang.t(row.step.name_zh(), row.step.name_en()).into(),
                    match row.count {
                        Some(count) => Cell::Number(count as f64),
                        None => lang.t("未统计", "not counted").into(),
                    },
                    row.conversion
                        .map(|share| format!("{:.1}%", share * 100.0))
                        .into(),
                ]
            })
            .collect(),
    }
}

/// A table's numbers as bars: label from column 0, value from `column`.
fn table_bars(table: &Table, column: usize) -> Vec<Bar> {
    table
        .rows
        .iter()
        .filter_map(|row| match &row[column] {
            Cell::Number(value) => Some(Bar {
                label: row[0].text(),
                value: *value,
                shown: row[column].text(),
            }),
            _ => None,
        })
        .collect()
}

fn section(lang: Lang, heading: &str, table: &Table, chart: Option<Markup>) -> Markup {
    html! {
        section aria-labelledby={ "h-" (table.name) } {
            h2 id={ "h-" (table.name) } { (heading) }
            @if let Some(chart) = chart { figure { (chart) } }
            table.figures {
                caption.visually-hidden { (heading) }
                thead { tr { @for name in &table.headers { th scope="col" { (name) } } } }
                tbody {
                    @for row in &table.rows {
                        tr {
                            th scope="row" { (row[0].text()) }
                            @for cell in &row[1..] {
                                td.number[matches!(cell, Cell::Number(_))] { (cell.text()) }
                            }
                        }
                    }
                }
            }
            p.export {
                a href={ "/organiser/" (table.name) ".csv" } download {
                    (lang.t("下载 CSV：", "Download CSV: ")) (heading)
                }
            }
        }
    }
}

fn dashboard_page(lang: Lang, signed_in: &SignedIn, figures: &Figures, tables: &[Table]) -> Markup {
    let title = lang.t("数据看板", "Figures");
    let [
        headline,
        by_hall,
        by_industry,
        by_kind,
        funnel,
        per_day,
        agents,
    ] = tables
    else {
        unreachable!("the dashboard has seven tables")
    };
    let days: Vec<Bar> = table_bars(per_day, 1)
        .into_iter()
        .map(|bar| Bar {
            label: bar.label.get(5..).unwrap_or_default().to_string(),
            ..bar
        })
        .collect();
    let body = html! {
        h1 { (title) }
        @if figures.generated_projects > 0 {
            p.notice.demo role="note" {
                (match lang {
                    Lang::Zh => format!(
                        "演示数据：{} 个项目中有 {} 个是生成的演示项目（不是真实项目），{} 条询价针对演示项目。涉及它们的数字是演示数字。",
                        figures.projects, figures.generated_projects, figures.demo_inquiries),
                    Lang::En => format!(
                        "Demo data: {} of the {} projects are generated demo projects (not real ones), and {} inquiries are about them. Figures over them are demo figures.",
                        figures.generated_projects, figures.projects, figures.demo_inquiries),
                })
            }
        }
        p {
            (lang.t("所有数字在打开页面时由目录和询单数据库计算得出。", "Every figure is counted from the catalog and the inquiry database when the page opens."))
            " " a href="/organiser/figures.xlsx" download { (lang.t("下载全部表格（Excel）", "Download every table (Excel)")) }
        }
        ul.tiles {
            @for row in &headline.rows {
                li { span.value { (row[1].text()) } span.label { (row[0].text()) } }
            }
        }
        (section(lang, lang.t("转化漏斗", "Funnel"), funnel, Some(bars(lang.t("转化漏斗", "Funnel"), &table_bars(funnel, 1)))))
        @if figures.funnel.iter().any(|row| row.count.is_none()) {
            p.private { (lang.t("展位访问和卡片打开尚未统计。", "Booth visits and card opens are not counted yet.")) }
        }
        (section(lang, lang.t("每日询价", "Inquiries per day"), per_day,
            (!days.is_empty()).then(|| columns(lang.t("每日询价", "Inquiries per day"), &days))))
        (section(lang, lang.t("各展馆", "By hall"), by_hall, Some(bars(lang.t("各展馆询价", "Inquiries by hall"), &table_bars(by_hall, 2)))))
        (section(lang, lang.t("各产业", "By industry"), by_industry, Some(bars(lang.t("各产业询价", "Inquiries by industry"), &table_bars(by_industry, 2)))))
        (section(lang, lang.t("各项目类型", "By kind of project"), by_kind, None))
        (section(lang, lang.t("服务专员响应", "Service agents' responses"), agents, None))
        (section(lang, lang.t("总览", "Headline"), headline, None))
    };
    layout(lang, title, Some(&signed_in.session), body)
}
