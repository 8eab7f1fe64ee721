//! Drawers: `/v1/palace/drawers…`, the duplicate check and the taxonomy.

use axum::{
    Router,
    extract::{Path, State as AxState},
    routing::{get, post},
};
use chorus_api_types::{
    Read, ReadParams, Written,
    drawers::{
        BatchAdded, BatchItem, DrawerAdded, DrawerBatch, DrawerChanged, DrawerQuery, DrawerUpdate,
        Duplicate, DuplicateCheck, NewDrawer,
    },
    paths,
    query::PageQuery,
};
use chorus_palace::{Command, Drawer, Page, Response, RoomCount};
use chorus_types::status::ErrorDetail;

use super::{
    Shared,
    answer::{self, Answer},
    read::{read, read_one},
    request::{Body, Query},
    write::{WriteHeaders, write},
};
use crate::ApiError;

/// Default page size of list reads.
pub(crate) const DEFAULT_PAGE_LIMIT: usize = 50;

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route(paths::DRAWERS, post(add).get(list))
        .route(paths::DRAWER, get(get_one).delete(delete).patch(update))
        .route(paths::DRAWERS_BATCH, post(add_batch))
        .route(paths::DUPLICATE, post(duplicate))
        .route(paths::TAXONOMY, get(taxonomy))
}

/// The palace's command for a drawer from the API, filed by this node unless it says who.
fn new_drawer(state: &Shared, d: NewDrawer) -> chorus_palace::NewDrawer {
    chorus_palace::NewDrawer {
        wing: d.wing,
        room: d.room,
        content: d.content,
        added_by: d
            .added_by
            .unwrap_or_else(|| state.services.info.node_name.clone()),
        source: d.source,
        hall: d.hall,
        metadata: d.metadata,
    }
}

fn added(a: chorus_palace::DrawerAdded) -> DrawerAdded {
    DrawerAdded {
        id: a.id,
        already_exists: a.already_exists,
        chunks: a.chunks,
    }
}

async fn add(
    AxState(state): AxState<Shared>,
    headers: WriteHeaders,
    Body(req): Body<NewDrawer>,
) -> Result<Answer<Written<DrawerAdded>>, ApiError> {
    let cmd = Command::DrawerAdd(new_drawer(&state, req));
    let w = write(&state, headers, cmd, |r| match r {
        Response::DrawerAdded(a) => Ok(added(a)),
        other => Err(other),
    })
    .await?;
    Ok(answer::created(w.value.already_exists, w))
}

async fn get_one(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    Query(q): Query<ReadParams>,
) -> Result<Answer<Read<Drawer>>, ApiError> {
    // The answer carries the drawer's whole text, reassembled from its chunks.
    let found = read_one(&state, &q, "drawer", "id", &id, |p| {
        let mut drawer = p.drawer(&id)?.clone();
        if let Ok(full) = p.drawer_content(&id) {
            drawer.content = full;
        }
        Some(drawer)
    })
    .await?;
    Ok(answer::ok(found))
}

async fn update(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    headers: WriteHeaders,
    Body(req): Body<DrawerUpdate>,
) -> Result<Answer<Written<DrawerChanged>>, ApiError> {
    let cmd = Command::DrawerUpdate {
        id,
        content: req.content,
        metadata: req.metadata,
    };
    let w = write(&state, headers, cmd, |r| match r {
        Response::DrawerUpdated { id, chunks } => Ok(DrawerChanged { id, chunks }),
        other => Err(other),
    })
    .await?;
    Ok(answer::ok(w))
}

async fn delete(
    AxState(state): AxState<Shared>,
    Path(id): Path<String>,
    headers: WriteHeaders,
) -> Result<Answer<Written<DrawerChanged>>, ApiError> {
    let w = write(&state, headers, Command::DrawerDelete { id }, |r| match r {
        Response::DrawerDeleted { id, chunks } => Ok(DrawerChanged { id, chunks }),
        other => Err(other),
    })
    .await?;
    Ok(answer::ok(w))
}

async fn add_batch(
    AxState(state): AxState<Shared>,
    headers: WriteHeaders,
    Body(req): Body<DrawerBatch>,
) -> Result<Answer<Written<BatchAdded>>, ApiError> {
    let drawers = req
        .drawers
        .into_iter()
        .map(|d| new_drawer(&state, d))
        .collect();
    let cmd = Command::DrawerAddBatch { drawers };
    let w = write(&state, headers, cmd, |r| match r {
        Response::DrawersAdded { results } => Ok(batch_answer(results)),
        other => Err(other),
    })
    .await?;
    Ok(answer::ok(w))
}

fn batch_answer(
    results: Vec<Result<chorus_palace::DrawerAdded, chorus_palace::Error>>,
) -> BatchAdded {
    let mut out = BatchAdded {
        added: 0,
        already_existed: 0,
        failed: 0,
        results: Vec::with_capacity(results.len()),
    };
    for r in results {
        out.results.push(match r {
            Ok(a) => {
                if a.already_exists {
                    out.already_existed += 1;
                } else {
                    out.added += 1;
                }
                BatchItem::Added(added(a))
            }
            Err(e) => {
                out.failed += 1;
                BatchItem::Failed {
                    error: ErrorDetail {
                        code: e.code().to_string(),
                        message: e.to_string(),
                        field: Some(e.field().to_string()),
                    },
                }
            }
        });
    }
    out
}

async fn list(
    AxState(state): AxState<Shared>,
    Query(q): Query<DrawerQuery>,
) -> Result<Answer<Read<Page<Drawer>>>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let page = read(&state, &q, |p| {
        p.drawers(
            q.wing.as_deref(),
            q.room.as_deref(),
            limit,
            q.cursor.as_deref(),
        )
    })
    .await?;
    Ok(answer::ok(page))
}

async fn duplicate(
    AxState(state): AxState<Shared>,
    Body(req): Body<DuplicateCheck>,
) -> Result<Answer<Read<Duplicate>>, ApiError> {
    let found = read(&state, &req, |p| {
        p.find_duplicate(&req.wing, &req.room, &req.content)
            .map(|id| Duplicate {
                duplicate: id.is_some(),
                id,
            })
    })
    .await?;
    Ok(answer::ok(found))
}

async fn taxonomy(
    AxState(state): AxState<Shared>,
    Query(q): Query<PageQuery>,
) -> Result<Answer<Read<Page<RoomCount>>>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE_LIMIT);
    let page = read(&state, &q, |p| p.taxonomy(limit, q.cursor.as_deref())).await?;
    Ok(answer::ok(page))
}
