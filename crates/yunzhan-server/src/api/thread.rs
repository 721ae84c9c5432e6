//! The visitor's side of an inquiry's thread, opened with the secret of the
//! inquiry's receipt: read it, answer, and follow it live. A wrong secret
//! and a missing inquiry get the same 404, so neither reveals the other; a
//! request with no secret at all gets 401, which reveals nothing either.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yunzhan_model::api::{Author, Reply, Thread};

use super::{ApiError, ApiQuery, ApiResult, AppState, bearer, idempotency_key, read_body};
use crate::db::{InquiryFile, MessageWrite, Posted};
use crate::rate::client_address;

/// The thread a request's secret opens, or the one 404 for every failure.
pub(crate) async fn open_thread(state: &AppState, id: i64, secret: &str) -> ApiResult<InquiryFile> {
    let file = if secret.is_empty() {
        None
    } else {
        state
            .db
            .thread_by_secret(id, secret)
            .await
            .map_err(|error| state.database_failed(error))?
    };
    file.ok_or_else(no_thread)
}

/// The one answer for every thread that does not open.
fn no_thread() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_thread",
        "no thread opens with this inquiry id and secret; use the link or the app that sent the inquiry".into(),
        "该询单编号与密钥无法打开任何对话；请使用发送询单时的链接或应用".into(),
    )
}

/// The inquiry id of a thread's path: anything that is not one (too large,
/// not a number) opens no thread, like an id that does not exist.
fn thread_id(path: &str) -> ApiResult<i64> {
    path.parse().map_err(|_| no_thread())
}

/// The secret of a request for a thread (`Authorization: Bearer`), or 401
/// when it sent none.
fn thread_secret(headers: &HeaderMap) -> ApiResult<&str> {
    bearer(headers).ok_or_else(|| {
        ApiError::credentials_required(
            "thread_secret_required",
            "send the thread secret of the inquiry's receipt as Authorization: Bearer SECRET",
            "请以 Authorization: Bearer SECRET 提供询单回执中的对话密钥",
        )
    })
}

/// The thread as the visitor sees it.
pub(crate) fn visitor_view(state: &AppState, file: &InquiryFile) -> Thread {
    let served = state.served();
    let project_title = served
        .catalog
        .find(&file.row.platform_no)
        .map(|id| served.catalog.project(id).title.clone())
        .unwrap_or_default();
    Thread {
        id: file.row.id,
        platform_no: file.row.platform_no.clone(),
        project_title,
        stage: file.row.stage,
        messages: file.messages.clone(),
        agent_updates: file.agent_updates(),
    }
}

pub(super) async fn thread(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Thread>> {
    let id = thread_id(&id)?;
    let file = open_thread(&state, id, thread_secret(&headers)?).await?;
    Ok(Json(visitor_view(&state, &file)))
}

/// Adds `write` to its thread, answering as the API does: the message
/// (201, or 200 for a replay), or why not.
pub(crate) async fn post(state: &AppState, write: MessageWrite) -> ApiResult<Response> {
    let problems = Reply {
        body: write.body.clone(),
    }
    .validate();
    if !problems.is_empty() {
        return Err(ApiError::invalid(
            "invalid_reply",
            "the message",
            "消息",
            &problems,
        ));
    }
    let posted = state
        .db
        .post_message(&write)
        .await
        .map_err(|error| state.database_failed(error))?;
    let (status, message) = match posted {
        Posted::Created(message) => (StatusCode::CREATED, message),
        Posted::Replayed(message) => (StatusCode::OK, message),
        Posted::Limited(wait) => return Err(ApiError::rate_limited(wait)),
        Posted::KeyReused => return Err(ApiError::key_reused()),
    };
    tracing::info!(
        inquiry = write.inquiry_id,
        message = message.id,
        author = ?write.author,
        "message stored"
    );
    Ok((status, Json(message)).into_response())
}

pub(super) async fn reply(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let id = thread_id(&id)?;
    let body = read_body(body)?;
    open_thread(&state, id, thread_secret(&headers)?).await?;
    let key = idempotency_key(&headers)?;
    let reply: Reply = serde_json::from_slice(&body).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("the body is not a reply: {error}"),
            format!("请求内容不是有效的回复 JSON：{error}"),
        )
    })?;
    let write = MessageWrite {
        inquiry_id: id,
        author: Author::Visitor,
        author_id: String::new(),
        body: reply.body,
        key: Some(key),
        client: client_address(client, &headers, &state.trusted_proxies).to_string(),
        limit: state.inquiry_rate,
    };
    post(&state, write).await
}

#[derive(Deserialize)]
pub(super) struct EventsParams {
    #[serde(default)]
    secret: String,
}

/// Server-sent events: `changed` whenever the thread has something new.
/// (An `EventSource` cannot send headers, so the secret is a query
/// parameter here; query strings are never logged.)
pub(super) async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<EventsParams>,
) -> ApiResult<Response> {
    let id = thread_id(&id)?;
    open_thread(&state, id, &params.secret).await?;
    Ok(state.live.stream(move |change| change.inquiry_id == id))
}
