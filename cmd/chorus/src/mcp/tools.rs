//! The tools: what each one is called, takes, and which API call it makes.

use chorus_client::Client;
use serde_json::{Map, Value, json};

use super::schema::{Arg, Kind, input_schema, opt, req, validate};
use crate::palace_cli::{Query, enc};

const PAGE: Kind = Kind::Int { max: 1000 };
const INDEX: Kind = Kind::Int { max: u64::MAX };
const MS: Kind = Kind::Int { max: u64::MAX };

const MIN_INDEX: Arg = opt(
    "min_index",
    INDEX,
    "wait until the node applied this log index (the `index` a write returned): read-your-writes",
);
const LIMIT: Arg = opt("limit", PAGE, "page size, 1 to 1000 (default 50)");
const CURSOR: Arg = opt("cursor", Kind::Str, "`next_cursor` of the previous page");

/// One tool.
pub struct Tool {
    /// `chorus_<verb>`.
    pub name: &'static str,
    /// What it does, for the model.
    pub description: &'static str,
    /// Its arguments.
    pub args: &'static [Arg],
}

/// Every tool, in the order `tools/list` shows them.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "chorus_status",
        description: "Counts of everything in the shared palace (drawers, wings, rooms, facts, tunnels, diary entries) and the state of this node's search index.",
        args: &[MIN_INDEX],
    },
    Tool {
        name: "chorus_taxonomy",
        description: "Wings (agents, people, projects), their rooms (topics) and how many drawers each room holds.",
        args: &[LIMIT, CURSOR, MIN_INDEX],
    },
    Tool {
        name: "chorus_search",
        description: "Full-text search (BM25) over every drawer in the palace, best first. Supports \"exact phrase\", +must and -not. Filter by wing and/or room.",
        args: &[
            req("query", Kind::Str, "what to look for (at most 1024 bytes)"),
            opt("wing", Kind::Str, "only drawers in this wing"),
            opt("room", Kind::Str, "only drawers in this room"),
            opt(
                "limit",
                Kind::Int { max: 100 },
                "most hits, 1 to 100 (default 10)",
            ),
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_check_duplicate",
        description: "Whether exactly this text is already filed in the room; returns the existing drawer id if so.",
        args: &[
            req("wing", Kind::Str, "wing name"),
            req("room", Kind::Str, "room name"),
            req("content", Kind::Str, "the verbatim text"),
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_add_drawer",
        description: "File verbatim text as a drawer in a room of a wing (created on first use). Adding the same text again returns the existing id with already_exists. Returns the log index to pass as min_index to later reads.",
        args: &[
            req(
                "wing",
                Kind::Str,
                "wing: an agent, person or project (letters, digits, space, _ - . @; at most 128)",
            ),
            req(
                "room",
                Kind::Str,
                "room: a topic in the wing (same rules as wing)",
            ),
            req(
                "content",
                Kind::Str,
                "the verbatim text; long text is split into linked chunks",
            ),
            opt(
                "added_by",
                Kind::Str,
                "who files it (default: the node's name)",
            ),
            opt(
                "source",
                Kind::Str,
                "where the text came from (a path or URL)",
            ),
            opt("hall", Kind::Str, "kind of memory, such as facts or events"),
            opt("metadata", Kind::StrMap, "free-form string metadata"),
        ],
    },
    Tool {
        name: "chorus_get_drawer",
        description: "Read one drawer with its full text.",
        args: &[req("id", Kind::Str, "drawer id"), MIN_INDEX],
    },
    Tool {
        name: "chorus_list_drawers",
        description: "List drawers in (wing, room, id) order, optionally only one wing or one room of a wing.",
        args: &[
            opt("wing", Kind::Str, "only this wing"),
            opt("room", Kind::Str, "only this room (needs wing)"),
            LIMIT,
            CURSOR,
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_update_drawer",
        description: "Replace a drawer's text and/or its whole metadata map; the id stays.",
        args: &[
            req("id", Kind::Str, "drawer id"),
            opt("content", Kind::Str, "new text"),
            opt(
                "metadata",
                Kind::StrMap,
                "new metadata (replaces the whole map)",
            ),
        ],
    },
    Tool {
        name: "chorus_delete_drawer",
        description: "Delete a drawer and all its chunks.",
        args: &[req("id", Kind::Str, "drawer id")],
    },
    Tool {
        name: "chorus_kg_add",
        description: "Add a fact (subject, predicate, object) to the temporal knowledge graph, optionally valid from/to a time (ms since the epoch).",
        args: &[
            req("subject", Kind::Str, "subject entity"),
            req("predicate", Kind::Str, "predicate, such as works_on"),
            req("object", Kind::Str, "object entity"),
            opt("valid_from", MS, "start of validity, ms since the epoch"),
            opt(
                "valid_to",
                MS,
                "end of validity (exclusive), ms since the epoch",
            ),
            opt(
                "confidence",
                Kind::Unit,
                "confidence from 0 to 1 (default 1)",
            ),
            opt("source_drawer", Kind::Str, "drawer the fact was taken from"),
        ],
    },
    Tool {
        name: "chorus_kg_query",
        description: "Facts about an entity, optionally only those valid at a time (as_of, ms since the epoch).",
        args: &[
            req("entity", Kind::Str, "entity name"),
            opt(
                "as_of",
                MS,
                "only facts valid at this time, ms since the epoch",
            ),
            opt(
                "direction",
                Kind::Enum(&["out", "in", "both"]),
                "out: entity is the subject; in: the object; both (default)",
            ),
            LIMIT,
            CURSOR,
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_kg_invalidate",
        description: "Close the open facts (subject, predicate, object): they stop being valid at ended_at_ms (default: now).",
        args: &[
            req("subject", Kind::Str, "subject entity"),
            req("predicate", Kind::Str, "predicate"),
            req("object", Kind::Str, "object entity"),
            opt("ended_at_ms", MS, "end of validity, ms since the epoch"),
        ],
    },
    Tool {
        name: "chorus_kg_timeline",
        description: "Facts about an entity in the order they became valid.",
        args: &[
            req("entity", Kind::Str, "entity name"),
            LIMIT,
            CURSOR,
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_create_tunnel",
        description: "Link a room of one wing to a room of another wing (for example two agents working on one topic).",
        args: &[
            req("from_wing", Kind::Str, "wing of one end"),
            req("from_room", Kind::Str, "room of one end"),
            req(
                "to_wing",
                Kind::Str,
                "wing of the other end (a different wing)",
            ),
            req("to_room", Kind::Str, "room of the other end"),
            opt("label", Kind::Str, "why the rooms are linked"),
        ],
    },
    Tool {
        name: "chorus_list_tunnels",
        description: "Tunnels between rooms, optionally only those touching a wing.",
        args: &[
            opt("wing", Kind::Str, "only tunnels with an end in this wing"),
            LIMIT,
            CURSOR,
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_delete_tunnel",
        description: "Delete a tunnel.",
        args: &[req("id", Kind::Str, "tunnel id")],
    },
    Tool {
        name: "chorus_diary_write",
        description: "Append an entry to an agent's diary.",
        args: &[
            req("agent", Kind::Str, "agent name"),
            req("text", Kind::Str, "entry text"),
            opt("topic", Kind::Str, "topic"),
        ],
    },
    Tool {
        name: "chorus_diary_read",
        description: "The last entries of an agent's diary, newest first.",
        args: &[
            req("agent", Kind::Str, "agent name"),
            LIMIT,
            CURSOR,
            MIN_INDEX,
        ],
    },
];

/// `tools/list` entries.
pub fn list() -> Vec<Value> {
    TOOLS
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "description": t.description,
                "inputSchema": input_schema(t.args),
            })
        })
        .collect()
}

fn s(a: &Map<String, Value>, k: &str) -> Option<String> {
    a.get(k).and_then(Value::as_str).map(str::to_string)
}

fn n(a: &Map<String, Value>, k: &str) -> Option<u64> {
    a.get(k).and_then(Value::as_u64)
}

/// A required string (validated present before).
fn r(a: &Map<String, Value>, k: &str) -> String {
    s(a, k).unwrap_or_default()
}

/// The query of a paged read.
fn page(a: &Map<String, Value>) -> Query {
    Query::new()
        .opt("limit", n(a, "limit"))
        .opt("cursor", s(a, "cursor"))
        .opt("min_index", n(a, "min_index"))
}

/// Runs tool `name` with `args`; `Err` is a tool error message.
pub async fn call(client: &Client, name: &str, args: Option<&Value>) -> Result<Value, String> {
    let Some(tool) = TOOLS.iter().find(|t| t.name == name) else {
        let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        return Err(format!(
            "unknown tool {name:?}: expected one of {}",
            names.join(", ")
        ));
    };
    let a = validate(tool.args, args)?;
    let get = |path: String| async move { client.get::<Value>(&path).await };
    let res = match name {
        "chorus_status" => {
            get(Query::new()
                .opt("min_index", n(&a, "min_index"))
                .to("/v1/palace/status"))
            .await
        }
        "chorus_taxonomy" => get(page(&a).to("/v1/palace/taxonomy")).await,
        "chorus_search" => {
            let q = Query::new()
                .opt("q", s(&a, "query"))
                .opt("wing", s(&a, "wing"))
                .opt("room", s(&a, "room"))
                .opt("limit", n(&a, "limit"))
                .opt("min_index", n(&a, "min_index"));
            get(q.to("/v1/palace/search")).await
        }
        "chorus_check_duplicate" => {
            client
                .post("/v1/palace/duplicate", &Value::Object(a), &[])
                .await
        }
        "chorus_add_drawer" => {
            client
                .post("/v1/palace/drawers", &Value::Object(a), &[])
                .await
        }
        "chorus_get_drawer" => {
            let path = format!("/v1/palace/drawers/{}", enc(&r(&a, "id")));
            get(Query::new().opt("min_index", n(&a, "min_index")).to(&path)).await
        }
        "chorus_list_drawers" => {
            let q = page(&a)
                .opt("wing", s(&a, "wing"))
                .opt("room", s(&a, "room"));
            get(q.to("/v1/palace/drawers")).await
        }
        "chorus_update_drawer" => {
            let mut body = a.clone();
            body.remove("id");
            let path = format!("/v1/palace/drawers/{}", enc(&r(&a, "id")));
            client.patch(&path, &Value::Object(body), &[]).await
        }
        "chorus_delete_drawer" => {
            client
                .delete(&format!("/v1/palace/drawers/{}", enc(&r(&a, "id"))))
                .await
        }
        "chorus_kg_add" => {
            client
                .post("/v1/palace/kg/facts", &Value::Object(a), &[])
                .await
        }
        "chorus_kg_query" => {
            let q = page(&a)
                .opt("entity", s(&a, "entity"))
                .opt("as_of", n(&a, "as_of"))
                .opt("direction", s(&a, "direction"));
            get(q.to("/v1/palace/kg/query")).await
        }
        "chorus_kg_invalidate" => {
            client
                .post("/v1/palace/kg/invalidate", &Value::Object(a), &[])
                .await
        }
        "chorus_kg_timeline" => {
            let q = page(&a).opt("entity", s(&a, "entity"));
            get(q.to("/v1/palace/kg/timeline")).await
        }
        "chorus_create_tunnel" => {
            let body = json!({
                "a": {"wing": r(&a, "from_wing"), "room": r(&a, "from_room")},
                "b": {"wing": r(&a, "to_wing"), "room": r(&a, "to_room")},
                "label": s(&a, "label"),
            });
            client.post("/v1/palace/tunnels", &body, &[]).await
        }
        "chorus_list_tunnels" => {
            let q = page(&a).opt("wing", s(&a, "wing"));
            get(q.to("/v1/palace/tunnels")).await
        }
        "chorus_delete_tunnel" => {
            client
                .delete(&format!("/v1/palace/tunnels/{}", enc(&r(&a, "id"))))
                .await
        }
        "chorus_diary_write" => {
            let path = format!("/v1/palace/diaries/{}", enc(&r(&a, "agent")));
            let body = json!({"text": r(&a, "text"), "topic": s(&a, "topic")});
            client.post(&path, &body, &[]).await
        }
        "chorus_diary_read" => {
            let path = format!("/v1/palace/diaries/{}", enc(&r(&a, "agent")));
            get(page(&a).to(&path)).await
        }
        other => return Err(format!("tool {other:?} has no handler")),
    };
    res.map_err(|e| match e {
        chorus_client::Error::Api {
            status,
            code,
            message,
            field,
        } => match field {
            Some(f) => format!("{message} (field `{f}`, {code}, HTTP {status})"),
            None => format!("{message} ({code}, HTTP {status})"),
        },
        other => other.to_string(),
    })
}
