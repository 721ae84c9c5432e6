//! `POST /api/v1/counts`: a device's anonymous attention counts. Nothing
//! identifying is read or kept: no cookie is set or read, the client's
//! address is neither stored nor logged, and the batch id only makes a
//! retried batch count once.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yunzhan_model::attention::{Count, CountBatch, Counted};

use super::{ApiError, ApiResult, AppState, read_body};

/// A full batch (1,000 counts) is about 70 KiB, more than the other
/// routes' limit.
pub(super) const BODY_LIMIT: usize = 256 * 1024;

pub(super) async fn add(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = read_body(body)?;
    let batch: CountBatch = serde_json::from_slice(&body).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("the body is not a batch of counts: {error}"),
            format!("请求内容不是有效的计数 JSON：{error}"),
        )
    })?;
    let problems = batch.validate();
    if !problems.is_empty() {
        return Err(ApiError::invalid(
            "invalid_counts",
            "the batch",
            "计数批次",
            &problems,
        ));
    }
    let served = state.served();
    let (known, unknown): (Vec<Count>, Vec<Count>) = batch
        .counts
        .into_iter()
        .partition(|count| served.catalog.find(&count.platform_no).is_some());
    let new = state
        .db
        .add_counts(&batch.batch, &known)
        .await
        .map_err(|error| state.database_failed(error))?;
    let (status, counted) = if new {
        (StatusCode::ACCEPTED, known.len())
    } else {
        (StatusCode::OK, 0)
    };
    Ok((
        status,
        Json(Counted {
            counted,
            ignored: unknown.len(),
        }),
    )
        .into_response())
}
