//! `chorus palace …`: drawers, search and the palace's counts; the knowledge graph, tunnels and
//! diaries have their own modules. Every command prints the node's JSON answer.

use anyhow::Context;
use chorus_client::{
    Client,
    types::{
        drawers::{DrawerBatch, DrawerQuery, DrawerUpdate, DuplicateCheck, NewDrawer},
        search::SearchQuery,
    },
};
use clap::Subcommand;

use crate::{
    diaries,
    flags::{PageFlags, ReadFlags, metadata, text_arg},
    kg,
    output::{bad_data, print},
    tunnels,
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
        #[command(flatten)]
        page: PageFlags,
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
        #[command(flatten)]
        page: PageFlags,
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
    Kg(kg::KgCmd),
    /// Tunnels between rooms of different wings.
    #[command(subcommand)]
    Tunnel(tunnels::TunnelCmd),
    /// Agent diaries.
    #[command(subcommand)]
    Diary(diaries::DiaryCmd),
}

/// Runs a palace command.
pub async fn run(client: &Client, cmd: PalaceCmd) -> anyhow::Result<()> {
    match cmd {
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
            let d = NewDrawer {
                wing,
                room,
                content: text_arg(content)?,
                added_by,
                source,
                hall,
                metadata: metadata(&meta)?,
            };
            print(&client.add_drawer(&d, idempotency_key.as_deref()).await?)
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
            let drawers: Vec<NewDrawer> = serde_json::from_str(&text)
                .map_err(|e| bad_data(format!("{file}: expected a JSON array of drawers: {e}")))?;
            let batch = DrawerBatch { drawers };
            print(
                &client
                    .add_drawers(&batch, idempotency_key.as_deref())
                    .await?,
            )
        }
        PalaceCmd::Get { id, read } => print(&client.drawer(&id, &read.params()).await?),
        PalaceCmd::List { wing, room, page } => {
            let p = page.query();
            let q = DrawerQuery {
                wing,
                room,
                limit: p.limit,
                cursor: p.cursor,
                min_index: p.min_index,
                consistency: p.consistency,
            };
            print(&client.drawers(&q).await?)
        }
        PalaceCmd::Update {
            id,
            content,
            metadata: meta,
        } => {
            let u = DrawerUpdate {
                content: content.map(text_arg).transpose()?,
                metadata: (!meta.is_empty()).then(|| metadata(&meta)).transpose()?,
            };
            print(&client.update_drawer(&id, &u, None).await?)
        }
        PalaceCmd::Delete { id } => print(&client.delete_drawer(&id, None).await?),
        PalaceCmd::Duplicate {
            wing,
            room,
            content,
            read,
        } => {
            let check = DuplicateCheck {
                wing,
                room,
                content: text_arg(content)?,
                min_index: read.min_index,
                consistency: read.consistency(),
            };
            print(&client.check_duplicate(&check).await?)
        }
        PalaceCmd::Taxonomy { page } => print(&client.taxonomy(&page.query()).await?),
        PalaceCmd::Status { read } => print(&client.palace_status(&read.params()).await?),
        PalaceCmd::Search {
            query,
            wing,
            room,
            limit,
            read,
        } => {
            let q = SearchQuery {
                q: query,
                wing,
                room,
                limit,
                min_index: read.min_index,
                consistency: read.consistency(),
            };
            print(&client.search(&q).await?)
        }
        PalaceCmd::Reindex => print(&client.reindex().await?),
        PalaceCmd::Kg(cmd) => kg::run(client, cmd).await,
        PalaceCmd::Tunnel(cmd) => tunnels::run(client, cmd).await,
        PalaceCmd::Diary(cmd) => diaries::run(client, cmd).await,
    }
}
