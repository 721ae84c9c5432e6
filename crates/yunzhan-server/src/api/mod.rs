//! The `/api/v1` routes (the visitor's thread in `thread.rs`). [`routes`] is the one list the router is built
//! from; a test compares it with docs/openapi.json and docs/api.md.

mod counts;
mod thread;

pub(crate) use thread::{open_thread, post as post_message, visitor_view};

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock, RwLock};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;
use yunzhan_model::api::{
    self, Booth, BoothPage, CatalogInfo, ErrorBody, FieldMessage, HallSummary, Health,
    InquiryReceipt, ProjectCard, SearchResults,
};
use yunzhan_model::inquiry::Inquiry;
use yunzhan_model::matching::Matcher;
use yunzhan_model::validate::FieldError;
use yunzhan_model::{Catalog, HallIndex, HallLevel, Industry, ProjectKind};

use crate::db::{Db, DbError, InquiryWrite, Stored, now_rfc3339, random_secret};
use crate::metrics::Metrics;
use crate::rate::{RateLimit, client_address};

/// The catalog being served and its ETag; replaced whole on import.
pub struct ServedCatalog {
    pub catalog: Catalog,
    pub etag: String,
    /// Demand-side matching over this catalog, built when first asked for.
    matcher: OnceLock<Matcher>,
}

impl ServedCatalog {
    pub fn new(catalog: Catalog, etag: String) -> Self {
        ServedCatalog {
            catalog,
            etag,
            matcher: OnceLock::new(),
        }
    }

    pub fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| Matcher::new(&self.catalog))
    }
}

#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<RwLock<Arc<ServedCatalog>>>,
    pub db: Arc<Db>,
    pub metrics: Arc<Metrics>,
    pub inquiry_rate: RateLimit,
    /// Load balancers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[IpAddr]>,
    pub live: crate::live::Live,
    pub workspace: crate::workspace::WorkspaceSettings,
}

impl AppState {
    pub fn served(&self) -> Arc<ServedCatalog> {
        self.catalog
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Serves `served` from now on.
    pub fn serve_catalog(&self, served: ServedCatalog) {
        self.metrics
            .serving_catalog(served.catalog.catalog_version(), &served.etag);
        *self
            .catalog
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(served);
    }

    /// The answer to a failed database operation (counted in the metrics).
    pub(crate) fn database_failed(&self, error: DbError) -> ApiError {
        self.metrics.database_error();
        ApiError::database(error)
    }
}

/// One route of the API: method, path (axum and OpenAPI share the `{param}`
/// syntax) and handler.
pub struct Route {
    pub method: Method,
    pub path: String,
    pub handler: MethodRouter<AppState>,
}

pub fn routes() -> Vec<Route> {
    let route = |method: Method, path: &str, handler: MethodRouter<AppState>| Route {
        method,
        path: format!("{}{path}", api::PREFIX),
        handler,
    };
    vec![
        route(Method::GET, "/health", get(health)),
        route(Method::GET, "/ready", get(ready)),
        route(Method::GET, "/catalog", get(catalog_info)),
        route(Method::GET, "/halls", get(halls)),
        route(Method::GET, "/halls/{hall}/booths", get(hall_booths)),
        route(Method::GET, "/projects/{platform_no}", get(project)),
        route(Method::GET, "/search", get(search)),
        route(Method::POST, "/inquiries", post(submit_inquiry)),
        route(
            Method::POST,
            "/counts",
            post(counts::add).layer(DefaultBodyLimit::max(counts::BODY_LIMIT)),
        ),
        route(Method::GET, "/inquiries/{id}/thread", get(thread::thread)),
        route(
            Method::POST,
            "/inquiries/{id}/messages",
            post(thread::reply),
        ),
        route(Method::GET, "/inquiries/{id}/events", get(thread::events)),
        route(
            Method::GET,
            "/agents/{agent}/inquiries",
            get(agent_inquiries),
        ),
    ]
}

/// An error answer with a JSON [`ErrorBody`].
pub struct ApiError {
    status: StatusCode,
    body: Box<ErrorBody>,
    headers: Box<HeaderMap>,
}

impl ApiError {
    /// 422 with the refused fields.
    pub fn invalid(code: &str, what: &str, what_zh: &str, problems: &[FieldError]) -> Self {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            format!("{what} needs correcting"),
            format!("{what_zh}需要修改"),
        );
        error.body.fields = problems.iter().map(FieldMessage::from).collect();
        error
    }

