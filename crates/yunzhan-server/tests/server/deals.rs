//! The deal pipeline, the visitor's thread and the workspace, against the
//! real server on each back end: a deal from inquiry to 合作意向 with its
//! history, the visitor's replies, live updates across replicas, and every
//! rule of who may see and do what.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use yunzhan_model::api::{Author, ErrorBody, InquiryReceipt, Thread, ThreadMessage};
use yunzhan_model::deal::Stage;
use yunzhan_server::db::{DbTarget, Role};
use yunzhan_server::rate::RateLimit;

use super::common::{TestServer, UNLIMITED, back_ends, settings, start, until};
use super::processes::{BALANCER, Nginx, Replica, nginx_binary};

/// The first project of the embedded catalog and its agent, and a project
/// of another agent.
pub(super) fn two_agents_projects(server: &TestServer) -> ((String, String), (String, String)) {
    let served = server.state.served();
    let projects = served.catalog.projects();
    let first = &projects[0];
    let other = projects
        .iter()
        .find(|project| project.agent.id != first.agent.id)
        .unwrap();
    (
        (first.platform_no.clone(), first.agent.id.clone()),
        (other.platform_no.clone(), other.agent.id.clone()),
    )
}

pub(super) async fn submit(
    server: &TestServer,
    platform_no: &str,
    message: &str,
) -> InquiryReceipt {
    let answer = yunzhan_client::http_client()
        .unwrap()
        .post(server.url("/inquiries"))
        // The same inquiry gets the same key (a replay), another a new one.
        .header(
            "idempotency-key",
            format!("{platform_no}-{}", sha2_hex(message)),
        )
        .json(&json!({
            "platform_no": platform_no,
            "name": "王小明",
            "phone": "13800000000",
            "email": "wang@example.org",
            "intent": "joint_development",
            "message": message,
        }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{}", answer.status());
    answer.json().await.unwrap()
}

fn sha2_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

async fn token(server: &TestServer, role: Role, subject: &str) -> String {
    server
        .state
        .db
        .create_token(role, subject, "2026-11-30T00:00:00Z")
        .await
        .unwrap()
}

/// A browser of the workspace: its cookies, and forms posted as a browser
/// posts them (with an `Origin`).
pub(super) struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    pub(super) fn new(server: &TestServer) -> Browser {
        Browser {
            http: yunzhan_client::http_builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: server.base.clone(),
        }
    }

    pub(super) async fn sign_in(server: &TestServer, role: Role, subject: &str) -> Browser {
        let browser = Browser::new(server);
        let token = token(server, role, subject).await;
        let answer = browser.post("/agent/sign-in", &[("token", &token)]).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let cookie = answer.headers()["set-cookie"].to_str().unwrap().to_string();
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        browser
    }

    pub(super) async fn get(&self, path: &str) -> (StatusCode, String) {
        let answer = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (answer.status(), answer.text().await.unwrap())
    }

    /// A file as the browser downloads it: status, content type, bytes.
    pub(super) async fn download(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let answer = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let content_type = answer
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            answer.status(),
            content_type,
            answer.bytes().await.unwrap().to_vec(),
        )
    }

    pub(super) async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token the workspace's forms carry.
    async fn csrf(&self) -> String {
        let (_, page) = self.get("/agent/").await;
        let start = page
            .find(r#"name="csrf" value=""#)
            .expect("a form with a CSRF token")
            + r#"name="csrf" value=""#.len();
        page[start..start + page[start..].find('"').unwrap()].to_string()
    }

    /// Posts a form with this session's CSRF token.
    pub(super) async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf().await;
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(path, &form).await
    }
}

async fn thread(server: &TestServer, id: i64, secret: &str) -> reqwest::Response {
    yunzhan_client::http_client()
        .unwrap()
        .get(server.url(&format!("/inquiries/{id}/thread")))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
}

