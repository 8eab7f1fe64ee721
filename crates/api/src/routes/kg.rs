//! The temporal knowledge graph: `/v1/palace/kg/…`.

use axum::{
    Router,
    extract::{Path, State as AxState},
    routing::{get, post},
};
use chorus_api_types::{
    Created, Read, ReadParams, Written,
    kg::{EntityAdded, Invalidate, Invalidated, KgQuery, NewEntity, NewFact},
    paths,
};
use chorus_palace::{Command, Direction, Entity, Fact, KgStats, Page, Response};

use super::{
    Shared,
    answer::{self, Answer},
    drawers::DEFAULT_PAGE_LIMIT,
    read::{read, read_at, read_one},
    request::{Body, Query},
    write::{WriteHeaders, write},
};
use crate::ApiError;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::KG_FACTS, post(add_fact))
        .route(paths::KG_ENTITIES, post(add_entity))
        .route(paths::KG_ENTITY, get(get_entity))
        .route(paths::KG_INVALIDATE, post(invalidate))
        .route(paths::KG_QUERY, get(query))
        .route(paths::KG_TIMELINE, get(timeline))
        .route(paths::KG_STATS, get(stats))
}

async fn add_fact(
    AxState(state): AxState<Shared>,
    headers: WriteHeaders,
    Body(b): Body<NewFact>,
) -> Result<Answer<Written<Created<u64>>>, ApiError> {
    let cmd = Command::KgFactAdd(chorus_palace::NewFact {
        subject: b.subject,
        predicate: b.predicate,
        object: b.object,
        valid_from: b.valid_from,
        valid_to: b.valid_to,
        confidence: b.confidence,
        source_drawer: b.source_drawer,
    });
    let w = write(&state, headers, cmd, |r| match r {
        Response::FactAdded { id, already_exists } => Ok(Created { id, already_exists }),
        other => Err(other),
    })
    .await?;
    Ok(answer::created(w.value.already_exists, w))
}

async fn add_entity(
    AxState(state): AxState<Shared>,
    headers: WriteHeaders,
    Body(b): Body<NewEntity>,
) -> Result<Answer<Written<EntityAdded>>, ApiError> {
    let cmd = Command::KgEntityAdd {
        name: b.name,
        kind: b.kind,
    };
    let w = write(&state, headers, cmd, |r| match r {
        Response::EntityAdded {
            name,
            already_exists,
        } => Ok(EntityAdded {
            name,
            already_exists,
        }),
        other => Err(other),
    })
    .await?;
    Ok(answer::ok(w))
}

async fn get_entity(
    AxState(state): AxState<Shared>,
    Path(name): Path<String>,
    Query(q): Query<ReadParams>,
) -> Result<Answer<Read<Entity>>, ApiError> {
    let found = read_one(&state, &q, "entity", "name", &name, |p| {
        p.entity(&name).cloned()
    })
    .await?;
    Ok(answer::ok(found))
}

async fn invalidate(
    AxState(state): AxState<Shared>,
    headers: WriteHeaders,
    Body(b): Body<Invalidate>,
) -> Result<Answer<Written<Invalidated>>, ApiError> {
    let cmd = Command::KgInvalidate {
        subject: b.subject,
        predicate: b.predicate,
        object: b.object,
        ended_at_ms: b.ended_at_ms,
    };
    let w = write(&state, headers, cmd, |r| match r {
        Response::FactsInvalidated { ids } => Ok(Invalidated { invalidated: ids }),
        other => Err(other),
    })
    .await?;
    Ok(answer::ok(w))
}

async fn query(
    AxState(state): AxState<Shared>,
    Query(q): Query<KgQuery>,
) -> Result<Answer<Read<Page<Fact>>>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let direction = q.direction.unwrap_or(Direction::Both);
    let page = read(&state, &q, |p| {
        p.kg_query(&q.entity, q.as_of, direction, limit, q.cursor.as_deref())
    })
    .await?;
    Ok(answer::ok(page))
}

async fn timeline(
    AxState(state): AxState<Shared>,
    Query(q): Query<KgQuery>,
) -> Result<Answer<Read<Page<Fact>>>, ApiError> {
    if q.as_of.is_some() || q.direction.is_some() {
        return Err(ApiError::invalid(
            "query",
            "a timeline takes entity, limit, cursor, min_index and consistency; as_of and direction belong to /v1/palace/kg/query",
        ));
    }
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let page = read(&state, &q, |p| {
        p.kg_timeline(&q.entity, limit, q.cursor.as_deref())
    })
    .await?;
    Ok(answer::ok(page))
}

async fn stats(
    AxState(state): AxState<Shared>,
    Query(q): Query<ReadParams>,
) -> Result<Answer<Read<KgStats>>, ApiError> {
    let (value, at) = read_at(&state, &q, |p| p.kg_stats()).await?;
    Ok(answer::ok(Read {
        value,
        applied_index: at.index,
    }))
}