    /// 401 for a request without the credentials it needs, saying which
    /// (`WWW-Authenticate: Bearer`).
    pub fn credentials_required(code: &str, message: &str, message_zh: &str) -> Self {
        let mut error = ApiError::new(
            StatusCode::UNAUTHORIZED,
            code,
            message.into(),
            message_zh.into(),
        );
        error
            .headers
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        error
    }

    pub fn new(status: StatusCode, code: &str, message: String, message_zh: String) -> Self {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code: code.into(),
                message,
                message_zh,
                fields: Vec::new(),
            }),
            headers: Box::default(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn body(&self) -> &ErrorBody {
        &self.body
    }

    fn key_reused() -> Self {
        ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request; use a new key".into(),
            "该 Idempotency-Key 已用于另一请求，请使用新的键".into(),
        )
    }

    fn rate_limited(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many inquiries or messages from this client; retry in {seconds} s"),
            format!("提交过于频繁，请 {seconds} 秒后重试"),
        );
        error
            .headers
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        error
    }

    fn bad_parameter(name: &str, value: &str, expected: &str) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            format!("query parameter {name}={value:?} is not valid: expected {expected}"),
            format!("查询参数 {name}={value:?} 无效：应为 {expected}"),
        )
    }

    fn database(error: DbError) -> Self {
        match error {
            DbError::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                let mut error = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database is unavailable for a moment; try again in a few seconds".into(),
                    "数据库暂时不可用，请几秒后重试".into(),
                );
                error
                    .headers
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
                error
            }
            DbError::Failed(reason) => {
                tracing::error!(%reason, "database error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete the request; try again later".into(),
                    "服务器暂时无法完成请求，请稍后重试".into(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, *self.headers, axum::Json(*self.body)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A query string read into `T`, refused in the API's error shape (a
/// duplicated or malformed parameter is a `400 bad_query`).
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(query)) => Ok(ApiQuery(query)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                format!("the query string is not valid: {}", rejection.body_text()),
                "查询字符串无效（参数重复或格式错误）".into(),
            )),
        }
    }
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// A JSON answer tagged with the catalog's ETag, or 304 when the client
/// already holds that version.
fn tagged<T: serde::Serialize>(headers: &HeaderMap, etag: &str, body: &T) -> Response {
    let tag = quoted(etag);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(',')
                .any(|candidate| candidate.trim() == tag || candidate.trim() == "*")
        });
    let etag_header = [(
        header::ETAG,
        HeaderValue::from_str(&tag).expect("an ETag is ASCII"),
    )];
    if matches {
        (StatusCode::NOT_MODIFIED, etag_header).into_response()
    } else {
        (etag_header, axum::Json(body)).into_response()
    }
}

async fn health(State(state): State<AppState>) -> axum::Json<Health> {
    let served = state.served();
    axum::Json(Health {
        status: "ok".into(),
        catalog_version: served.catalog.catalog_version().into(),
        projects: served.catalog.projects().len(),
    })
}

/// Readiness: the database answers (within 2 s) and a catalog is loaded.
async fn ready(State(state): State<AppState>) -> ApiResult<axum::Json<Health>> {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(2), state.db.ping()).await;
    match ping {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(state.database_failed(error)),
        Err(_) => {
            return Err(state.database_failed(DbError::Unavailable("no answer within 2 s".into())));
        }
    }
    let served = state.served();
    Ok(axum::Json(Health {
        status: "ready".into(),
        catalog_version: served.catalog.catalog_version().into(),
        projects: served.catalog.projects().len(),
    }))
}

async fn catalog_info(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let served = state.served();
    let info = CatalogInfo {
        catalog_version: served.catalog.catalog_version().into(),
        etag: served.etag.clone(),
        projects: served.catalog.projects().len(),
        halls: yunzhan_model::HALLS.len(),
    };
    tagged(&headers, &served.etag, &info)
}

