//! `chorus palace tunnel …`: links between rooms of different wings.

use anyhow::Context;
use chorus_client::{
    Client,
    types::tunnels::{NewTunnel, TunnelQuery},
};
use chorus_palace::RoomRef;
use clap::Subcommand;

use crate::{
    flags::{PageFlags, ReadFlags},
    output::print,
};

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
        #[command(flatten)]
        page: PageFlags,
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

fn room_ref(flag: &str, s: &str) -> anyhow::Result<RoomRef> {
    let (wing, room) = s
        .split_once('/')
        .with_context(|| format!("--{flag} {s:?}: expected wing/room"))?;
    Ok(RoomRef {
        wing: wing.into(),
        room: room.into(),
    })
}

/// Runs a tunnel command.
pub async fn run(client: &Client, cmd: TunnelCmd) -> anyhow::Result<()> {
    match cmd {
        TunnelCmd::Create {
            from,
            to,
            label,
            created_by,
        } => {
            let t = NewTunnel {
                a: room_ref("from", &from)?,
                b: room_ref("to", &to)?,
                label,
                created_by,
            };
            print(&client.create_tunnel(&t, None).await?)
        }
        TunnelCmd::List { wing, page } => {
            let p = page.query();
            let q = TunnelQuery {
                wing,
                limit: p.limit,
                cursor: p.cursor,
                min_index: p.min_index,
                consistency: p.consistency,
            };
            print(&client.tunnels(&q).await?)
        }
        TunnelCmd::Get { id, read } => print(&client.tunnel(&id, &read.params()).await?),
        TunnelCmd::Delete { id } => print(&client.delete_tunnel(&id, None).await?),
    }
}
