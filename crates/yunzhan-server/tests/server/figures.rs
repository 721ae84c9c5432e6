//! The organisers' figures on each back end: every headline figure and
//! every hall's count equals a count made here, independently, with SQL on
//! the same database; the CSV and Excel exports read back (csv, calamine)
//! equal the dashboard; who may see which figures and contacts.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Reader, Xlsx};
use reqwest::StatusCode;
use sqlx::{Connection, Row};
use yunzhan_model::deal::{CloseReason, Stage, StageChange};
use yunzhan_model::{HALLS, Project};
use yunzhan_server::db::{DbTarget, Role};

use super::common::{TestServer, UNLIMITED, back_ends, settings, start};
use super::deals::{Browser, submit, two_agents_projects};

/// Rows of `sql` as strings, straight from the database.
pub(super) async fn query(db: &DbTarget, sql: &str) -> Vec<Vec<String>> {
    macro_rules! rows {
        ($connection:ty) => {{
            let mut connection = <$connection>::connect(&db.url()).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .fetch_all(&mut connection)
                .await
                .unwrap()
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|column| {
                            row.try_get::<String, _>(column)
                                .or_else(|_| row.try_get::<i64, _>(column).map(|n| n.to_string()))
                                .unwrap()
                        })
                        .collect()
                })
                .collect()
        }};
    }
    match db {
        DbTarget::Sqlite(_) => rows!(sqlx::SqliteConnection),
        DbTarget::Postgres(_) => rows!(sqlx::PgConnection),
    }
}

async fn count(db: &DbTarget, sql: &str) -> f64 {
    query(db, sql).await[0][0].parse().unwrap()
}

/// One project in each of the first `n` halls.
fn projects_in_halls(server: &TestServer, n: usize) -> Vec<Project> {
    let served = server.state.served();
    HALLS
        .iter()
        .take(n)
        .map(|hall| {
            served
                .catalog
                .projects()
                .iter()
                .find(|project| project.hall.hall().id == hall.id)
                .unwrap()
                .clone()
        })
        .collect()
}

async fn move_to(server: &TestServer, id: i64, to: Stage, amount_wan: Option<f64>) {
    let change = StageChange {
        to: Some(to),
        amount_wan,
        parties: if to.has_terms() {
            vec!["成都某公司".into()]
        } else {
            Vec::new()
        },
        reason: (to == Stage::Closed).then_some(CloseReason::NoResponse),
        note: String::new(),
    };
    assert!(change.validate().is_empty(), "{change:?}");
    server
        .state
        .db
        .change_stage(id, "agent", &change)
        .await
        .unwrap();
}

