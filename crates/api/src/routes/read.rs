//! The one way the palace is read: at the freshness the request asks for (`min_index`,
//! `consistency`), through consensus's read API, answered with the `applied_index` it reflects.

use chorus_api_types::{Read, ReadParams, query::ReadQuery};
use chorus_consensus::{Consistency, LogPosition};

use super::Shared;
use crate::ApiError;

/// The consistency `params` ask for; an unknown `consistency` is a 400 naming it.
pub(crate) fn consistency(params: &ReadParams) -> Result<Consistency, ApiError> {
    match (params.consistency.as_deref(), params.min_index) {
        (Some("linearizable"), _) => Ok(Consistency::Linearizable),
        (None | Some("local"), Some(n)) => Ok(Consistency::MinIndex(n)),
        (None | Some("local"), None) => Ok(Consistency::Local),
        (Some(other), _) => Err(ApiError::invalid(
            "consistency",
            format!("consistency = {other:?}: expected `local` or `linearizable`"),
        )),
    }
}

/// Reads the palace with `f` at the freshness `query` asks for. Returns what `f` computed and
/// the position it reflects.
pub(crate) async fn read_at<T>(
    state: &Shared,
    query: &impl ReadQuery,
    f: impl FnOnce(&chorus_palace::State) -> T,
) -> Result<(T, LogPosition), ApiError> {
    let consistency = consistency(&query.read_params())?;
    state
        .services
        .consensus
        .read_palace(consistency, f)
        .await
        .map_err(|e| ApiError::read(&e))
}

/// Reads with `f`, whose own refusal (a bad cursor, a room without a wing) is the palace's
/// error, and answers the value with its `applied_index`.
pub(crate) async fn read<T>(
    state: &Shared,
    query: &impl ReadQuery,
    f: impl FnOnce(&chorus_palace::State) -> Result<T, chorus_palace::Error>,
) -> Result<Read<T>, ApiError> {
    let (value, at) = read_at(state, query, f).await?;
    let value = value.map_err(|e| ApiError::palace(&e))?;
    Ok(Read {
        value,
        applied_index: at.index,
    })
}

/// Reads one item by key; absent, it is a 404 naming `field` and the index the read reflects.
pub(crate) async fn read_one<T>(
    state: &Shared,
    query: &impl ReadQuery,
    what: &str,
    field: &str,
    key: &str,
    f: impl FnOnce(&chorus_palace::State) -> Option<T>,
) -> Result<Read<T>, ApiError> {
    let (found, at) = read_at(state, query, f).await?;
    match found {
        Some(value) => Ok(Read {
            value,
            applied_index: at.index,
        }),
        None => Err(ApiError {
            field: Some(field.into()),
            ..ApiError::not_found(format!(
                "{what} {key:?} not found (applied index {})",
                at.index
            ))
        }),
    }
}
