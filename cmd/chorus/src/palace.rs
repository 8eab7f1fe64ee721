//! `chorus palace …` and `chorus members …`.

use anyhow::Context;
use chorus_client::Client;
use clap::Subcommand;
use serde_json::{Value, json};

use crate::palace_cli::{
    DiaryCmd, KgCmd, Query, REINDEX_WAIT, ReadFlags, TunnelCmd, diary, enc, kg, metadata, print,
    text_arg, tunnel,
};

/// Palace commands.
#[derive(Subcommand, Debug)]
pub enum PalaceCmd {
    /// File a drawer of verbatim text; prints JSON with id, index, term and leader.
    Add {
        /// Wing (an agent, person or project).
        #[arg(long)]
        wing: String,
        /// Room (a topic in the wing).
        #[arg(long)]
        room: String,
        /// The text (`-` reads standard input).
        #[arg(long)]
        content: String,
        /// Who files it (default: the node's name).
        #[arg(long)]
        added_by: Option<String>,
        /// Where the text came from (a path or URL).
        #[arg(long)]
        source: Option<String>,
        /// Hall (a kind of memory, such as facts or events).
        #[arg(long)]
        hall: Option<String>,
        /// Metadata as key=value (repeatable).
        #[arg(long)]
        metadata: Vec<String>,
        /// Idempotency key: a retry with the same key applies once.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// File many drawers in one write: FILE holds a JSON array of drawers
    /// ({wing, room, content, added_by?, source?, hall?, metadata?}); `-` reads standard input.
    AddBatch {
        /// JSON file.
        file: String,
        /// Idempotency key.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Read a drawer; prints JSON.
    Get {
        /// Drawer id.
        id: String,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// List drawers, optionally in one wing or room.
    List {
        /// Only this wing.
        #[arg(long)]
        wing: Option<String>,
        /// Only this room (needs --wing).
        #[arg(long)]
        room: Option<String>,
        /// Page size (1..=1000, default 50).
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Replace a drawer's content and/or its metadata.
    Update {
        /// Drawer id.
        id: String,
        /// New text (`-` reads standard input).
        #[arg(long)]
        content: Option<String>,
        /// New metadata as key=value (repeatable; replaces the whole map).
        #[arg(long)]
        metadata: Vec<String>,
    },
    /// Delete a drawer.
    Delete {
        /// Drawer id.
        id: String,
    },
    /// Is this exact text already filed in the room?
    Duplicate {
        /// Wing.
        #[arg(long)]
        wing: String,
        /// Room.
        #[arg(long)]
        room: String,
        /// The text (`-` reads standard input).
        #[arg(long)]
        content: String,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Wings, rooms and their drawer counts.
    Taxonomy {
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Counts of everything in the palace and the state of the search index.
    Status {
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Full-text search (BM25; "exact phrase", +must, -not).
    Search {
        /// The query.
        query: String,
        /// Only this wing.
        #[arg(long)]
        wing: Option<String>,
        /// Only this room.
        #[arg(long)]
        room: Option<String>,
        /// Most hits (1..=100, default 10).
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        read: ReadFlags,
    },
    /// Rebuild this node's search index from scratch.
    Reindex,
    /// The knowledge graph.
    #[command(subcommand)]
    Kg(KgCmd),
    /// Tunnels between rooms of different wings.
    #[command(subcommand)]
    Tunnel(TunnelCmd),
    /// Agent diaries.
    #[command(subcommand)]
    Diary(DiaryCmd),
}

/// Membership commands.
#[derive(Subcommand, Debug)]
pub enum MembersCmd {
    /// List voters and learners.
    List,
    /// Make a learner a voter.
    Promote {
        /// Raft id, peer id or name.
        id: String,
    },
    /// Remove a member (it is not re-added automatically).
    Remove {
        /// Raft id, peer id or name.
        id: String,
    },
}

/// Runs a palace command.
pub async fn palace(client: &Client, cmd: PalaceCmd) -> anyhow::Result<()> {
    let v: Value = match cmd {
        PalaceCmd::Add {
            wing,
            room,
            content,
            added_by,
            source,
            hall,
            metadata: meta,
            idempotency_key,
        } => {
            let body = json!({"wing": wing, "room": room, "content": text_arg(content)?,
                "added_by": added_by, "source": source, "hall": hall,
                "metadata": metadata(&meta)?});
            let headers: Vec<(&str, String)> = idempotency_key
                .map(|k| ("Idempotency-Key", k))
                .into_iter()
                .collect();
            client.post("/v1/palace/drawers", &body, &headers).await?
        }
        PalaceCmd::AddBatch {
            file,
            idempotency_key,
        } => {
            let text = if file == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("{file}: cannot read"))?
            };
            let drawers: Value = serde_json::from_str(&text)
                .with_context(|| format!("{file}: expected a JSON array of drawers"))?;
            anyhow::ensure!(
                drawers.is_array(),
                "{file}: expected a JSON array of drawers"
            );
            let headers: Vec<(&str, String)> = idempotency_key
                .map(|k| ("Idempotency-Key", k))
                .into_iter()
                .collect();
            client
                .post(
                    "/v1/palace/drawers/batch",
                    &json!({"drawers": drawers}),
                    &headers,
                )
                .await?
        }
        PalaceCmd::Get { id, read } => {
            let path = format!("/v1/palace/drawers/{}", enc(&id));
            client.get(&Query::new().read(&read).to(&path)).await?
        }
        PalaceCmd::List {
            wing,
            room,
            limit,
            cursor,
            read,
        } => {
            let q = Query::new()
                .opt("wing", wing)
                .opt("room", room)
                .opt("limit", limit)
                .opt("cursor", cursor)
                .read(&read);
            client.get(&q.to("/v1/palace/drawers")).await?
        }
        PalaceCmd::Update {
            id,
            content,
            metadata: meta,
        } => {
            let mut body = json!({});
            if let Some(c) = content {
                body["content"] = json!(text_arg(c)?);
            }
            if !meta.is_empty() {
                body["metadata"] = metadata(&meta)?;
            }
            let path = format!("/v1/palace/drawers/{}", enc(&id));
            client.patch(&path, &body, &[]).await?
        }
        PalaceCmd::Delete { id } => {
            client
                .delete(&format!("/v1/palace/drawers/{}", enc(&id)))
                .await?
        }
        PalaceCmd::Duplicate {
            wing,
            room,
            content,
            read,
        } => {
            let body = json!({"wing": wing, "room": room, "content": text_arg(content)?,
                "min_index": read.min_index,
                "consistency": read.linearizable.then_some("linearizable")});
            client.post("/v1/palace/duplicate", &body, &[]).await?
        }
        PalaceCmd::Taxonomy {
            limit,
            cursor,
            read,
        } => {
            let q = Query::new()
                .opt("limit", limit)
                .opt("cursor", cursor)
                .read(&read);
            client.get(&q.to("/v1/palace/taxonomy")).await?
        }
        PalaceCmd::Status { read } => {
            client
                .get(&Query::new().read(&read).to("/v1/palace/status"))
                .await?
        }
        PalaceCmd::Search {
            query,
            wing,
            room,
            limit,
            read,
        } => {
            let q = Query::new()
                .opt("q", Some(query))
                .opt("wing", wing)
                .opt("room", room)
                .opt("limit", limit)
                .read(&read);
            client.get(&q.to("/v1/palace/search")).await?
        }
        PalaceCmd::Reindex => {
            client
                .clone()
                .with_timeout(REINDEX_WAIT)
                .post("/v1/palace/reindex", &json!({}), &[])
                .await?
        }
        PalaceCmd::Kg(cmd) => return kg(client, cmd).await,
        PalaceCmd::Tunnel(cmd) => return tunnel(client, cmd).await,
        PalaceCmd::Diary(cmd) => return diary(client, cmd).await,
    };
    print(&v)
}

/// Runs a membership command.
pub async fn members(client: &Client, cmd: MembersCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        MembersCmd::List => {
            let v: Vec<Value> = client.get("/v1/members").await?;
            if json {
                return print(&Value::Array(v));
            }
            println!(
                "{:<22} {:<8} {:<7} {:<16} PEER",
                "RAFT ID", "ROLE", "LEADER", "NAME"
            );
            for m in v {
                println!(
                    "{:<22} {:<8} {:<7} {:<16} {}",
                    m["raft_id"],
                    m["role"].as_str().unwrap_or("?"),
                    if m["leader"].as_bool() == Some(true) {
                        "yes"
                    } else {
                        ""
                    },
                    m["name"].as_str().unwrap_or("?"),
                    m["peer_id"].as_str().unwrap_or("?")
                );
            }
            Ok(())
        }
        MembersCmd::Promote { id } => {
            let v: Value = client
                .post(
                    &format!("/v1/members/{}/promote", enc(&id)),
                    &json!({}),
                    &[],
                )
                .await?;
            print(&v)
        }
        MembersCmd::Remove { id } => {
            let v: Value = client.delete(&format!("/v1/members/{}", enc(&id))).await?;
            print(&v)
        }
    }
}