/// A CSV export as the rows after its headings, keyed by the first column.
fn csv_rows(bytes: &[u8]) -> BTreeMap<String, Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "the CSV starts with a BOM for Excel"
    );
    csv::Reader::from_reader(&bytes[3..])
        .records()
        .map(|record| {
            let record = record.unwrap();
            let cells: Vec<String> = record.iter().map(String::from).collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect()
}

/// A sheet of the workbook in the same shape.
fn sheet_rows(workbook: &[u8], sheet: &str) -> BTreeMap<String, Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(workbook.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| match cell {
                    calamine::Data::Float(value) => value.to_string(),
                    calamine::Data::Int(value) => value.to_string(),
                    calamine::Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect()
}

fn number(rows: &BTreeMap<String, Vec<String>>, label: &str) -> f64 {
    rows.get(label)
        .unwrap_or_else(|| panic!("no row {label:?} in {rows:?}"))[0]
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_figure_and_export_equals_an_independent_count() {
    for db in back_ends("figures").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let projects = projects_in_halls(&server, 6);
        let mut ids = Vec::new();
        for (n, project) in projects.iter().enumerate() {
            ids.push(
                submit(&server, &project.platform_no, &format!("第 {n} 条询价"))
                    .await
                    .id,
            );
        }
        // A second inquiry in the first hall, and deals at every stage.
        ids.push(
            submit(&server, &projects[0].platform_no, "再问一次")
                .await
                .id,
        );
        move_to(&server, ids[0], Stage::Intention, Some(120.5)).await;
        move_to(&server, ids[1], Stage::Intention, Some(300.0)).await;
        move_to(&server, ids[1], Stage::Signed, Some(280.0)).await;
        move_to(&server, ids[2], Stage::Delivered, Some(80.0)).await;
        move_to(&server, ids[3], Stage::Contacted, None).await;
        move_to(&server, ids[4], Stage::Intention, Some(50.0)).await;
        move_to(&server, ids[4], Stage::Closed, None).await;

        let organiser = Browser::sign_in(&server, Role::Organiser, "组委会").await;
        let (status, page) = organiser.get("/organiser/").await;
        assert_eq!(status, StatusCode::OK, "{db:?}");
        let (status, content_type, headline_csv) =
            organiser.download("/organiser/headline.csv").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let headline = csv_rows(&headline_csv);

        let terms = "('intention', 'signed', 'delivered')";
        let independent = [
            ("项目", count(&db, "SELECT COUNT(*) FROM projects").await),
            ("询价", count(&db, "SELECT COUNT(*) FROM inquiries").await),
            (
                "合作意向",
                count(
                    &db,
                    &format!("SELECT COUNT(*) FROM inquiries WHERE stage IN {terms}"),
                )
                .await,
            ),
            (
                "已签约",
                count(
                    &db,
                    "SELECT COUNT(*) FROM inquiries WHERE stage IN ('signed', 'delivered')",
                )
                .await,
            ),
            (
                "已落地",
                count(
                    &db,
                    "SELECT COUNT(*) FROM inquiries WHERE stage = 'delivered'",
                )
                .await,
            ),
        ];
        for (label, expected) in independent {
            assert_eq!(number(&headline, label), expected, "{label} on {db:?}");
            let tile = format!(
                r#"<span class="value">{expected}</span><span class="label">{label}</span>"#
            );
            assert!(page.contains(&tile), "the page shows {label} = {expected}");
        }
        assert_eq!(number(&headline, "展馆"), HALLS.len() as f64);
        assert_eq!(
            number(&headline, "合作意向"),
            3.0,
            "the closed deal is no intention now"
        );

        // The amount: each deal's latest terms, read from its history here.
        let mut latest: BTreeMap<String, f64> = BTreeMap::new();
        let events = query(&db, &format!(
            "SELECT e.inquiry_id, e.record FROM deal_events e JOIN inquiries i ON i.id = e.inquiry_id
             WHERE e.kind = 'stage' AND i.stage IN {terms} ORDER BY e.id"
        ))
        .await;
        for event in events {
            let record: serde_json::Value = serde_json::from_str(&event[1]).unwrap();
            latest.insert(event[0].clone(), record["amount_wan"].as_f64().unwrap());
        }
        let amount_wan: f64 = latest.values().sum();
        assert_eq!(amount_wan, 120.5 + 280.0 + 80.0);
        assert_eq!(
            number(&headline, "意向金额（亿元）"),
            amount_wan.round() / 1e4
        );

        // Per hall, against a GROUP BY here.
        let by_hall_csv = csv_rows(&organiser.download("/organiser/by_hall.csv").await.2);
        let served = server.state.served();
        let mut per_hall: BTreeMap<&str, f64> = BTreeMap::new();
        for row in query(
            &db,
            "SELECT platform_no, COUNT(*) FROM inquiries GROUP BY platform_no",
        )
        .await
        {
            let project = served
                .catalog
                .project(served.catalog.find(&row[0]).unwrap());
            *per_hall.entry(project.hall.hall().name_zh).or_default() +=
                row[1].parse::<f64>().unwrap();
        }
        for hall in HALLS {
            let expected = per_hall.get(hall.name_zh).copied().unwrap_or(0.0);
            assert_eq!(
                by_hall_csv[hall.name_zh][1].parse::<f64>().unwrap(),
                expected,
                "{}",
                hall.name_zh
            );
        }

        // The funnel counts how far deals got: the closed one got to intention.
        let funnel = csv_rows(&organiser.download("/organiser/funnel.csv").await.2);
        assert_eq!(funnel["已对接"][0], "5");
        assert_eq!(funnel["合作意向"][0], "4");
        assert_eq!(funnel["已签约"][0], "2");
        assert_eq!(funnel["展位访问"][0], "未统计");

        // The workbook holds every table, equal to its CSV.
        let (status, content_type, workbook) = organiser.download("/organiser/figures.xlsx").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.contains("spreadsheetml"), "{content_type}");
        assert_eq!(sheet_rows(&workbook, "headline"), headline);
        assert_eq!(sheet_rows(&workbook, "by_hall"), by_hall_csv);
        assert_eq!(sheet_rows(&workbook, "funnel"), funnel);
        assert!(page.contains("演示数据"), "demo figures say so");
        assert!(page.contains("<svg"), "charts are drawn");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_organisers_see_figures_and_agents_export_only_their_contacts() {
    for db in back_ends("figures-roles").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let ((mine, agent), (theirs, _)) = two_agents_projects(&server);
        submit(&server, &mine, "我的询价").await;
        submit(&server, &theirs, "别人的询价").await;

        let agent_browser = Browser::sign_in(&server, Role::Agent, &agent).await;
        let (status, _) = Browser::new(&server).get("/organiser/").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no session, no figures");
        for path in [
            "/organiser/",
            "/organiser/headline.csv",
            "/organiser/figures.xlsx",
        ] {
            let (status, _) = agent_browser.get(path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "an agent asks for {path}");
        }

        let (status, _, export) = agent_browser.download("/agent/inquiries.csv").await;
        assert_eq!(status, StatusCode::OK);
        let rows = csv_rows(&export);
        assert_eq!(rows.len(), 1, "only the agent's own inquiry");
        let text = String::from_utf8(export).unwrap();
        assert!(
            text.contains("13800000000")
                && text.contains("我的询价")
                && !text.contains("别人的询价")
        );
        let (status, _, workbook) = agent_browser.download("/agent/inquiries.xlsx").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sheet_rows(&workbook, "inquiries"), rows);

        let organiser = Browser::sign_in(&server, Role::Organiser, "组委会").await;
        let (status, _) = organiser.get("/agent/inquiries.csv").await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "organisers see no contact details"
        );
        let (status, _) = organiser.get("/organiser/nothing.csv").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
