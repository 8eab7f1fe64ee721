//! `chorus palace …` beyond single drawers: batch, lists, search, knowledge graph, tunnels and
//! diaries. Every command prints the node's JSON answer.

use std::time::Duration;

use anyhow::Context;
use chorus_client::Client;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Flags every read takes.
#[derive(Args, Debug, Clone, Default)]
pub struct ReadFlags {
    /// Wait until the node has applied this index (read-your-writes).
    #[arg(long)]
    pub min_index: Option<u64>,
    /// Confirm with the leader first (linearizable).
    #[arg(long)]
    pub linearizable: bool,
}

/// Builds `?k=v&…` from the pairs whose value is set, percent-encoding values.
pub struct Query(Vec<(String, String)>);

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Query(Vec::new())
    }

    /// Adds `key=value` when `value` is set.
    pub fn opt<T: ToString>(mut self, key: &str, value: Option<T>) -> Self {
        if let Some(v) = value {
            self.0.push((key.to_string(), v.to_string()));
        }
        self
    }

    /// Adds the read flags.
    pub fn read(self, r: &ReadFlags) -> Self {
        self.opt("min_index", r.min_index)
            .opt("consistency", r.linearizable.then_some("linearizable"))
    }

    /// `path` with the query appended.
    pub fn to(&self, path: &str) -> String {
        if self.0.is_empty() {
            return path.to_string();
        }
        let q: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        format!("{path}?{}", q.join("&"))
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Prints JSON.
pub fn print(v: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Reads `text`, or standard input when it is `-`.
pub fn text_arg(text: String) -> anyhow::Result<String> {
    if text == "-" {
        Ok(std::io::read_to_string(std::io::stdin())?)
    } else {
        Ok(text)
    }
}

/// Parses `key=value` pairs into a JSON object.
pub fn metadata(pairs: &[String]) -> anyhow::Result<Value> {
    let mut m = serde_json::Map::new();
    for p in pairs {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--metadata {p:?}: expected key=value"))?;
        m.insert(k.to_string(), json!(v));
    }
    Ok(Value::Object(m))
}

/// Knowledge-graph commands.
#[derive(Subcommand, Debug)]
pub enum KgCmd {
    /// Add a fact `subject predicate object`.
    Add {
        /// Subject entity.
        subject: String,
        /// Predicate, such as works_on.
        predicate: String,
        /// Object entity.
        object: String,
        /// Start of validity, ms since the epoch.
        #[arg(long)]
        valid_from: Option<u64>,
        /// End of validity (exclusive), ms since the epoch.
        #[arg(long)]
        valid_to: Option<u64>,
        /// Confidence in 0..=1.
        #[arg(long)]
        confidence: Option<f64>,
        /// Drawer the fact came from.
        #[arg(long)]
        source_drawer: Option<String>,
    },
    /// Create an entity or set its kind.
    Entity {
        /// Entity name.
        name: String,
        /// Kind, such as person or project.
        #[arg(long)]
        kind: Option<String>,
    },
    /// Facts about an entity, optionally as of a time.
    Query {
        /// Entity name.
        entity: String,
        /// Only facts valid at this time (ms since the epoch).
        #[arg(long)]
        as_of: Option<u64>,
        /// out (entity is subject), in (entity is object) or both.
        #[arg(long)]
        direction: Option<String>,
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Close the open facts `subject predicate object`.
    Invalidate {
        /// Subject entity.
        subject: String,
        /// Predicate.
        predicate: String,
        /// Object entity.
        object: String,
        /// End of validity, ms (default: now, as stamped by the leader).
        #[arg(long)]
        ended_at: Option<u64>,
    },
    /// Facts about an entity in time order.
    Timeline {
        /// Entity name.
        entity: String,
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Entity and fact counts.
    Stats {
        #[command(flatten)]
        read: ReadFlags,
    },
}

/// Runs a knowledge-graph command.
pub async fn kg(client: &Client, cmd: KgCmd) -> anyhow::Result<()> {
    let v: Value = match cmd {
        KgCmd::Add {
            subject,
            predicate,
            object,
            valid_from,
            valid_to,
            confidence,
            source_drawer,
        } => {
            let body = json!({"subject": subject, "predicate": predicate, "object": object,
                "valid_from": valid_from, "valid_to": valid_to, "confidence": confidence,
                "source_drawer": source_drawer});
            client.post("/v1/palace/kg/facts", &body, &[]).await?
        }
        KgCmd::Entity { name, kind } => {
            let body = json!({"name": name, "kind": kind});
            client.post("/v1/palace/kg/entities", &body, &[]).await?
        }
        KgCmd::Query {
            entity,
            as_of,
            direction,
            limit,
            cursor,
            read,
        } => {
            let q = Query::new()
                .opt("entity", Some(entity))
                .opt("as_of", as_of)
                .opt("direction", direction)
                .opt("limit", limit)
                .opt("cursor", cursor)
                .read(&read);
            client.get(&q.to("/v1/palace/kg/query")).await?
        }
        KgCmd::Invalidate {
            subject,
            predicate,
            object,
            ended_at,
        } => {
            let body = json!({"subject": subject, "predicate": predicate, "object": object,
                "ended_at_ms": ended_at});
            client.post("/v1/palace/kg/invalidate", &body, &[]).await?
        }
        KgCmd::Timeline {
            entity,
            limit,
            cursor,
            read,
        } => {
            let q = Query::new()
                .opt("entity", Some(entity))
                .opt("limit", limit)
                .opt("cursor", cursor)
                .read(&read);
            client.get(&q.to("/v1/palace/kg/timeline")).await?
        }
        KgCmd::Stats { read } => {
            client
                .get(&Query::new().read(&read).to("/v1/palace/kg/stats"))
                .await?
        }
    };
    print(&v)
}

/// Tunnel commands.
#[derive(Subcommand, Debug)]
pub enum TunnelCmd {
    /// Link a room to a room of another wing.
    Create {
        /// One end, as wing/room.
        #[arg(long)]
        from: String,
        /// The other end, as wing/room.
        #[arg(long)]
        to: String,
        /// Why the rooms are linked.
        #[arg(long)]
        label: Option<String>,
        /// Who creates it (default: the node's name).
        #[arg(long)]
        created_by: Option<String>,
    },
    /// List tunnels, or those with an end in a wing.
    List {
        /// Only tunnels touching this wing.
        #[arg(long)]
        wing: Option<String>,
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Show a tunnel.
    Get {
        /// Tunnel id.
        id: String,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Delete a tunnel.
    Delete {
        /// Tunnel id.
        id: String,
    },
}

fn room_ref(flag: &str, s: &str) -> anyhow::Result<Value> {
    let (wing, room) = s
        .split_once('/')
        .with_context(|| format!("--{flag} {s:?}: expected wing/room"))?;
    Ok(json!({"wing": wing, "room": room}))
}

/// Runs a tunnel command.
pub async fn tunnel(client: &Client, cmd: TunnelCmd) -> anyhow::Result<()> {
    let v: Value = match cmd {
        TunnelCmd::Create {
            from,
            to,
            label,
            created_by,
        } => {
            let body = json!({"a": room_ref("from", &from)?, "b": room_ref("to", &to)?,
                "label": label, "created_by": created_by});
            client.post("/v1/palace/tunnels", &body, &[]).await?
        }
        TunnelCmd::List {
            wing,
            limit,
            cursor,
            read,
        } => {
            let q = Query::new()
                .opt("wing", wing)
                .opt("limit", limit)
                .opt("cursor", cursor)
                .read(&read);
            client.get(&q.to("/v1/palace/tunnels")).await?
        }
        TunnelCmd::Get { id, read } => {
            let path = format!("/v1/palace/tunnels/{}", enc(&id));
            client.get(&Query::new().read(&read).to(&path)).await?
        }
        TunnelCmd::Delete { id } => {
            client
                .delete(&format!("/v1/palace/tunnels/{}", enc(&id)))
                .await?
        }
    };
    print(&v)
}

/// Diary commands.
#[derive(Subcommand, Debug)]
pub enum DiaryCmd {
    /// Append an entry to an agent's diary.
    Write {
        /// Agent name.
        agent: String,
        /// Entry text (`-` reads standard input).
        text: String,
        /// Topic.
        #[arg(long)]
        topic: Option<String>,
    },
    /// The last entries of an agent's diary, newest first.
    Read {
        /// Agent name.
        agent: String,
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
}

/// Runs a diary command.
pub async fn diary(client: &Client, cmd: DiaryCmd) -> anyhow::Result<()> {
    let v: Value = match cmd {
        DiaryCmd::Write { agent, text, topic } => {
            let body = json!({"text": text_arg(text)?, "topic": topic});
            let path = format!("/v1/palace/diaries/{}", enc(&agent));
            client.post(&path, &body, &[]).await?
        }
        DiaryCmd::Read {
            agent,
            limit,
            cursor,
            read,
        } => {
            let q = Query::new()
                .opt("limit", limit)
                .opt("cursor", cursor)
                .read(&read);
            let path = format!("/v1/palace/diaries/{}", enc(&agent));
            client.get(&q.to(&path)).await?
        }
    };
    print(&v)
}

/// Longest the CLI waits for a reindex.
pub const REINDEX_WAIT: Duration = Duration::from_secs(600);
