//! The tools: one table says what each is called, what it takes and which client call it makes.
//! `tools/list` and `tools/call` both read it, so a tool cannot be listed without a handler or
//! handled without being listed. Adding a tool: an entry here with a handler below.

use std::{future::Future, pin::Pin};

use chorus_client::{
    Client,
    types::{
        ReadParams,
        diaries::NewDiaryEntry,
        drawers::{DrawerQuery, DrawerUpdate, DuplicateCheck, NewDrawer},
        kg::{Invalidate, KgQuery, NewFact},
        query::PageQuery,
        records::{NewRecord, RecordQuery},
        search::SearchQuery,
        tunnels::{NewTunnel, TunnelQuery},
    },
};
use chorus_palace::RoomRef;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};

use crate::schema::{Arg, Kind, input_schema, opt, req, validate};

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

/// Validated tool arguments.
pub type Args = Map<String, Value>;

/// What a handler answers: the node's answer as JSON, or a tool error message.
pub type Reply<'a> = Pin<Box<dyn Future<Output = Result<Value, String>> + Send + 'a>>;

/// A handler: calls the node with the validated arguments.
pub type Handler = for<'a> fn(&'a Client, Args) -> Reply<'a>;

/// One tool.
pub struct Tool {
    /// `chorus_<verb>`.
    pub name: &'static str,
    /// What it does, for the model.
    pub description: &'static str,
    /// Its arguments.
    pub args: &'static [Arg],
    /// What it does.
    pub call: Handler,
}

