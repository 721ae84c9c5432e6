//! The real server on a loopback port, driven over HTTP: every endpoint,
//! pagination, ETag/304, validation, body limits, unknown projects, stored
//! text returned as plain text, agent tokens, rate limiting, and the
//! contract files kept in sync with the router.

use std::collections::BTreeSet;

use super::common::{UNLIMITED, scratch, settings, start};
use reqwest::StatusCode;
use serde_json::{Value, json};
use yunzhan_model::api::{
    BoothPage, CatalogInfo, ErrorBody, HallSummary, Health, InquiryReceipt, SearchResults,
};
use yunzhan_model::{Catalog, CooperationMode, EMBEDDED_CATALOG, Industry, Project, ProjectKind};
use yunzhan_server::db::{Db, StoredInquiry};
use yunzhan_server::rate::RateLimit;

async fn get_json<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: String) -> T {
    http.get(url).send().await.unwrap().json().await.unwrap()
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
    let dir = scratch("reads");
    let server = start(&settings(&dir, UNLIMITED), 0);
    let http = reqwest::Client::new();
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

#[tokio::test]
async fn conditional_gets_answer_304_until_the_catalog_changes() {
    let dir = scratch("etag");
    let server = start(&settings(&dir, UNLIMITED), 0);
    let http = reqwest::Client::new();
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

    // A new catalog (one project fewer) has a new ETag.
    let mut projects = catalog().projects().to_vec();
    projects.pop();
    let smaller = Catalog::from_projects("test-2", projects).catalog;
    let db = Db::open(&dir.join("yunzhan.db")).unwrap();
    db.replace_catalog(&smaller, |_| {}).unwrap();
    let (reloaded, etag) = db.load_catalog().unwrap().unwrap();
    assert_ne!(etag, info.etag);
    assert_eq!(reloaded.projects().len(), 5739);
}

#[tokio::test]
async fn inquiries_are_validated_stored_once_and_echoed_as_plain_text() {
    let dir = scratch("inquiries");
    let server = start(&settings(&dir, UNLIMITED), 0);
    let http = reqwest::Client::new();
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
    assert_eq!(replay.json::<InquiryReceipt>().await.unwrap(), receipt);
    assert_eq!(
        server.state.db.inquiry_count().unwrap(),
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
        server.state.db.inquiry_count().unwrap(),
        1,
        "nothing refused was stored"
    );

    // The agent reads the text back exactly, as JSON, never as HTML.
    let token = server
        .state
        .db
        .create_agent_token(&project.agent.id, "2026-11-25T00:00:00Z")
        .unwrap();
    let listed = http
        .get(server.url(&format!("/agents/{}/inquiries", project.agent.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert!(
        listed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(listed.headers()["x-content-type-options"], "nosniff");
    let stored: Vec<StoredInquiry> = listed.json().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].inquiry.message, script);
    assert_eq!(stored[0].inquiry.phone, "028-8888 6666");
}

#[tokio::test]
async fn an_agent_reads_only_their_own_inquiries_with_their_token() {
    let dir = scratch("agents");
    let server = start(&settings(&dir, UNLIMITED), 0);
    let http = reqwest::Client::new();
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
    let first_token = db.create_agent_token(&first.agent.id, "t").unwrap();
    let second_token = db.create_agent_token(&second.agent.id, "t").unwrap();
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

#[tokio::test]
async fn a_client_sending_too_many_inquiries_is_told_when_to_retry() {
    let dir = scratch("rate");
    let limit = RateLimit {
        per_minute: 6.0,
        burst: 3.0,
    };
    let server = start(&settings(&dir, limit), 0);
    let http = reqwest::Client::new();
    let url = server.url("/inquiries");
    for key in ["r1", "r2", "r3"] {
        let response =
            post_inquiry(&http, &url, Some(key), &inquiry("YZ-2023-00001", "你好")).await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let limited = post_inquiry(&http, &url, Some("r4"), &inquiry("YZ-2023-00001", "你好")).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(server.state.db.inquiry_count().unwrap(), 3);
    // Reading is never rate limited.
    let halls = http.get(server.url("/halls")).send().await.unwrap();
    assert_eq!(halls.status(), StatusCode::OK);
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

    let api_md = repo_file("docs/api.md");
    for (method, path) in &routes {
        let heading = format!("`{} {path}`", method.to_uppercase());
        assert!(
            api_md.contains(&heading),
            "docs/api.md does not document {heading}"
        );
    }
}
