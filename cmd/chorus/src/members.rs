//! `chorus members …`: Raft membership.

use chorus_client::Client;
use clap::Subcommand;

use crate::output::print;

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

/// Runs a membership command.
pub async fn run(client: &Client, cmd: MembersCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        MembersCmd::List => {
            let members = client.members().await?;
            if json {
                return print(&members);
            }
            println!(
                "{:<22} {:<8} {:<7} {:<16} PEER",
                "RAFT ID", "ROLE", "LEADER", "NAME"
            );
            for m in members {
                println!(
                    "{:<22} {:<8} {:<7} {:<16} {}",
                    m.raft_id,
                    m.role,
                    if m.leader { "yes" } else { "" },
                    m.name,
                    m.peer_id
                );
            }
            Ok(())
        }
        MembersCmd::Promote { id } => print(&client.promote(&id).await?),
        MembersCmd::Remove { id } => print(&client.remove_member(&id).await?),
    }
}
