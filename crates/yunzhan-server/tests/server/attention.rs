//! Anonymous attention counts on each back end: a retried batch counts
//! once, nothing stored identifies a visitor, exhibitors see their own
//! booth's figures with small counts hidden, and who may see which.

use reqwest::StatusCode;
use serde_json::{Value, json};
use yunzhan_client::{ApiClient, SubmitOutcome};
use yunzhan_model::Project;
use yunzhan_model::attention::{Count, CountBatch, Event};
use yunzhan_server::db::Role;

use super::common::{TestServer, UNLIMITED, back_ends, settings, start};
use super::deals::Browser;
use super::figures::query;

async fn send(server: &TestServer, batch: &Value) -> (StatusCode, Value) {
    let answer = yunzhan_client::http_client()
        .unwrap()
        .post(server.url("/counts"))
        .header("x-forwarded-for", "198.51.100.23")
        .json(batch)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn project(server: &TestServer, index: usize) -> Project {
    server.state.served().catalog.projects()[index].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_batch_counts_once_and_nothing_stored_names_a_visitor() {
    for db in back_ends("attention").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let first = project(&server, 0).platform_no;
        let batch = json!({ "batch": "batch-0001-aaaa", "counts": [
            { "platform_no": first, "event": "booth_visit", "n": 7 },
            { "platform_no": first, "event": "card_open", "n": 2 },
            { "platform_no": "NO-SUCH-PROJECT", "event": "card_open", "n": 1 },
        ] });
        let (status, answer) = send(&server, &batch).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{db:?}");
        assert_eq!(answer, json!({ "counted": 2, "ignored": 1 }));
        // The same batch again (a retry after a lost answer): nothing added.
        let (status, answer) = send(&server, &batch).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["counted"], 0);
        let (status, _) = send(
            &server,
            &json!({ "batch": "batch-0002-bbbb", "counts": [
            { "platform_no": first, "event": "booth_visit", "n": 1 }] }),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);

        let rows = query(
            &db,
            "SELECT day, platform_no, event, count FROM attention_counts ORDER BY event",
        )
        .await;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(
            (rows[0][2].as_str(), rows[0][3].as_str()),
            ("booth_visit", "8")
        );
        assert_eq!(
            (rows[1][2].as_str(), rows[1][3].as_str()),
            ("card_open", "2")
        );
        // Every stored value of both tables: days, numbers, events, counts
        // and batch ids; no address of any kind.
        let batches = query(&db, "SELECT id, day FROM attention_batches").await;
        assert_eq!(batches.len(), 2);
        for value in rows.iter().chain(&batches).flatten() {
            assert!(
                !value.contains("198.51.100") && !value.contains("127.0.0.1"),
                "{value}"
            );
        }
        let answer = yunzhan_client::http_client()
            .unwrap()
            .post(server.url("/counts"))
            .json(&batch)
            .send()
            .await
            .unwrap();
        assert!(
            answer.headers().get("set-cookie").is_none(),
            "no cookie is set"
        );

        for bad in [
            json!({ "batch": "short", "counts": [] }),
            json!({ "batch": "batch-0003-cccc", "counts": [{ "platform_no": first, "event": "card_open", "n": 0 }] }),
        ] {
            let (status, answer) = send(&server, &bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(answer["code"], "invalid_counts");
        }
        let (status, _) = send(
            &server,
            &json!({ "batch": "batch-0004-dddd", "counts": [
            { "platform_no": first, "event": "stared_at", "n": 1 }] }),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown event");

        // The app's client: a batch sent while the server is away waits,
        // and counts once however often it is retried.
        let batch = CountBatch {
            batch: yunzhan_client::new_key(),
            counts: vec![Count {
                platform_no: first.clone(),
                event: Event::CardOpen,
                n: 5,
            }],
        };
        let away = ApiClient::new("http://127.0.0.1:9");
        assert!(matches!(
            away.send_counts(&batch).await,
            SubmitOutcome::RetryLater(_)
        ));
        let client = ApiClient::new(&server.base);
        for expected in [1, 0, 0] {
            match client.send_counts(&batch).await {
                SubmitOutcome::Accepted(answer) => assert_eq!(answer.counted, expected),
                other => panic!("{other:?}"),
            }
        }

        // The organisers' funnel starts with the counted visits.
        let organiser = Browser::sign_in(&server, Role::Organiser, "组委会").await;
        let (_, funnel) = organiser.get("/organiser/funnel.csv").await;
        assert!(
            funnel.contains("展位访问,8") && funnel.contains("项目卡片打开,7"),
            "{funnel}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exhibitors_see_their_own_booth_with_small_counts_hidden() {
    for db in back_ends("exhibitor").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        // Two exhibitors with different agents.
        let served = server.state.served();
        let projects = served.catalog.projects();
        let first = &projects[0];
        let second = projects
            .iter()
            .find(|p| p.agent.id != first.agent.id && p.organisation != first.organisation)
            .unwrap();
        let (mine, agent, own) = (
            first.platform_no.clone(),
            first.agent.id.clone(),
            first.organisation.clone(),
        );
        let (theirs, other) = (second.platform_no.clone(), second.organisation.clone());
        send(
            &server,
            &json!({ "batch": "batch-exhibitor-1", "counts": [
            { "platform_no": mine, "event": "booth_visit", "n": 12 },
            { "platform_no": mine, "event": "qr_handoff", "n": 3 },
            { "platform_no": theirs, "event": "booth_visit", "n": 40 },
        ] }),
        )
        .await;

        let exhibitor = Browser::sign_in(&server, Role::Exhibitor, &own).await;
        let (status, page) = exhibitor.get("/exhibitor/").await;
        assert_eq!(status, StatusCode::OK, "{db:?}");
        assert!(
            page.contains(r#"<span class="value">12</span><span class="label">展位访问</span>"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<span class="value">&lt;5</span><span class="label">扫码带走</span>"#),
            "3 is shown as <5"
        );
        assert!(
            !page.contains(">40<"),
            "another exhibitor's counts are not shown"
        );
        let (_, page) = exhibitor
            .get(&format!("/exhibitor/?name={}", encode(&other)))
            .await;
        assert!(
            page.contains(&own) && !page.contains(">40<"),
            "an exhibitor sees only its own, whatever it asks"
        );
        for path in ["/agent/inquiries/1", "/organiser/", "/agent/inquiries.csv"] {
            let (status, _) = exhibitor.get(path).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "an exhibitor asks for {path}"
            );
        }
        let (home, _) = exhibitor.get("/agent/").await;
        assert_eq!(
            home,
            StatusCode::SEE_OTHER,
            "an exhibitor's sign-in lands on its own page"
        );

        let agent_browser = Browser::sign_in(&server, Role::Agent, &agent).await;
        let (status, page) = agent_browser
            .get(&format!("/exhibitor/?name={}", encode(&own)))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"<span class="value">12</span>"#));
        let (status, _) = agent_browser
            .get(&format!("/exhibitor/?name={}", encode(&other)))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "not the agent's exhibitor");
        let (status, _) = Browser::new(&server).get("/exhibitor/").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
