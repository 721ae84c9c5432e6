//! The `yunzhan-server` binary itself: `serve` answers, a browser origin may
//! call it (CORS), it serves a built web app with its precompressed files,
//! its log holds no personal data, and SIGTERM stops it cleanly; `import`
//! reports bad records and keeps the good ones.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common::scratch;

const SERVER: &str = env!("CARGO_BIN_EXE_yunzhan-server");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server process, killed if the test fails before stopping it.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `yunzhan-server serve` and waits (up to 20 s) until it answers.
fn serve(args: &[&str], port: u16) -> Running {
    let child = Command::new(SERVER)
        .arg("serve")
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let running = Running(Some(child));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    running
}

/// Sends SIGTERM and returns the exit status and everything it logged.
fn terminate(mut running: Running) -> (std::process::ExitStatus, String) {
    let mut child = running.0.take().unwrap();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    (status, log)
}

/// A content-hashed file of the web app: its type, the precompressed file
/// for `encoding`, and a year in the browser's cache.
async fn expect_hashed_file(
    http: &reqwest::Client,
    url: &str,
    content_type: &str,
    encoding: &str,
    body: &[u8],
) {
    let answer = http
        .get(url)
        .header("Accept-Encoding", encoding)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{url}");
    assert_eq!(answer.headers()["content-type"], content_type, "{url}");
    assert_eq!(answer.headers()["content-encoding"], encoding, "{url}");
    assert_eq!(
        answer.headers()["cache-control"],
        "public, max-age=31536000, immutable",
        "{url}"
    );
    assert_eq!(answer.bytes().await.unwrap().as_ref(), body, "{url}");
}

