//! The app's side of the platform API (docs/api.md): fetching the catalog
//! hall by hall, asking whether it changed (ETag), and the durable inquiry
//! outbox. No Bevy here, so tests drive it against the real server.

pub mod outbox;
pub mod store;

use std::time::Duration;

use reqwest::StatusCode;
use yunzhan_model::api::{
    self, BoothPage, CatalogInfo, ErrorBody, HallSummary, InquiryReceipt, Reply, Thread,
    ThreadMessage,
};
use yunzhan_model::attention::{CountBatch, Counted};
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::{Catalog, Project};

pub use outbox::{Delivery, Letter, Outbox, OutboxEntry, ThreadReply, new_key};
pub use store::Store;

/// Booths asked for per page while fetching a hall.
const PAGE_SIZE: usize = 100;

/// Why talking to the server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// No answer: the server is down or unreachable.
    Unreachable(String),
    /// An answer that is not what the API promises.
    Protocol(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Unreachable(why) => write!(f, "server unreachable: {why}"),
            ClientError::Protocol(why) => write!(f, "unexpected answer: {why}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// How far a catalog fetch has come: halls done out of all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchProgress {
    pub halls_done: usize,
    pub halls: usize,
    pub projects: usize,
}

/// A catalog fetched from the server, with the ETag it had.
#[derive(Debug, Clone)]
pub struct FetchedCatalog {
    pub catalog: Catalog,
    pub etag: String,
    /// Records the server sent that this app refused (should be none).
    pub refused: usize,
}

/// What the server said to one inquiry or reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome<T = InquiryReceipt> {
    /// Stored (201) or already stored under this key (200).
    Accepted(T),
    /// Refused for good (400, 404, 409, 413, 422): retrying cannot help.
    Rejected(ErrorBody),
    /// Not now (429, 5xx, no answer): retry, no sooner than the hint.
    RetryLater(Option<Duration>),
}

#[derive(Debug, Clone)]
pub struct ApiClient {
    http: Result<reqwest::Client, ClientError>,
    base: String,
}

fn unreachable(error: reqwest::Error) -> ClientError {
    // The chain holds the reason (e.g. which certificate was refused).
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    ClientError::Unreachable(reason)
}

/// The environment variable naming a PEM file of extra certificate
/// authorities to trust, besides the system's (a venue's own server).
pub const EXTRA_CA_ENV: &str = "YUNZHAN_EXTRA_CA";

/// The HTTP client every request shares. Natively it speaks `https://`
/// with rustls, trusting the system's certificate store plus the
/// authorities in [`EXTRA_CA_ENV`]; the error (an unreadable CA file) is
/// reported by every request, so the app shows it where it shows why the
/// platform is unreachable.
pub fn http_client() -> Result<reqwest::Client, ClientError> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, ClientError>> =
        std::sync::OnceLock::new();
    CLIENT.get_or_init(build_http_client).clone()
}

/// A client builder with this crate's TLS and timeouts, for a client of
/// one's own (tests, tools); without the extra authorities.
#[cfg(not(target_arch = "wasm32"))]
pub fn http_builder() -> reqwest::ClientBuilder {
    // Another part of the program may have chosen a provider already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
}

#[cfg(not(target_arch = "wasm32"))]
fn build_http_client() -> Result<reqwest::Client, ClientError> {
    let extra_ca = std::env::var_os(EXTRA_CA_ENV).map(std::path::PathBuf::from);
    http_client_trusting(extra_ca.as_deref())
}

/// A client trusting the system's store plus the CA certificates in the
/// PEM file `extra_ca`.
#[cfg(not(target_arch = "wasm32"))]
pub fn http_client_trusting(
    extra_ca: Option<&std::path::Path>,
) -> Result<reqwest::Client, ClientError> {
    let mut builder = http_builder();
    if let Some(path) = extra_ca {
        let refused = |why: String| {
            ClientError::Unreachable(format!(
                "extra CA file {}: {why}; give a PEM file of CA certificates",
                path.display()
            ))
        };
        let pem = std::fs::read(path).map_err(|error| refused(error.to_string()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|error| refused(error.to_string()))?;
        if certificates.is_empty() {
            return Err(refused("no certificate in it".into()));
        }
        builder = builder.tls_certs_merge(certificates);
    }
    builder
        .build()
        .map_err(|error| ClientError::Unreachable(format!("HTTPS is not available: {error}")))
}

#[cfg(target_arch = "wasm32")]
fn build_http_client() -> Result<reqwest::Client, ClientError> {
    // The browser does TLS and trusts what the system trusts.
    reqwest::Client::builder()
        .build()
        .map_err(|error| ClientError::Unreachable(error.to_string()))
}

/// The bytes at `url` (an exhibitor's booth files); the error says why not.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let http = http_client().map_err(|error| error.to_string())?;
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|error| unreachable(error).to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url}: HTTP {status}"));
    }
    response
        .bytes()
        .await
        .map(|bytes| bytes.to_vec())
        .map_err(|error| error.to_string())
}

impl ApiClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Self {
        ApiClient {
            http: http_client(),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// A client for `base` that sends its requests through `http`.
    pub fn with_http(base: &str, http: reqwest::Client) -> Self {
        ApiClient {
            http: Ok(http),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    fn http(&self) -> Result<&reqwest::Client, ClientError> {
        self.http.as_ref().map_err(Clone::clone)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.base, api::PREFIX)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self
            .http()?
            .get(self.url(path))
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClientError::Protocol(format!("GET {path}: HTTP {status}")));
        }
        response
            .json()
            .await
            .map_err(|error| ClientError::Protocol(format!("GET {path}: {error}")))
    }

