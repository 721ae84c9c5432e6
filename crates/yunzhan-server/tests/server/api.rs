//! The real server on a loopback port, driven over HTTP: every endpoint,
//! pagination, ETag/304, validation, body limits, unknown projects, stored
//! text returned as plain text, agent tokens, rate limiting, and the
//! contract files kept in sync with the router.

use std::collections::BTreeSet;

use super::common::{UNLIMITED, back_ends, get_json, settings, start, until, without_secret};
use reqwest::StatusCode;
use serde_json::{Value, json};
use yunzhan_model::api::{
    BoothPage, CatalogInfo, ErrorBody, HallSummary, Health, InquiryReceipt, SearchResults,
};
use yunzhan_model::{Catalog, CooperationMode, EMBEDDED_CATALOG, Industry, Project, ProjectKind};
use yunzhan_server::db::{Db, StoredInquiry};
use yunzhan_server::rate::RateLimit;

/// An answer's Content-Type.
fn content_type(response: &reqwest::Response) -> &str {
    response.headers()["content-type"].to_str().unwrap()
}

/// Checks an error answer's status and stable code.
async fn expect_error(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(response.json::<ErrorBody>().await.unwrap().code, code);
}

fn catalog() -> Catalog {
    Catalog::load(EMBEDDED_CATALOG).unwrap().catalog
}

fn inquiry(platform_no: &str, message: &str) -> Value {
    json!({
        "platform_no": platform_no,
        "name": "王小明",
        "organisation": "成都示例公司",
        "phone": "028-8888 6666",
        "email": "wang@example.org",
        "intent": "joint_development",
        "message": message,
    })
}

