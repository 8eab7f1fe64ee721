//! Agent diaries: `/v1/palace/diaries/{agent}`.

use axum::{
    Router,
    extract::{Path, State as AxState},
    http::StatusCode,
    routing::get,
};
use chorus_api_types::{
    Read, Written,
    diaries::{DiaryAppended, NewDiaryEntry},
    paths,
    query::PageQuery,
};
use chorus_palace::{Command, DiaryEntry, Page, Response};

use super::{
    Shared,
    answer::{self, Answer},
    drawers::DEFAULT_PAGE_LIMIT,
    read::read,
    request::{Body, Query},
    write::{WriteHeaders, write},
};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new().route(paths::DIARY, get(read_diary).post(append))
}

async fn append(
    AxState(state): AxState<Shared>,
    Path(agent): Path<String>,
    headers: WriteHeaders,
    Body(req): Body<NewDiaryEntry>,
) -> Result<Answer<Written<DiaryAppended>>, ApiError> {
    let cmd = Command::DiaryAppend {
        agent,
        text: req.text,
        topic: req.topic,
    };
    let w = write(&state, headers, cmd, |r| match r {
        Response::DiaryAppended { agent, seq } => Ok(DiaryAppended { agent, seq }),
        other => Err(other),
    })
    .await?;
    Ok(Answer(StatusCode::CREATED, w))
}

async fn read_diary(
    AxState(state): AxState<Shared>,
    Path(agent): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Answer<Read<Page<DiaryEntry>>>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let page = read(&state, &q, |p| p.diary(&agent, limit, q.cursor.as_deref())).await?;
    Ok(answer::ok(page))
}
