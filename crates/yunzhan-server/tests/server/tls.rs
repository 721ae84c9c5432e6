//! HTTPS: the app's client reaches a platform behind TLS (nginx terminating
//! it, with a certificate authority made by the test), trusts that
//! authority only when told to, and sends inquiries over it.

use std::path::Path;
use std::process::Command;

use yunzhan_client::{ApiClient, ClientError, SubmitOutcome};
use yunzhan_model::CooperationMode;
use yunzhan_model::inquiry::Inquiry;
use yunzhan_server::db::DbTarget;

use super::common::{UNLIMITED, scratch, settings, start};
use super::processes::{Nginx, nginx_binary};

/// Makes a CA and a certificate it signs for 127.0.0.1 and localhost.
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is installed");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Yunzhan test venue CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
}

#[tokio::test]
async fn the_client_speaks_https_and_trusts_an_extra_ca_only_when_told() {
    let Some(nginx) = nginx_binary() else {
        return;
    };
    let dir = scratch("tls");
    make_certificates(&dir);
    let server = start(
        &settings(&DbTarget::Sqlite(dir.join("yunzhan.db")), UNLIMITED),
        0,
    );
    let tls = format!(
        "  server {{
    listen 127.0.0.1:{{port}} ssl;
    ssl_certificate {dir}/server.pem;
    ssl_certificate_key {dir}/server.key;
    location / {{ proxy_pass http://replicas; }}
  }}",
        dir = dir.display()
    );
    let balancer = Nginx::start(&nginx, &[server.port], &tls);
    let base = format!("https://127.0.0.1:{}", balancer.port);

    // The system's store alone does not know the venue's CA.
    let untrusting = ApiClient::new(&base);
    match untrusting.catalog_changed(None).await {
        Err(ClientError::Unreachable(why)) => {
            assert!(why.to_lowercase().contains("certificate"), "{why}");
        }
        other => panic!("an unknown CA must be refused, got {other:?}"),
    }

    // Told to trust it (what YUNZHAN_EXTRA_CA does), the client connects.
    let http = yunzhan_client::http_client_trusting(Some(&dir.join("ca.pem"))).unwrap();
    let client = ApiClient::with_http(&base, http);
    let info = client.catalog_changed(None).await.unwrap().unwrap();
    assert_eq!(info.projects, 5740);
    let inquiry = Inquiry {
        platform_no: "YZ-2023-00001".into(),
        name: "测试访客".into(),
        email: "visitor@example.org".into(),
        intent: Some(CooperationMode::Consulting),
        message: "经 HTTPS 发送".into(),
        ..Inquiry::default()
    };
    match client.submit("tls-1", &inquiry).await {
        SubmitOutcome::Accepted(receipt) => assert_eq!(receipt.platform_no, "YZ-2023-00001"),
        other => panic!("not accepted over HTTPS: {other:?}"),
    }
    assert_eq!(server.state.db.inquiry_count().await.unwrap(), 1);

    let missing = yunzhan_client::http_client_trusting(Some(&dir.join("nope.pem"))).unwrap_err();
    assert!(missing.to_string().contains("nope.pem"), "{missing}");
}