async fn halls(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let served = state.served();
    let catalog = &served.catalog;
    let halls: Vec<HallSummary> = HallIndex::all()
        .map(|hall| {
            let info = hall.hall();
            HallSummary {
                id: info.id.into(),
                name_zh: info.name_zh.into(),
                name_en: info.name_en.into(),
                provincial: info.level == HallLevel::Provincial,
                region: info.region.map(|region| {
                    serde_json::to_value(region)
                        .ok()
                        .and_then(|value| value.as_str().map(String::from))
                        .unwrap_or_default()
                }),
                exhibitors: catalog.hall_exhibitors(hall).len(),
                projects: catalog.hall_project_count(hall),
            }
        })
        .collect();
    tagged(&headers, &served.etag, &halls)
}

fn hall_from_id(id: &str) -> ApiResult<HallIndex> {
    HallIndex::from_id(id).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_hall",
            format!("there is no hall {id:?}; GET /api/v1/halls lists them"),
            format!("没有展馆 {id:?}；展馆列表见 GET /api/v1/halls"),
        )
    })
}

#[derive(Deserialize)]
struct PageParams {
    page: Option<String>,
    per_page: Option<String>,
}

fn parse_count(name: &str, value: Option<&str>, default: usize, max: usize) -> ApiResult<usize> {
    let Some(value) = value else {
        return Ok(default);
    };
    value
        .parse::<usize>()
        .ok()
        .filter(|count| (1..=max).contains(count))
        .ok_or_else(|| ApiError::bad_parameter(name, value, &format!("a whole number 1..={max}")))
}

async fn hall_booths(
    State(state): State<AppState>,
    Path(hall): Path<String>,
    ApiQuery(params): ApiQuery<PageParams>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let hall = hall_from_id(&hall)?;
    let page = parse_count("page", params.page.as_deref(), 1, api::MAX_PAGE)?;
    let per_page = parse_count(
        "per_page",
        params.per_page.as_deref(),
        api::DEFAULT_PER_PAGE,
        api::MAX_PER_PAGE,
    )?;
    let served = state.served();
    let catalog = &served.catalog;
    let exhibitors = catalog.hall_exhibitors(hall);
    let booths = exhibitors
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|&id| {
            let exhibitor = catalog.exhibitor(id);
            Booth {
                exhibitor: exhibitor.name.clone(),
                generated: exhibitor.generated,
                projects: exhibitor
                    .projects
                    .iter()
                    .map(|&project| catalog.project(project).clone())
                    .collect(),
            }
        })
        .collect();
    let body = BoothPage {
        hall: hall.hall().id.into(),
        catalog_version: catalog.catalog_version().into(),
        page,
        per_page,
        total_booths: exhibitors.len(),
        total_pages: exhibitors.len().div_ceil(per_page),
        booths,
    };
    Ok(tagged(&headers, &served.etag, &body))
}

async fn project(
    State(state): State<AppState>,
    Path(platform_no): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let served = state.served();
    let id = served
        .catalog
        .find(&platform_no)
        .ok_or_else(|| unknown_project(&platform_no))?;
    Ok(tagged(&headers, &served.etag, served.catalog.project(id)))
}

fn unknown_project(platform_no: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_project",
        format!("there is no project {platform_no:?} in the catalog"),
        format!("目录中没有项目 {platform_no:?}"),
    )
}

#[derive(Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    hall: Option<String>,
    industry: Option<String>,
    kind: Option<String>,
    featured: Option<String>,
    limit: Option<String>,
}

/// Reads an enum from its snake_case wire name.
fn parse_name<T: serde::de::DeserializeOwned>(
    name: &str,
    value: &str,
    expected: &str,
) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(value.into()))
        .map_err(|_| ApiError::bad_parameter(name, value, expected))
}

async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<axum::Json<SearchResults>> {
    let mut query = yunzhan_model::Query::text(params.q);
    if let Some(hall) = &params.hall {
        query.hall = Some(
            HallIndex::from_id(hall)
                .ok_or_else(|| ApiError::bad_parameter("hall", hall, "a hall id"))?,
        );
    }
    if let Some(industry) = &params.industry {
        query.industry = Some(parse_name::<Industry>(
            "industry",
            industry,
            "an industry such as modern_agriculture",
        )?);
    }
    if let Some(kind) = &params.kind {
        query.kind = Some(parse_name::<ProjectKind>("kind", kind, "a project kind")?);
    }
    if let Some(featured) = &params.featured {
        query.featured_only = match featured.as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            other => return Err(ApiError::bad_parameter("featured", other, "true or false")),
        };
    }
    let limit = parse_count("limit", params.limit.as_deref(), 50, 500)?;
    let served = state.served();
    let results = served
        .catalog
        .search(&query, limit)
        .into_iter()
        .map(|hit| ProjectCard::from(served.catalog.project(hit.project)))
        .collect();
    Ok(axum::Json(SearchResults { results }))
}

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .trim();
    if key.is_empty() || key.len() > 200 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "send an Idempotency-Key header (1 to 200 characters, one per inquiry) so a retry is stored once".into(),
            "请求须带 Idempotency-Key 头（1 至 200 个字符，每条询单一个），以免重试时重复保存".into(),
        ));
    }
    Ok(key.to_string())
}