#[tokio::test]
async fn serves_the_api_and_the_web_app_logs_no_personal_data_and_stops_on_sigterm() {
    let dir = scratch("binary");
    let web = dir.join("dist");
    std::fs::create_dir_all(&web).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>云展</title>").unwrap();
    std::fs::write(web.join("app.js"), "console.log('plain');").unwrap();
    std::fs::write(web.join("app.js.gz"), b"gzip bytes").unwrap();
    let wasm = "yunzhan_bg.0123456789abcdef.wasm";
    std::fs::write(web.join(wasm), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(web.join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    let font = "NotoSansSC-Yunzhan.0123456789abcdef.otf";
    std::fs::write(web.join(font), b"OTTO").unwrap();
    std::fs::write(web.join(format!("{font}.gz")), b"gzip font").unwrap();
    let port = free_port();
    let db = dir.join("yunzhan.db");
    let child = serve(
        &[
            "--db",
            db.to_str().unwrap(),
            "--web",
            web.to_str().unwrap(),
            "--cors-origin",
            "https://expo.example.org",
        ],
        port,
    );
    let base = format!("http://127.0.0.1:{port}");
    // No idle keep-alive connections, so the stop below is not held up by
    // this test's own client.
    let http = yunzhan_client::http_builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();

    let index = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    assert!(index.text().await.unwrap().contains("云展"));
    // The app's content-hashed wasm: its MIME type (browsers compile
    // streaming only from application/wasm), brotli, kept for a year; the
    // CJK font the page downloads beside it likewise, gzip.
    expect_hashed_file(
        &http,
        &format!("{base}/{wasm}"),
        "application/wasm",
        "br",
        b"brotli bytes",
    )
    .await;
    expect_hashed_file(
        &http,
        &format!("{base}/{font}"),
        "font/otf",
        "gzip",
        b"gzip font",
    )
    .await;
    // The text view comes with the server, from its catalog.
    let text = http.get(format!("{base}/text/")).send().await.unwrap();
    assert_eq!(text.status(), 200);
    assert_eq!(text.headers()["content-type"], "text/html; charset=utf-8");
    assert!(text.text().await.unwrap().contains("halls/chengdu.html"));
    let compressed = http
        .get(format!("{base}/app.js"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");

    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}/api/v1/inquiries"))
        .header("Origin", "https://expo.example.org")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://expo.example.org"
    );
    // Another origin is not allowed: the header names only the venue's.
    let elsewhere = http
        .get(format!("{base}/api/v1/halls"))
        .header("Origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_ne!(
        elsewhere
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"https://evil.example.com"[..])
    );

    let personal = [
        "隐私测试姓名",
        "13912345678",
        "privacy-probe@example.org",
        "隐私留言内容",
    ];
    let sent = http
        .post(format!("{base}/api/v1/inquiries"))
        .header("Idempotency-Key", "privacy-1")
        .json(&serde_json::json!({
            "platform_no": "YZ-2023-00002",
            "name": personal[0],
            "phone": personal[1],
            "email": personal[2],
            "intent": "consulting",
            "message": personal[3],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    // The thread: the secret (in a path and a query) and a reply's text.
    let receipt: yunzhan_model::api::InquiryReceipt = sent.json().await.unwrap();
    let secret = receipt.thread_secret.unwrap();
    let id = receipt.id;
    let reply = http
        .post(format!("{base}/api/v1/inquiries/{id}/messages"))
        .bearer_auth(&secret)
        .header("Idempotency-Key", "privacy-reply")
        .json(&serde_json::json!({ "body": "隐私回复内容" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    for path in [
        format!("/thread/{id}/{secret}"),
        format!("/api/v1/inquiries/{id}/thread?secret={secret}"),
    ] {
        http.get(format!("{base}{path}")).send().await.unwrap();
    }

    // Attention counts: the client's address is neither logged nor kept.
    let counted = http
        .post(format!("{base}/api/v1/counts"))
        .header("X-Forwarded-For", "203.0.113.77")
        .json(&serde_json::json!({ "batch": "privacy-batch-1", "counts": [
            { "platform_no": "YZ-2023-00002", "event": "card_open", "n": 1 }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(counted.status(), 202);

    let stopping = Instant::now();
    let (status, log) = terminate(child);
    assert!(
        stopping.elapsed() < Duration::from_secs(9),
        "stopped without waiting out the grace period"
    );
    assert!(
        status.success(),
        "SIGTERM is a clean stop: {status:?}\n{log}"
    );
    assert!(log.contains("inquiry stored"), "{log}");
    assert!(log.contains("message stored"), "{log}");
    assert!(
        log.contains("/thread/{id}/{secret}"),
        "the route, not the path: {log}"
    );
    assert!(log.contains("stopped"), "{log}");
    assert!(log.contains("/api/v1/counts"), "{log}");
    let mut private = personal.to_vec();
    private.extend(["隐私回复内容", secret.as_str(), "203.0.113.77"]);
    for value in private {
        assert!(
            !log.contains(value),
            "the log holds personal data {value:?}:\n{log}"
        );
    }
}

#[tokio::test]
async fn import_reports_bad_records_and_keeps_the_good_ones() {
    let dir = scratch("import");
    let file = dir.join("catalog.json");
    let good = yunzhan_model::Catalog::load(yunzhan_model::EMBEDDED_CATALOG)
        .unwrap()
        .catalog;
    let mut json: serde_json::Value = serde_json::from_str(&good.to_json()).unwrap();
    let projects = json["projects"].as_array_mut().unwrap();
    projects.truncate(3);
    projects[1]["hall"] = "atlantis".into();
    std::fs::write(&file, json.to_string()).unwrap();
    let db = dir.join("yunzhan.db");

    let output = Command::new(SERVER)
        .args([
            "import",
            file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "bad records make exit 1");
    assert!(stdout.contains("record #1"), "{stdout}");
    assert!(stdout.contains("hall"), "{stdout}");
    assert!(
        stdout.contains("2 projects accepted, 1 rejected"),
        "{stdout}"
    );
    assert!(
        stderr.contains("2/2"),
        "the progress bar reaches the end: {stderr}"
    );
    let (catalog, _) =
        yunzhan_server::db::Db::open(&yunzhan_server::db::DbTarget::Sqlite(db.clone()))
            .await
            .unwrap()
            .load_catalog()
            .await
            .unwrap()
            .unwrap();
    assert_eq!(catalog.projects().len(), 2);

    // The organisers' spreadsheet: a row with an unknown hall is named by
    // its row and column; the good rows replace the catalog.
    let mut table = yunzhan_sheet::catalog::catalog_table(&good);
    table.rows.truncate(4);
    table.rows[2][4] = yunzhan_sheet::Cell::from("亚特兰蒂斯");
    let sheet = dir.join("项目表.xlsx");
    std::fs::write(&sheet, yunzhan_sheet::workbook(&[table]).unwrap()).unwrap();
    let output = Command::new(SERVER)
        .args([
            "import",
            sheet.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("row 4 (YZ-2023-00003): column 展馆 (hall)")
            && stdout.contains("3 projects accepted, 1 rejected"),
        "{stdout}"
    );

    let missing = Command::new(SERVER)
        .args([
            "import",
            dir.join("nope.json").to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_without_personal_data() {
    let dir = scratch("json-logs");
    let port = free_port();
    let db = dir.join("yunzhan.db");
    let child = serve(
        &["--db", db.to_str().unwrap(), "--log-format", "json"],
        port,
    );
    let http = yunzhan_client::http_builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let stored = http
        .post(format!("http://127.0.0.1:{port}/api/v1/inquiries"))
        .header("Idempotency-Key", "json-1")
        .json(&serde_json::json!({
            "platform_no": "YZ-2023-00001", "name": "李秘密", "phone": "13912345678",
            "email": "secret@example.org", "intent": "consulting", "message": "不应出现在日志里"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 201);
    let (status, log) = terminate(child);
    assert!(status.success());
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|event| event["fields"]["message"] == "inquiry stored"),
        "{log}"
    );
    for secret in ["李秘密", "13912345678", "secret@example.org", "不应出现"] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}