    /// The server's catalog version, or `None` when it is still `etag`.
    pub async fn catalog_changed(
        &self,
        etag: Option<&str>,
    ) -> Result<Option<CatalogInfo>, ClientError> {
        let mut request = self.http()?.get(self.url("/catalog"));
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, format!("\"{etag}\""));
        }
        let response = request.send().await.map_err(unreachable)?;
        match response.status() {
            StatusCode::NOT_MODIFIED => Ok(None),
            status if status.is_success() => response
                .json()
                .await
                .map(Some)
                .map_err(|error| ClientError::Protocol(format!("GET /catalog: {error}"))),
            status => Err(ClientError::Protocol(format!(
                "GET /catalog: HTTP {status}"
            ))),
        }
    }

    /// The whole catalog, hall by hall, page by page.
    pub async fn fetch_catalog(
        &self,
        mut progress: impl FnMut(FetchProgress),
    ) -> Result<FetchedCatalog, ClientError> {
        let info: CatalogInfo = self.get_json("/catalog").await?;
        let halls: Vec<HallSummary> = self.get_json("/halls").await?;
        let mut projects: Vec<Project> = Vec::with_capacity(info.projects);
        for (done, hall) in halls.iter().enumerate() {
            let mut page = 1;
            loop {
                let booths: BoothPage = self
                    .get_json(&format!(
                        "/halls/{}/booths?page={page}&per_page={PAGE_SIZE}",
                        hall.id
                    ))
                    .await?;
                if booths.catalog_version != info.catalog_version {
                    return Err(ClientError::Protocol(
                        "the catalog changed during the download".into(),
                    ));
                }
                projects.extend(booths.booths.into_iter().flat_map(|booth| booth.projects));
                if page >= booths.total_pages {
                    break;
                }
                page += 1;
            }
            progress(FetchProgress {
                halls_done: done + 1,
                halls: halls.len(),
                projects: projects.len(),
            });
        }
        let report = Catalog::from_projects(info.catalog_version, projects);
        Ok(FetchedCatalog {
            catalog: report.catalog,
            etag: info.etag,
            refused: report.rejected.len(),
        })
    }

    /// Sends one inquiry under its idempotency key.
    pub async fn submit(&self, key: &str, inquiry: &Inquiry) -> SubmitOutcome {
        let Ok(http) = self.http() else {
            return SubmitOutcome::RetryLater(None);
        };
        let request = http
            .post(self.url("/inquiries"))
            .header("Idempotency-Key", key)
            .json(inquiry);
        send_once(request, "inquiry", "询单").await
    }

    /// Sends the visitor's reply to the thread of inquiry `id` (opened
    /// with its receipt's `secret`) under its idempotency key.
    pub async fn reply(
        &self,
        key: &str,
        id: i64,
        secret: &str,
        reply: &Reply,
    ) -> SubmitOutcome<ThreadMessage> {
        let Ok(http) = self.http() else {
            return SubmitOutcome::RetryLater(None);
        };
        let request = http
            .post(self.url(&format!("/inquiries/{id}/messages")))
            .bearer_auth(secret)
            .header("Idempotency-Key", key)
            .json(reply);
        send_once(request, "reply", "回复").await
    }

    /// Sends a batch of anonymous attention counts; a retry under the same
    /// batch id counts once.
    pub async fn send_counts(&self, batch: &CountBatch) -> SubmitOutcome<Counted> {
        let Ok(http) = self.http() else {
            return SubmitOutcome::RetryLater(None);
        };
        let request = http.post(self.url("/counts")).json(batch);
        send_once(request, "batch of counts", "计数批次").await
    }

    /// The thread of inquiry `id`, or `None` when the secret does not open
    /// it (the server forgot it, or it is not this inquiry's).
    pub async fn thread(&self, id: i64, secret: &str) -> Result<Option<Thread>, ClientError> {
        let path = format!("/inquiries/{id}/thread");
        let response = self
            .http()?
            .get(self.url(&path))
            .bearer_auth(secret)
            .send()
            .await
            .map_err(unreachable)?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            status if status.is_success() => response
                .json()
                .await
                .map(Some)
                .map_err(|error| ClientError::Protocol(format!("GET {path}: {error}"))),
            status => Err(ClientError::Protocol(format!("GET {path}: HTTP {status}"))),
        }
    }
}

/// Sends one write that carries an idempotency key and reads what the
/// server said: `what` names it in a refusal without a JSON body.
async fn send_once<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    what: &str,
    what_zh: &str,
) -> SubmitOutcome<T> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(_) => return SubmitOutcome::RetryLater(None),
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
        .map(Duration::from_secs);
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return SubmitOutcome::RetryLater(retry_after);
    }
    if status.is_success() {
        return match response.json::<T>().await {
            Ok(receipt) => SubmitOutcome::Accepted(receipt),
            // Stored but the answer was cut: the same key gets it again.
            Err(_) => SubmitOutcome::RetryLater(None),
        };
    }
    SubmitOutcome::Rejected(
        response
            .json::<ErrorBody>()
            .await
            .unwrap_or_else(|_| ErrorBody {
                code: format!("http_{}", status.as_u16()),
                message: format!("the server refused the {what} (HTTP {status})"),
                message_zh: format!("服务器拒绝了该{what_zh}（HTTP {status}）"),
                fields: Vec::new(),
            }),
    )
}