/// Every tool, in the order `tools/list` shows them.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "chorus_status",
        call: status,
        description: "Counts of everything in the shared palace (drawers, wings, rooms, facts, tunnels, diary entries) and the state of this node's search index.",
        args: &[MIN_INDEX],
    },
    Tool {
        name: "chorus_taxonomy",
        call: taxonomy,
        description: "Wings (agents, people, projects), their rooms (topics) and how many drawers each room holds.",
        args: &[LIMIT, CURSOR, MIN_INDEX],
    },
    Tool {
        name: "chorus_search",
        call: search,
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
        call: check_duplicate,
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
        call: add_drawer,
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
        call: get_drawer,
        description: "Read one drawer with its full text.",
        args: &[req("id", Kind::Str, "drawer id"), MIN_INDEX],
    },
    Tool {
        name: "chorus_list_drawers",
        call: list_drawers,
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
        call: update_drawer,
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
        call: delete_drawer,
        description: "Delete a drawer and all its chunks.",
        args: &[req("id", Kind::Str, "drawer id")],
    },
    Tool {
        name: "chorus_kg_add",
        call: kg_add,
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
        call: kg_query,
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
        call: kg_invalidate,
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
        call: kg_timeline,
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
        call: create_tunnel,
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
        call: list_tunnels,
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
        call: delete_tunnel,
        description: "Delete a tunnel.",
        args: &[req("id", Kind::Str, "tunnel id")],
    },
    Tool {
        name: "chorus_diary_write",
        call: diary_write,
        description: "Append an entry to an agent's diary.",
        args: &[
            req("agent", Kind::Str, "agent name"),
            req("text", Kind::Str, "entry text"),
            opt("topic", Kind::Str, "topic"),
        ],
    },
    Tool {
        name: "chorus_diary_read",
        call: diary_read,
        description: "The last entries of an agent's diary, newest first.",
        args: &[
            req("agent", Kind::Str, "agent name"),
            LIMIT,
            CURSOR,
            MIN_INDEX,
        ],
    },
    Tool {
        name: "chorus_record_publish",
        call: record_publish,
        description: "Publish a decision record: signed with this node's identity, encrypted to the reader roles, kept in the palace and announced on the mesh. The address's version is replaced by the next one. Returns cid, address and version.",
        args: &[
            req(
                "address",
                Kind::Str,
                "UCXL address, ucxl://agent:role@project:task/path",
            ),
            req(
                "roles",
                Kind::StrList { max: 32 },
                "roles that may read it (admin always can), at most 32",
            ),
            opt(
                "text",
                Kind::Str,
                "the body as text (give text or body_b64)",
            ),
            opt("body_b64", Kind::Str, "the body as base64"),
            opt(
                "content_type",
                Kind::Str,
                "media type (default text/plain for text)",
            ),
            opt("task", Kind::Str, "task the record belongs to"),
            opt(
                "parents",
                Kind::StrList { max: 64 },
                "cids of the records this one follows from, at most 64",
            ),
        ],
    },
    Tool {
        name: "chorus_record_get",
        call: record_get,
        description: "A record's verified public header (author, address, roles, parents), by cid or by UCXL address (the latest version unless the address names one). The body stays encrypted: see chorus_record_decrypt.",
        args: &[req(
            "ref",
            Kind::Str,
            "a record's cid, or a UCXL address starting with ucxl://",
        )],
    },
    Tool {
        name: "chorus_record_list",
        call: record_list,
        description: "Records kept in the palace, optionally only one project or one task.",
        args: &[
            opt("project", Kind::Str, "only this project"),
            opt("task", Kind::Str, "only this task"),
            opt(
                "limit",
                Kind::Int { max: 1000 },
                "most records, 1 to 1000 (default 100)",
            ),
        ],
    },
    Tool {
        name: "chorus_record_decrypt",
        call: record_decrypt,
        description: "Decrypt a record with the role keys this node holds; refused when it holds none of the record's reader roles.",
        args: &[req("cid", Kind::Str, "content id of the record")],
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

/// Runs tool `name` with `args`; `Err` is a tool error message.
pub async fn call(client: &Client, name: &str, args: Option<&Value>) -> Result<Value, String> {
    let Some(tool) = TOOLS.iter().find(|t| t.name == name) else {
        let names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        return Err(format!(
            "unknown tool {name:?}: expected one of {}",
            names.join(", ")
        ));
    };
    let args = validate(tool.args, args)?;
    (tool.call)(client, args).await
}

/// The node's answer as JSON, or its error as a message naming the field.
fn answer<T: Serialize>(r: Result<T, chorus_client::Error>) -> Result<Value, String> {
    match r {
        Ok(v) => serde_json::to_value(v).map_err(|e| format!("unexpected answer: {e}")),
        Err(chorus_client::Error::Api {
            status,
            code,
            message,
            field,
        }) => Err(match field {
            Some(f) => format!("{message} (field `{f}`, {code}, HTTP {status})"),
            None => format!("{message} ({code}, HTTP {status})"),
        }),
        Err(other) => Err(other.to_string()),
    }
}

/// The arguments as a request or query type whose fields they name.
fn from_args<T: DeserializeOwned>(a: Args) -> Result<T, String> {
    serde_json::from_value(Value::Object(a)).map_err(|e| format!("arguments: {e}"))
}

/// A string argument (required ones were checked present by [`validate`]).
fn text(a: &Args, k: &str) -> String {
    a.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn opt_text(a: &Args, k: &str) -> Option<String> {
    a.get(k).and_then(Value::as_str).map(str::to_string)
}

fn read(a: &Args) -> ReadParams {
    ReadParams::new(a.get("min_index").and_then(Value::as_u64), false)
}

fn status(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.palace_status(&read(&a)).await) })
}

fn taxonomy(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.taxonomy(&from_args::<PageQuery>(a)?).await) })
}

fn search(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move {
        let q = SearchQuery {
            q: text(&a, "query"),
            wing: opt_text(&a, "wing"),
            room: opt_text(&a, "room"),
            limit: a.get("limit").and_then(Value::as_u64).map(|n| n as usize),
            min_index: read(&a).min_index,
            consistency: None,
        };
        answer(c.search(&q).await)
    })
}

fn check_duplicate(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.check_duplicate(&from_args::<DuplicateCheck>(a)?).await) })
}

fn add_drawer(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.add_drawer(&from_args::<NewDrawer>(a)?, None).await) })
}

fn get_drawer(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.drawer(&text(&a, "id"), &read(&a)).await) })
}