async fn visitor_reply(
    server: &TestServer,
    id: i64,
    secret: &str,
    key: &str,
    body: &str,
) -> reqwest::Response {
    yunzhan_client::http_client()
        .unwrap()
        .post(server.url(&format!("/inquiries/{id}/messages")))
        .bearer_auth(secret)
        .header("idempotency-key", key)
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deal_goes_from_inquiry_to_intention_and_the_visitor_follows_it() {
    for db in back_ends("deal-pipeline").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let ((project, agent), _) = two_agents_projects(&server);
        let receipt = submit(&server, &project, "我们想合作开发 <b>加粗</b>").await;
        let secret = receipt
            .thread_secret
            .clone()
            .expect("the receipt opens the thread");
        let id = receipt.id;

        let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
        let (status, inbox) = workspace.get("/agent/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(inbox.contains(&format!("/agent/inquiries/{id}")), "{db:?}");
        assert!(inbox.contains("待回复"), "awaiting a reply");
        let (_, page) = workspace.get(&format!("/agent/inquiries/{id}")).await;
        assert!(page.contains("13800000000") && page.contains("wang@example.org"));
        assert!(
            page.contains("&lt;b&gt;加粗&lt;/b&gt;") && !page.contains("<b>加粗"),
            "message text is shown as text"
        );

        let replied = workspace
            .submit(
                &format!("/agent/inquiries/{id}/reply"),
                &[("body", "您好，可以约个时间详谈。")],
            )
            .await;
        assert_eq!(replied.status(), StatusCode::SEE_OTHER);
        let moved = workspace
            .submit(
                &format!("/agent/inquiries/{id}/stage"),
                &[
                    ("to", "intention"),
                    ("amount_wan", "350"),
                    ("parties", "成都示例公司\n四川大学"),
                    ("note", "现场洽谈"),
                ],
            )
            .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER);

        let seen: Thread = thread(&server, id, &secret).await.json().await.unwrap();
        assert_eq!(seen.stage, Stage::Intention);
        assert_eq!(seen.agent_updates, 2, "one reply and one stage change");
        let authors: Vec<Author> = seen.messages.iter().map(|m| m.author).collect();
        assert_eq!(authors, [Author::Visitor, Author::Agent]);
        assert_eq!(seen.messages[1].body, "您好，可以约个时间详谈。");

        // The visitor answers once, though their outbox sends it twice.
        let first = visitor_reply(&server, id, &secret, "reply-1", "好的，周三可以。").await;
        assert_eq!(first.status(), StatusCode::CREATED);
        let again = visitor_reply(&server, id, &secret, "reply-1", "好的，周三可以。").await;
        assert_eq!(again.status(), StatusCode::OK);
        let other = visitor_reply(&server, id, &secret, "reply-1", "改成周四").await;
        assert_eq!(other.status(), StatusCode::CONFLICT);
        let seen: Thread = thread(&server, id, &secret).await.json().await.unwrap();
        assert_eq!(seen.messages.len(), 3);
        let (_, inbox) = workspace.get("/agent/").await;
        assert!(
            inbox.contains("待回复"),
            "the visitor's answer awaits a reply again"
        );

        // A correction is a new entry: the history is never rewritten.
        let corrected = workspace
            .submit(
                &format!("/agent/inquiries/{id}/stage"),
                &[("to", "negotiating"), ("note", "金额未最终确定，退回洽谈")],
            )
            .await;
        assert_eq!(corrected.status(), StatusCode::SEE_OTHER);
        let file = server.state.db.inquiry_file(id).await.unwrap().unwrap();
        let steps: Vec<(String, String)> = file
            .history
            .iter()
            .map(|event| (event.from.clone(), event.to.clone()))
            .collect();
        assert_eq!(
            steps,
            [
                ("new".to_string(), "intention".to_string()),
                ("intention".to_string(), "negotiating".to_string())
            ]
        );
        let first_change = file.history[0].change.clone().unwrap();
        assert_eq!(first_change.amount_wan, Some(350.0));
        assert_eq!(first_change.parties, ["成都示例公司", "四川大学"]);
        assert_eq!(file.history[0].actor, agent);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_stage_changes_name_their_fields_and_keep_nothing() {
    let db = DbTarget::Sqlite(super::common::scratch("deal-refused").join("yunzhan.db"));
    let server = start(&settings(&db, UNLIMITED), 0);
    let ((project, agent), _) = two_agents_projects(&server);
    let id = submit(&server, &project, "询价").await.id;
    let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
    let path = format!("/agent/inquiries/{id}/stage");
    for (fields, named) in [
        (vec![("to", "intention")], "金额"),
        (
            vec![("to", "signed"), ("amount_wan", "十万"), ("parties", "甲")],
            "不是数字",
        ),
        (vec![("to", "closed")], "关闭原因"),
        (vec![("to", "closed"), ("reason", "other")], "备注"),
    ] {
        let answer = workspace.submit(&path, &fields).await;
        assert_eq!(
            answer.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        let page = answer.text().await.unwrap();
        assert!(page.contains(named), "{fields:?} should name {named}");
    }
    let empty = workspace
        .submit(&format!("/agent/inquiries/{id}/reply"), &[("body", "  ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let file = server.state.db.inquiry_file(id).await.unwrap().unwrap();
    assert!(file.history.is_empty() && file.messages.len() == 1);
    assert_eq!(file.row.stage, Stage::New);
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_see_only_their_inquiries_and_organisers_only_stages() {
    for db in back_ends("deal-roles").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let ((mine, agent), (theirs, other_agent)) = two_agents_projects(&server);
        let my_inquiry = submit(&server, &mine, "我的询单正文").await;
        let their_inquiry = submit(&server, &theirs, "别人的询单正文").await;

        let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
        let (_, inbox) = workspace.get("/agent/").await;
        assert!(!inbox.contains(&format!("/agent/inquiries/{}\"", their_inquiry.id)));
        let (hidden, hidden_page) = workspace
            .get(&format!("/agent/inquiries/{}", their_inquiry.id))
            .await;
        let (missing, missing_page) = workspace.get("/agent/inquiries/999999").await;
        assert_eq!(
            (hidden, missing),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
        );
        assert_eq!(
            hidden_page, missing_page,
            "another's inquiry looks like none"
        );
        assert!(!hidden_page.contains("别人的询单正文"));
        let foreign = workspace
            .submit(
                &format!("/agent/inquiries/{}/reply", their_inquiry.id),
                &[("body", "插话")],
            )
            .await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
        let settings_form = workspace
            .submit("/agent/settings", &[("overdue_hours", "1")])
            .await;
        assert_eq!(
            settings_form.status(),
            StatusCode::FORBIDDEN,
            "agents cannot set the threshold"
        );

        // The organiser sees every stage but no message text or contact.
        let organiser = Browser::sign_in(&server, Role::Organiser, "会务组").await;
        let (_, all) = organiser.get("/agent/").await;
        for receipt in [&my_inquiry, &their_inquiry] {
            assert!(all.contains(&format!("/agent/inquiries/{}\"", receipt.id)));
        }
        let (status, page) = organiser
            .get(&format!("/agent/inquiries/{}", my_inquiry.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        for private in ["我的询单正文", "13800000000", "wang@example.org", "王小明"] {
            assert!(
                !page.contains(private),
                "the organiser's page shows {private}"
            );
        }
        let organiser_reply = organiser
            .submit(
                &format!("/agent/inquiries/{}/reply", my_inquiry.id),
                &[("body", "组织方回复")],
            )
            .await;
        assert_eq!(organiser_reply.status(), StatusCode::FORBIDDEN);

        // Reassigned while the agent is away: the deputy has it, they do not.
        let moved = organiser
            .submit(
                &format!("/agent/inquiries/{}/assign", my_inquiry.id),
                &[("agent", &other_agent)],
            )
            .await;
        assert_eq!(moved.status(), StatusCode::SEE_OTHER);
        let (gone, _) = workspace
            .get(&format!("/agent/inquiries/{}", my_inquiry.id))
            .await;
        assert_eq!(gone, StatusCode::NOT_FOUND);
        let deputy = Browser::sign_in(&server, Role::Agent, &other_agent).await;
        let (status, page) = deputy
            .get(&format!("/agent/inquiries/{}", my_inquiry.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("我的询单正文"));
        let unknown = organiser
            .submit(
                &format!("/agent/inquiries/{}/assign", my_inquiry.id),
                &[("agent", "KF-NOBODY")],
            )
            .await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The threshold is the organiser's to set; agents' inboxes follow it.
        let set = organiser
            .submit("/agent/settings", &[("overdue_hours", "12")])
            .await;
        assert_eq!(set.status(), StatusCode::SEE_OTHER);
        assert_eq!(server.state.db.overdue_hours().await.unwrap(), 12.0);
        let (_, inbox) = deputy.get("/agent/").await;
        assert!(inbox.contains("超过 12 小时"), "{inbox}");
        let refused = organiser
            .submit("/agent/settings", &[("overdue_hours", "0")])
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_without_the_session_token_or_from_elsewhere_change_nothing() {
    let db = DbTarget::Sqlite(super::common::scratch("deal-csrf").join("yunzhan.db"));
    let server = start(&settings(&db, UNLIMITED), 0);
    let ((project, agent), _) = two_agents_projects(&server);
    let id = submit(&server, &project, "询价").await.id;
    let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
    let path = format!("/agent/inquiries/{id}/reply");

    let forged = workspace
        .post(&path, &[("csrf", "0000"), ("body", "伪造")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let csrf = workspace.csrf().await;
    let cross_site = workspace
        .http
        .post(format!("{}{path}", workspace.base))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("body", "跨站")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    // Another session's token is no good either.
    let other = Browser::sign_in(&server, Role::Agent, &agent).await;
    let mixed = other
        .post(&path, &[("csrf", &csrf), ("body", "串号")])
        .await;
    assert_eq!(mixed.status(), StatusCode::FORBIDDEN);
    let file = server.state.db.inquiry_file(id).await.unwrap().unwrap();
    assert_eq!(file.messages.len(), 1, "nothing was stored");

    // No session at all: the sign-in page, 401.
    let stranger = Browser::new(&server);
    let (status, page) = stranger.get(&format!("/agent/inquiries/{id}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains(r#"name="token""#) && !page.contains("询价"));
    let wrong = stranger
        .post("/agent/sign-in", &[("token", "not-a-token")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_expire_and_signing_out_ends_them() {
    let db = DbTarget::Sqlite(super::common::scratch("deal-session").join("yunzhan.db"));
    let mut short = settings(&db, UNLIMITED);
    short.workspace.session_lifetime = Duration::from_secs(2);
    let server = start(&short, 0);
    let ((_, agent), _) = two_agents_projects(&server);
    let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
    assert_eq!(workspace.get("/agent/").await.0, StatusCode::OK);
    // The page's event stream notices first: refused, the cookie kept...
    let events = format!("{}/agent/events", server.base);
    until(10, "the session expires", || async {
        let answer = workspace.http.get(&events).send().await.unwrap();
        answer.status() == StatusCode::UNAUTHORIZED && answer.headers().get("set-cookie").is_none()
    })
    .await;
    // ... so the next page the visitor loads says why they must sign in.
    let (status, page) = workspace.get("/agent/inquiries/1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("登录已过期"), "{page}");

    let server = start(&settings(&db, UNLIMITED), 0);
    let workspace = Browser::sign_in(&server, Role::Agent, &agent).await;
    let old_csrf = workspace.csrf().await;
    let out = workspace.submit("/agent/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, _) = workspace.get("/agent/inquiries/1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The old session's form token is dead too.
    let stale = workspace
        .post("/agent/settings", &[("csrf", &old_csrf)])
        .await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_opens_only_their_own_thread_and_secrets_are_kept_as_digests() {
    for db in back_ends("deal-secrets").await {
        let server = start(&settings(&db, UNLIMITED), 0);
        let ((project, _), (other, _)) = two_agents_projects(&server);
        let mine = submit(&server, &project, "一").await;
        let theirs = submit(&server, &other, "二").await;
        let secret = mine.thread_secret.clone().unwrap();

        let wrong_secret = thread(&server, mine.id, "0123456789").await;
        let other_thread = thread(&server, theirs.id, &secret).await;
        let no_inquiry = thread(&server, 424242, &secret).await;
        let mut bodies = Vec::new();
        for answer in [wrong_secret, other_thread, no_inquiry] {
            assert_eq!(answer.status(), StatusCode::NOT_FOUND);
            bodies.push(answer.json::<ErrorBody>().await.unwrap());
        }
        assert!(
            bodies
                .iter()
                .all(|body| *body == bodies[0] && body.code == "no_thread")
        );
        let stranger = visitor_reply(&server, theirs.id, &secret, "x", "你好").await;
        assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
        // No secret at all is 401, for any id: it says what to send and
        // reveals nothing about the inquiry.
        let client = yunzhan_client::http_client().unwrap();
        for id in [mine.id, 424242] {
            let url = |path: &str| server.url(&format!("/inquiries/{id}/{path}"));
            let read = client.get(url("thread")).send().await.unwrap();
            let write = client
                .post(url("messages"))
                .header("idempotency-key", "k")
                .json(&json!({ "body": "你好" }))
                .send()
                .await
                .unwrap();
            for answer in [read, write] {
                assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "inquiry {id}");
                assert_eq!(answer.headers()["www-authenticate"], "Bearer");
                let body = answer.json::<ErrorBody>().await.unwrap();
                assert_eq!(body.code, "thread_secret_required");
            }
        }
        let page = yunzhan_client::http_client()
            .unwrap()
            .get(format!("{}/thread/{}/{}", server.base, theirs.id, secret))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);

        // A replayed receipt brings a second key; both open the thread.
        let replay = submit(&server, &project, "一").await;
        let second = replay.thread_secret.unwrap();
        assert_ne!(second, secret);
        for key in [&secret, &second] {
            assert_eq!(thread(&server, mine.id, key).await.status(), StatusCode::OK);
        }

        // Only digests are stored.
        sqlx::any::install_default_drivers();
        let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url())
            .await
            .unwrap();
        let stored: Vec<String> = sqlx::query_scalar("SELECT secret_sha256 FROM thread_secrets")
            .fetch_all(&mut connection)
            .await
            .unwrap();
        assert_eq!(stored.len(), 3);
        assert!(!stored.contains(&secret) && !stored.contains(&second));
        let sessions: Vec<String> = sqlx::query_scalar("SELECT id_sha256 FROM sessions")
            .fetch_all(&mut connection)
            .await
            .unwrap();
        assert!(sessions.iter().all(|id| id.len() == 64));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn visitor_replies_are_rate_limited_and_checked() {
    let db = DbTarget::Sqlite(super::common::scratch("deal-limits").join("yunzhan.db"));
    let server = start(
        &settings(
            &db,
            RateLimit {
                per_minute: 1.0,
                burst: 3.0,
            },
        ),
        0,
    );
    let ((project, _), _) = two_agents_projects(&server);
    let receipt = submit(&server, &project, "询价").await;
    let secret = receipt.thread_secret.unwrap();
    let empty = visitor_reply(&server, receipt.id, &secret, "e", "   ").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.json::<ErrorBody>().await.unwrap().fields[0].field,
        "body"
    );
    let mut statuses = Vec::new();
    for n in 0..4 {
        statuses.push(
            visitor_reply(&server, receipt.id, &secret, &format!("k{n}"), "再问一句")
                .await
                .status(),
        );
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

/// Reads server-sent events until one named `name` arrives.
async fn next_event<B: AsRef<[u8]>>(
    events: &mut (impl futures_util::Stream<Item = reqwest::Result<B>> + Unpin),
    buffer: &mut String,
    name: &str,
) {
    let wanted = format!("event: {name}\n");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !buffer.contains(&wanted) {
        let chunk = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("no {name} event within 2 s"))
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(chunk.as_ref()));
    }
    let end = buffer.find(&wanted).unwrap() + wanted.len();
    buffer.drain(..end);
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_and_stages_reach_pages_on_another_replica_within_two_seconds() {
    for db in back_ends("deal-live").await {
        let first = start(&settings(&db, UNLIMITED), 0);
        let second = start(&settings(&db, UNLIMITED), 0);
        let ((project, agent), _) = two_agents_projects(&first);
        let receipt = submit(&first, &project, "询价").await;
        let secret = receipt.thread_secret.unwrap();
        let id = receipt.id;

        // The visitor's page listens on the first replica ...
        let mut visitor_events = yunzhan_client::http_builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
            .get(first.url(&format!("/inquiries/{id}/events?secret={secret}")))
            .send()
            .await
            .unwrap()
            .bytes_stream();
        let mut visitor_buffer = String::new();
        next_event(&mut visitor_events, &mut visitor_buffer, "ready").await;
        // ... and the agent's on the second.
        let workspace = Browser::sign_in(&second, Role::Agent, &agent).await;
        let mut agent_events = workspace
            .http
            .get(format!("{}/agent/events", second.base))
            .send()
            .await
            .unwrap()
            .bytes_stream();
        let mut agent_buffer = String::new();
        next_event(&mut agent_events, &mut agent_buffer, "ready").await;

        let replied = workspace
            .submit(&format!("/agent/inquiries/{id}/reply"), &[("body", "您好")])
            .await;
        assert_eq!(replied.status(), StatusCode::SEE_OTHER);
        next_event(&mut visitor_events, &mut visitor_buffer, "changed").await;
        let thread: Thread = thread(&first, id, &secret).await.json().await.unwrap();
        assert_eq!(thread.messages.last().unwrap().body, "您好");

        let answered = visitor_reply(&first, id, &secret, "live-1", "收到").await;
        assert_eq!(answered.status(), StatusCode::CREATED);
        let message: ThreadMessage = answered.json().await.unwrap();
        assert_eq!(message.author, Author::Visitor);
        next_event(&mut agent_events, &mut agent_buffer, "changed").await;
    }
}

/// Two `serve` processes on one PostgreSQL behind nginx: an event stream
/// opened through nginx hears of replies sent through nginx, whichever
/// replica took each (round robin sends the two replies to both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_pass_through_nginx_across_replicas() {
    let Some(db) = super::common::fresh_postgres("live-nginx").await else {
        return;
    };
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let dir = super::common::scratch("live-nginx");
    let replicas = [
        Replica::start(&db, &dir, &[]),
        Replica::start(&db, &dir, &[]),
    ];
    let balancer = Nginx::start(&nginx, &[replicas[0].port, replicas[1].port], BALANCER);
    let http = yunzhan_client::http_client().unwrap();
    let receipt: InquiryReceipt = http
        .post(format!("{}/api/v1/inquiries", balancer.base()))
        .header("idempotency-key", "live-nginx")
        .json(&json!({
            "platform_no": "YZ-2023-00001",
            "name": "王小明",
            "email": "wang@example.org",
            "intent": "consulting",
            "message": "经 nginx 询价",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = receipt.thread_secret.unwrap();
    let id = receipt.id;
    let mut events = yunzhan_client::http_builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .get(format!(
            "{}/api/v1/inquiries/{id}/events?secret={secret}",
            balancer.base()
        ))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    let mut buffer = String::new();
    next_event(&mut events, &mut buffer, "ready").await;
    for n in 0..2 {
        let answer = http
            .post(format!(
                "{}/api/v1/inquiries/{id}/messages",
                balancer.base()
            ))
            .bearer_auth(&secret)
            .header("idempotency-key", format!("nginx-reply-{n}"))
            .json(&json!({ "body": format!("第 {n} 条") }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
        next_event(&mut events, &mut buffer, "changed").await;
    }
}
