//! `chorus roles …`: the role registry.

use chorus_client::{Client, types::records::RoleRecipients};
use clap::Subcommand;
use serde_json::Value;

use crate::output::print;

/// Role registry commands.
#[derive(Subcommand, Debug)]
pub enum RolesCmd {
    /// Set ROLE's recipients (none removes it). The node must hold an admin identity.
    Set {
        /// Role name.
        role: String,
        /// Public age recipients (age1…).
        recipients: Vec<String>,
    },
    /// List roles and their recipients, and the roles this node holds.
    List,
}

/// Runs a roles command.
pub async fn run(client: &Client, cmd: RolesCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        RolesCmd::Set { role, recipients } => print(
            &client
                .set_role(&role, &RoleRecipients { recipients })
                .await?,
        ),
        RolesCmd::List => {
            let v = client.roles().await?;
            if json {
                return print(&v);
            }
            for r in v["items"].as_array().into_iter().flatten() {
                let list: Vec<&str> = r["recipients"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                println!("{}  {}", r["role"].as_str().unwrap_or(""), list.join(" "));
            }
            let held: Vec<&str> = v["held_here"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            println!("held on this node: {}", held.join(", "));
            Ok(())
        }
    }
}