fn list_drawers(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.drawers(&from_args::<DrawerQuery>(a)?).await) })
}

fn update_drawer(c: &Client, mut a: Args) -> Reply<'_> {
    Box::pin(async move {
        let id = text(&a, "id");
        a.remove("id");
        answer(
            c.update_drawer(&id, &from_args::<DrawerUpdate>(a)?, None)
                .await,
        )
    })
}

fn delete_drawer(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.delete_drawer(&text(&a, "id"), None).await) })
}

fn kg_add(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.add_fact(&from_args::<NewFact>(a)?, None).await) })
}

fn kg_query(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.kg_query(&from_args::<KgQuery>(a)?).await) })
}

fn kg_invalidate(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.invalidate(&from_args::<Invalidate>(a)?, None).await) })
}

fn kg_timeline(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.kg_timeline(&from_args::<KgQuery>(a)?).await) })
}

fn create_tunnel(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move {
        let end = |wing: &str, room: &str| RoomRef {
            wing: text(&a, wing),
            room: text(&a, room),
        };
        let t = NewTunnel {
            a: end("from_wing", "from_room"),
            b: end("to_wing", "to_room"),
            label: opt_text(&a, "label"),
            created_by: None,
        };
        answer(c.create_tunnel(&t, None).await)
    })
}

fn list_tunnels(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.tunnels(&from_args::<TunnelQuery>(a)?).await) })
}

fn delete_tunnel(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.delete_tunnel(&text(&a, "id"), None).await) })
}

fn diary_write(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move {
        let entry = NewDiaryEntry {
            text: text(&a, "text"),
            topic: opt_text(&a, "topic"),
        };
        answer(c.append_diary(&text(&a, "agent"), &entry, None).await)
    })
}

fn diary_read(c: &Client, mut a: Args) -> Reply<'_> {
    Box::pin(async move {
        let agent = text(&a, "agent");
        a.remove("agent");
        answer(c.diary(&agent, &from_args::<PageQuery>(a)?).await)
    })
}

fn record_publish(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move {
        // The node refuses neither or both of text and body_b64, naming them.
        answer(c.publish_record(&from_args::<NewRecord>(a)?).await)
    })
}

fn record_get(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move {
        let reference = text(&a, "ref");
        if reference.starts_with("ucxl://") {
            answer(c.record_at(&reference).await)
        } else {
            answer(c.record(&reference).await)
        }
    })
}

fn record_list(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.records(&from_args::<RecordQuery>(a)?).await) })
}

fn record_decrypt(c: &Client, a: Args) -> Reply<'_> {
    Box::pin(async move { answer(c.decrypt_record(&text(&a, "cid")).await) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of the argument's kind.
    fn sample(kind: Kind) -> Value {
        match kind {
            Kind::Str => json!("x"),
            Kind::Int { .. } => json!(1),
            Kind::Unit => json!(0.5),
            Kind::Enum(values) => json!(values[0]),
            Kind::StrMap => json!({"k": "v"}),
            Kind::StrList { .. } => json!(["x"]),
        }
    }

    /// Every listed tool, called with every argument it takes, reaches the node: its handler
    /// built a request from the arguments (a node that is not there is the only error).
    #[tokio::test]
    async fn every_listed_tool_dispatches_to_the_node() {
        let client = Client::unix("/nonexistent/chorus-mcp-test.sock");
        let listed = list();
        assert_eq!(listed.len(), TOOLS.len());
        for entry in &listed {
            let name = entry["name"].as_str().unwrap();
            let tool = TOOLS.iter().find(|t| t.name == name).unwrap();
            for all in [false, true] {
                let args: Map<String, Value> = tool
                    .args
                    .iter()
                    .filter(|a| all || a.required)
                    .map(|a| (a.name.to_string(), sample(a.kind)))
                    .collect();
                let e = call(&client, name, Some(&Value::Object(args)))
                    .await
                    .expect_err("no node runs there");
                assert!(
                    e.contains("cannot reach the node"),
                    "{name} (all arguments: {all}) did not reach the node: {e}"
                );
            }
        }
    }
}
