//! Read parameters, the answer of a read, and query strings.

use serde::{Deserialize, Serialize};

use crate::paths::encode;

/// `consistency=linearizable`: confirm the leader through a quorum before reading.
pub const LINEARIZABLE: &str = "linearizable";
/// `consistency=local` (the default): whatever this node has applied.
pub const LOCAL: &str = "local";

/// `?min_index=N&consistency=local|linearizable`: how fresh a read must be. Every read query
/// carries these two fields (see [`ReadQuery`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadParams {
    /// Wait (bounded) until this node applied this index: read-your-writes after a write
    /// returned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_index: Option<u64>,
    /// `local` or `linearizable`; checked by the server, which names the value when it is
    /// neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
}

impl ReadParams {
    /// A read that waits for `min_index`, or confirms with the leader when `linearizable`.
    pub fn new(min_index: Option<u64>, linearizable: bool) -> Self {
        Self {
            min_index,
            consistency: linearizable.then(|| LINEARIZABLE.to_string()),
        }
    }
}

/// A query string that carries the read parameters among its own fields.
///
/// The fields are repeated in each query type rather than flattened because query strings
/// carry no types: a flattened `min_index` would arrive as a string and be refused.
pub trait ReadQuery {
    /// Its read parameters.
    fn read_params(&self) -> ReadParams;
}

impl ReadQuery for ReadParams {
    fn read_params(&self) -> ReadParams {
        self.clone()
    }
}

/// Declares a request type that carries read parameters: its own fields, then (after `paged`)
/// `limit` and `cursor`, then `min_index` and `consistency`, in that order (error messages list
/// the fields in it), and implements [`ReadQuery`] for it. Every field is optional but those
/// given before the `;`, which are required.
macro_rules! read_query {
    (@struct $(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty,)* }
        { $($(#[$om:meta])* $o:ident : $ot:ty,)* } { $($extra:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            $($(#[$om])*
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $o: Option<$ot>,)*
            $($extra)*
            /// See [`crate::ReadParams`].
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub min_index: Option<u64>,
            /// See [`crate::ReadParams`].
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub consistency: Option<String>,
        }

        impl $crate::query::ReadQuery for $name {
            fn read_params(&self) -> $crate::query::ReadParams {
                $crate::query::ReadParams {
                    min_index: self.min_index,
                    consistency: self.consistency.clone(),
                }
            }
        }
    };
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty,)* ;
        $($(#[$om:meta])* $o:ident : $ot:ty,)* } paged) => {
        $crate::query::read_query!(@struct $(#[$m])* $name { $($(#[$fm])* $f: $t,)* }
            { $($(#[$om])* $o: $ot,)* } {
            /// Page size (1 to 1000, default 50).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub limit: Option<usize>,
            /// `next_cursor` of the previous page.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub cursor: Option<String>,
        });
    };
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty,)* ;
        $($(#[$om:meta])* $o:ident : $ot:ty,)* }) => {
        $crate::query::read_query!(@struct $(#[$m])* $name { $($(#[$fm])* $f: $t,)* }
            { $($(#[$om])* $o: $ot,)* } {});
    };
}
pub(crate) use read_query;

read_query! {
    /// A page of a list: `?limit=&cursor=` with the read parameters (taxonomy, diaries).
    pub struct PageQuery { ; } paged
}

/// What a read answers: the value with the `applied_index` it reflects beside its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read<T> {
    /// What was read.
    #[serde(flatten)]
    pub value: T,
    /// The log index this node had applied when it read.
    pub applied_index: u64,
}

/// `path?k=v&…` with the fields of `query` that are set, values percent-encoded. `query` is a
/// struct of plain values (strings, numbers, booleans, unit enums); anything else is left out.
pub fn with_query<Q: Serialize>(path: &str, query: &Q) -> String {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(query) else {
        return path.to_string();
    };
    let pairs: Vec<String> = fields
        .into_iter()
        .filter_map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(format!("{k}={}", encode(&v)))
        })
        .collect();
    if pairs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_set_fields_reach_the_query_string() {
        let q = PageQuery {
            limit: Some(5),
            cursor: Some("a b".into()),
            ..PageQuery::default()
        };
        assert_eq!(with_query("/p", &q), "/p?cursor=a%20b&limit=5");
        assert_eq!(with_query("/p", &PageQuery::default()), "/p");
        let r = ReadParams::new(Some(3), true);
        assert_eq!(
            with_query("/p", &r),
            "/p?consistency=linearizable&min_index=3"
        );
        assert_eq!(q.read_params(), ReadParams::default());
    }
}