/// The body, or the API's answer to one that could not be read.
fn read_body(body: Result<Bytes, BytesRejection>) -> ApiResult<Bytes> {
    body.map_err(|rejection| {
        let status = rejection.status();
        ApiError::new(
            status,
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                "body_too_large"
            } else {
                "bad_body"
            },
            format!("the request body was refused: {}", rejection.body_text()),
            "请求内容被拒绝（过大或无法读取）".into(),
        )
    })
}

async fn submit_inquiry(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = read_body(body)?;
    let key = idempotency_key(&headers)?;
    let inquiry: Inquiry = serde_json::from_slice(&body).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("the body is not an inquiry: {error}"),
            format!("请求内容不是有效的询单 JSON：{error}"),
        )
    })?;
    let problems = inquiry.validate();
    if !problems.is_empty() {
        return Err(ApiError::invalid(
            "invalid_inquiry",
            "the inquiry",
            "询单",
            &problems,
        ));
    }
    let served = state.served();
    let project = served
        .catalog
        .find(&inquiry.platform_no)
        .map(|id| served.catalog.project(id))
        .ok_or_else(|| unknown_project(&inquiry.platform_no))?;
    let write = InquiryWrite {
        key,
        agent_id: project.agent.id.clone(),
        inquiry,
        received_at: now_rfc3339(),
        client: client_address(client, &headers, &state.trusted_proxies).to_string(),
        limit: state.inquiry_rate,
        thread_secret: random_secret(24),
    };
    let thread_secret = write.thread_secret.clone();
    let stored = state
        .db
        .store_inquiry(write)
        .await
        .map_err(|error| state.database_failed(error))?;
    let (status, stored) = match stored {
        Stored::Created(stored) => {
            state.metrics.inquiry_stored();
            (StatusCode::CREATED, stored)
        }
        Stored::Limited(wait) => return Err(ApiError::rate_limited(wait)),
        Stored::Replayed(stored) => (StatusCode::OK, stored),
        Stored::KeyReused => return Err(ApiError::key_reused()),
    };
    // Contact details are personal data: only ids go to the log.
    tracing::info!(
        inquiry = stored.id,
        project = %stored.inquiry.platform_no,
        agent = %stored.agent_id,
        replay = status == StatusCode::OK,
        "inquiry stored"
    );
    let receipt = InquiryReceipt {
        id: stored.id,
        platform_no: stored.inquiry.platform_no,
        agent_id: stored.agent_id,
        received_at: stored.received_at,
        status: "received".into(),
        thread_secret: Some(thread_secret),
    };
    Ok((status, axum::Json(receipt)).into_response())
}

/// The credentials of an `Authorization: Bearer …` header, if one came.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
}

async fn agent_inquiries(
    State(state): State<AppState>,
    Path(agent): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let owner = state
        .db
        .token_agent(bearer(&headers).unwrap_or(""))
        .await
        .map_err(|error| state.database_failed(error))?;
    let Some(owner) = owner else {
        return Err(ApiError::credentials_required(
            "token_required",
            "send the agent's token as Authorization: Bearer TOKEN (yunzhan-server agent-token AGENT makes one)",
            "请以 Authorization: Bearer TOKEN 提供服务专员令牌（由 yunzhan-server agent-token AGENT 生成）",
        ));
    };
    if owner != agent {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_your_inquiries",
            "this token belongs to another service agent".into(),
            "该令牌属于其他服务专员，无权查看".into(),
        ));
    }
    let inquiries = state
        .db
        .agent_inquiries(&agent)
        .await
        .map_err(|error| state.database_failed(error))?;
    Ok(axum::Json(inquiries).into_response())
}