async fn post_inquiry(
    http: &reqwest::Client,
    url: &str,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = http.post(url).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn reads_halls_booths_projects_and_search() {
    for db in back_ends("reads").await {
        eprintln!("back end: {db}");
        let server = start(&settings(&db, UNLIMITED), 0);
        let http = yunzhan_client::http_client().unwrap();
        let catalog = catalog();

        let health: Health = get_json(&http, server.url("/health")).await;
        assert_eq!(health.status, "ok");
        assert_eq!(health.projects, 5740);

        let halls: Vec<HallSummary> = get_json(&http, server.url("/halls")).await;
        assert_eq!(halls.len(), 22);
        assert_eq!(halls.iter().map(|h| h.projects).sum::<usize>(), 5740);
        assert_eq!(halls.iter().filter(|h| h.provincial).count(), 1);

        // Pagination: every booth of Chengdu exactly once over the pages.
        let chengdu = halls.iter().find(|h| h.id == "chengdu").unwrap();
        let mut exhibitors = Vec::new();
        let mut page = 1;
        loop {
            let booths: BoothPage = get_json(
                &http,
                server.url(&format!("/halls/chengdu/booths?page={page}&per_page=37")),
            )
            .await;
            assert_eq!(booths.total_booths, chengdu.exhibitors);
            assert_eq!(booths.total_pages, chengdu.exhibitors.div_ceil(37));
            assert!(booths.booths.len() <= 37);
            exhibitors.extend(booths.booths.into_iter().map(|b| b.exhibitor));
            if page == booths.total_pages {
                break;
            }
            page += 1;
        }
        assert_eq!(exhibitors.len(), chengdu.exhibitors);
        assert_eq!(
            exhibitors.iter().collect::<BTreeSet<_>>().len(),
            exhibitors.len()
        );
        let past_the_end: BoothPage = get_json(
            &http,
            server.url(&format!(
                "/halls/chengdu/booths?page={}&per_page=37",
                page + 1
            )),
        )
        .await;
        assert!(past_the_end.booths.is_empty());

        for bad in ["page=0", "per_page=0", "per_page=201", "page=two"] {
            let response = http
                .get(server.url(&format!("/halls/chengdu/booths?{bad}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
            let error: ErrorBody = response.json().await.unwrap();
            assert_eq!(error.code, "bad_parameter");
            assert!(
                error.message.contains(bad.split('=').next().unwrap()),
                "{}",
                error.message
            );
        }
        let unknown = http
            .get(server.url("/halls/atlantis/booths"))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

        // One project's detail is the catalog record.
        let named = catalog.projects().iter().find(|p| !p.generated).unwrap();
        let detail: Project = get_json(
            &http,
            server.url(&format!("/projects/{}", named.platform_no)),
        )
        .await;
        assert_eq!(&detail, named);
        let missing = http
            .get(server.url("/projects/YZ-0000-00000"))
            .send()
            .await
            .unwrap();
        expect_error(missing, StatusCode::NOT_FOUND, "unknown_project").await;

        // Search with the app's filters.
        let found: SearchResults = get_json(&http, server.url("/search?q=银耳&hall=bazhong")).await;
        assert!(found.results.iter().any(|card| card.title.contains("银耳")));
        assert!(found.results.iter().all(|card| card.hall == "bazhong"));
        let featured: SearchResults = get_json(
            &http,
            server.url("/search?featured=true&kind=transfer&limit=500"),
        )
        .await;
        assert_eq!(featured.results.len(), 10);
        let agriculture: SearchResults = get_json(
            &http,
            server.url("/search?industry=modern_agriculture&limit=5"),
        )
        .await;
        assert_eq!(agriculture.results.len(), 5);
        for bad in [
            "industry=mining",
            "kind=x",
            "hall=atlantis",
            "featured=maybe",
            "limit=0",
        ] {
            let response = http
                .get(server.url(&format!("/search?{bad}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}

#[tokio::test]
async fn conditional_gets_answer_304_until_the_catalog_changes() {
    for db in back_ends("etag").await {
        eprintln!("back end: {db}");
        let server = start(&settings(&db, UNLIMITED), 0);
        let http = yunzhan_client::http_client().unwrap();
        for path in [
            "/catalog",
            "/halls",
            "/halls/chengdu/booths",
            "/projects/YZ-2023-00001",
        ] {
            let first = http.get(server.url(path)).send().await.unwrap();
            assert_eq!(first.status(), StatusCode::OK, "{path}");
            let etag = first.headers()["etag"].to_str().unwrap().to_string();
            let again = http
                .get(server.url(path))
                .header("If-None-Match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
            assert!(again.bytes().await.unwrap().is_empty());
            let stale = http
                .get(server.url(path))
                .header("If-None-Match", "\"something-else\"")
                .send()
                .await
                .unwrap();
            assert_eq!(stale.status(), StatusCode::OK, "{path}");
        }
        let info: CatalogInfo = get_json(&http, server.url("/catalog")).await;
        assert_eq!(info.projects, 5740);
        assert_eq!(info.halls, 22);

        // A new catalog (one project fewer), stored by another process, has a
        // new ETag, and the running server serves it within seconds.
        let mut projects = catalog().projects().to_vec();
        projects.pop();
        let smaller = Catalog::from_projects("test-2", projects).catalog;
        let other = Db::open(&db).await.unwrap();
        other.replace_catalog(&smaller, |_| {}).await.unwrap();
        let (reloaded, etag) = other.load_catalog().await.unwrap().unwrap();
        assert_ne!(etag, info.etag);
        assert_eq!(reloaded.projects().len(), 5739);
        until(5, "the server serves the new catalog", || async {
            get_json::<CatalogInfo>(&http, server.url("/catalog"))
                .await
                .etag
                == etag
        })
        .await;
        let old = http
            .get(server.url("/halls"))
            .header("If-None-Match", format!("\"{}\"", info.etag))
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), StatusCode::OK, "the old ETag is stale now");
    }
}

#[tokio::test]
async fn inquiries_are_validated_stored_once_and_echoed_as_plain_text() {
    for db in back_ends("inquiries").await {
        eprintln!("back end: {db}");
        let server = start(&settings(&db, UNLIMITED), 0);
        let http = yunzhan_client::http_client().unwrap();
        let url = server.url("/inquiries");
        let catalog = catalog();
        let project = catalog.project(catalog.find("YZ-2023-00001").unwrap());

        let script = "<script>alert('x')</script> <b>合作</b> & \"quotes\"";
        let created = post_inquiry(
            &http,
            &url,
            Some("key-1"),
            &inquiry("YZ-2023-00001", script),
        )
        .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let receipt: InquiryReceipt = created.json().await.unwrap();
        assert_eq!(
            receipt.agent_id, project.agent.id,
            "routed to the project's agent"
        );
        assert_eq!(receipt.status, "received");

        let replay = post_inquiry(
            &http,
            &url,
            Some("key-1"),
            &inquiry("YZ-2023-00001", script),
        )
        .await;
        assert_eq!(replay.status(), StatusCode::OK);
        let replayed = replay.json::<InquiryReceipt>().await.unwrap();
        assert_ne!(
            replayed.thread_secret, receipt.thread_secret,
            "each receipt brings its own thread key"
        );
        assert_eq!(without_secret(&replayed), without_secret(&receipt));
        assert_eq!(
            server.state.db.inquiry_count().await.unwrap(),
            1,
            "a replay is stored once"
        );

        let reused = post_inquiry(
            &http,
            &url,
            Some("key-1"),
            &inquiry("YZ-2023-00001", "别的内容"),
        )
        .await;
        assert_eq!(reused.status(), StatusCode::CONFLICT);

        let keyless = post_inquiry(&http, &url, None, &inquiry("YZ-2023-00001", "你好")).await;
        expect_error(keyless, StatusCode::BAD_REQUEST, "idempotency_key_required").await;

        // Per-field validation errors.
        let mut bad = inquiry("YZ-2023-00001", "");
        bad["email"] = json!("not-an-address");
        bad["name"] = json!("");
        let invalid = post_inquiry(&http, &url, Some("key-2"), &bad).await;
        assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let error: ErrorBody = invalid.json().await.unwrap();
        let fields: BTreeSet<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, BTreeSet::from(["email", "message", "name"]));
        assert!(
            error
                .fields
                .iter()
                .all(|f| !f.message.is_empty() && !f.message_zh.is_empty())
        );

        let not_json = http
            .post(&url)
            .header("Idempotency-Key", "key-3")
            .header("Content-Type", "application/json")
            .body("{\"platform_no\": ")
            .send()
            .await
            .unwrap();
        expect_error(not_json, StatusCode::BAD_REQUEST, "bad_json").await;

        let oversize = post_inquiry(
            &http,
            &url,
            Some("key-4"),
            &inquiry("YZ-2023-00001", &"长".repeat(20_000)),
        )
        .await;
        expect_error(oversize, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").await;

        let unknown = post_inquiry(
            &http,
            &url,
            Some("key-5"),
            &inquiry("YZ-0000-99999", "你好"),
        )
        .await;
        expect_error(unknown, StatusCode::NOT_FOUND, "unknown_project").await;
        assert_eq!(
            server.state.db.inquiry_count().await.unwrap(),
            1,
            "nothing refused was stored"
        );

        // The agent reads the text back exactly, as JSON, never as HTML.
        let token = server
            .state
            .db
            .create_agent_token(&project.agent.id, "2026-11-25T00:00:00Z")
            .await
            .unwrap();
        let listed = http
            .get(server.url(&format!("/agents/{}/inquiries", project.agent.id)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), StatusCode::OK);
        assert!(content_type(&listed).starts_with("application/json"));
        assert_eq!(listed.headers()["x-content-type-options"], "nosniff");
        let stored: Vec<StoredInquiry> = listed.json().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].inquiry.message, script);
        assert_eq!(stored[0].inquiry.phone, "028-8888 6666");
    }
}

#[tokio::test]
async fn an_agent_reads_only_their_own_inquiries_with_their_token() {
    for db in back_ends("agents").await {
        eprintln!("back end: {db}");
        let server = start(&settings(&db, UNLIMITED), 0);
        let http = yunzhan_client::http_client().unwrap();
        let catalog = catalog();
        // Two projects with different agents.
        let first = &catalog.projects()[0];
        let second = catalog
            .projects()
            .iter()
            .find(|p| p.agent.id != first.agent.id)
            .unwrap();
        for (key, project) in [("a", first), ("b", second), ("c", first)] {
            let response = post_inquiry(
                &http,
                &server.url("/inquiries"),
                Some(key),
                &inquiry(&project.platform_no, "想了解技术细节"),
            )
            .await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
        let db = &server.state.db;
        let first_token = db.create_agent_token(&first.agent.id, "t").await.unwrap();
        let second_token = db.create_agent_token(&second.agent.id, "t").await.unwrap();
        let url = server.url(&format!("/agents/{}/inquiries", first.agent.id));

        let anonymous = http.get(&url).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
        let forged = http
            .get(&url)
            .bearer_auth("0123456789abcdef")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        let someone_else = http
            .get(&url)
            .bearer_auth(&second_token)
            .send()
            .await
            .unwrap();
        assert_eq!(someone_else.status(), StatusCode::FORBIDDEN);

        let own: Vec<StoredInquiry> = http
            .get(&url)
            .bearer_auth(&first_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(own.len(), 2);
        assert!(own.iter().all(|i| i.agent_id == first.agent.id));
        let theirs: Vec<StoredInquiry> = http
            .get(server.url(&format!("/agents/{}/inquiries", second.agent.id)))
            .bearer_auth(&second_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(theirs.len(), 1);
    }
}

#[tokio::test]
async fn a_client_sending_too_many_inquiries_is_told_when_to_retry() {
    for db in back_ends("rate").await {
        eprintln!("back end: {db}");
        let limit = RateLimit {
            per_minute: 6.0,
            burst: 3.0,
        };
        let server = start(&settings(&db, limit), 0);
        let http = yunzhan_client::http_client().unwrap();
        let url = server.url("/inquiries");
        for key in ["r1", "r2", "r3"] {
            let response =
                post_inquiry(&http, &url, Some(key), &inquiry("YZ-2023-00001", "你好")).await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
        let limited =
            post_inquiry(&http, &url, Some("r4"), &inquiry("YZ-2023-00001", "你好")).await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=10).contains(&retry_after), "{retry_after}");
        assert_eq!(server.state.db.inquiry_count().await.unwrap(), 3);
        // Reading is never rate limited.
        let halls = http.get(server.url("/halls")).send().await.unwrap();
        assert_eq!(halls.status(), StatusCode::OK);
        // Buckets idle long enough are forgotten (bounded storage): a
        // forgotten client starts with a full bucket again.
        let forgotten = server.state.db.forget_idle_clients(f64::MAX).await;
        assert_eq!(forgotten, Ok(1), "one client's bucket");
        let again = post_inquiry(&http, &url, Some("r5"), &inquiry("YZ-2023-00001", "你好")).await;
        assert_eq!(again.status(), StatusCode::CREATED);
    }
}

fn repo_file(path: &str) -> String {
    let path = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

#[test]
fn the_openapi_file_and_api_md_match_the_router() {
    let routes: BTreeSet<(String, String)> = yunzhan_server::api::routes()
        .into_iter()
        .map(|route| (route.method.as_str().to_lowercase(), route.path))
        .collect();
    let spec: Value = serde_json::from_str(&repo_file("docs/openapi.json")).unwrap();
    assert_eq!(spec["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let mut documented = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            documented.insert((method.clone(), path.clone()));
            if let Some(body) = operation.get("requestBody") {
                let example = &body["content"]["application/json"]["example"];
                assert!(
                    example.is_object(),
                    "{method} {path}: request body has no example"
                );
            }
        }
    }
    assert_eq!(
        documented, routes,
        "docs/openapi.json and the router disagree"
    );

    // The enums' wire names are the model's.
    fn names<T: serde::Serialize>(all: &[T]) -> Vec<Value> {
        all.iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect()
    }
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["Industry"]["enum"].as_array().unwrap(),
        &names(&Industry::ALL)
    );
    assert_eq!(
        schemas["ProjectKind"]["enum"].as_array().unwrap(),
        &names(&ProjectKind::ALL)
    );
    assert_eq!(
        schemas["CooperationMode"]["enum"].as_array().unwrap(),
        &names(&CooperationMode::ALL)
    );
    assert_eq!(
        schemas["AttentionEvent"]["enum"].as_array().unwrap(),
        &names(&yunzhan_model::attention::Event::ALL)
    );
    let hall_ids: Vec<Value> = yunzhan_model::HALLS
        .iter()
        .map(|hall| Value::from(hall.id))
        .collect();
    assert_eq!(schemas["HallId"]["enum"].as_array().unwrap(), &hall_ids);
    // The inquiry's limits are the model's (schemathesis checks the rest
    // against the running server: scripts/api-fuzz.sh).
    let fields = &schemas["Inquiry"]["properties"];
    use yunzhan_model::inquiry::limits;
    for (field, max) in [
        ("name", limits::NAME),
        ("organisation", limits::ORGANISATION),
        ("phone", limits::PHONE),
        ("email", limits::EMAIL),
        ("message", limits::MESSAGE),
    ] {
        assert_eq!(fields[field]["maxLength"], max, "{field}");
    }

    let api_md = repo_file("docs/api.md");
    for (method, path) in &routes {
        let heading = format!("`{} {path}`", method.to_uppercase());
        assert!(
            api_md.contains(&heading),
            "docs/api.md does not document {heading}"
        );
    }
}

#[tokio::test]
async fn metrics_readiness_and_every_error_in_the_documented_shape() {
    for db in back_ends("operations").await {
        eprintln!("back end: {db}");
        let server = start(&settings(&db, UNLIMITED), 0);
        let http = yunzhan_client::http_client().unwrap();
        let ready = http.get(server.url("/ready")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
        assert_eq!(ready.json::<Health>().await.unwrap().status, "ready");

        // A duplicated or malformed query parameter: JSON, not text/plain.
        for query in [
            "/search?q=a&q=b",
            "/search?limit=1&limit=2",
            "/halls/chengdu/booths?page=x",
        ] {
            let answer = http.get(server.url(query)).send().await.unwrap();
            assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{query}");
            assert!(
                content_type(&answer).starts_with("application/json"),
                "{query}"
            );
            let body: ErrorBody = answer.json().await.unwrap();
            assert!(
                ["bad_query", "bad_parameter"].contains(&body.code.as_str()),
                "{query}"
            );
            assert!(!body.message_zh.is_empty());
        }

        let created = post_inquiry(
            &http,
            &server.url("/inquiries"),
            Some("metrics-1"),
            &inquiry("YZ-2023-00001", "指标"),
        )
        .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let metrics = http
            .get(format!("{}/metrics", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(metrics.status(), StatusCode::OK);
        assert!(content_type(&metrics).starts_with("text/plain; version=0.0.4"));
        let text = metrics.text().await.unwrap();
        for expected in [
            r#"yunzhan_http_requests_total{method="GET",route="/api/v1/ready",status="200"} 1"#,
            r#"yunzhan_http_requests_total{method="GET",route="/api/v1/search",status="400"} 2"#,
            r#"yunzhan_http_request_duration_seconds_bucket{method="POST",route="/api/v1/inquiries",status="201",le="+Inf"} 1"#,
            "yunzhan_inquiries_stored_total 1",
            "yunzhan_database_errors_total 0",
            r#"yunzhan_catalog{catalog_version="2023-02-15-demo.1""#,
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
        assert!(!text.contains("指标") && !text.contains("wang@example.org"));
    }
}
