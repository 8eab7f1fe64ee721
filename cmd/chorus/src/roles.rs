//! `chorus roles …`: the role registry.

use chorus_client::Client;
use clap::Subcommand;
use serde_json::{Value, json};

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
        RolesCmd::Set { role, recipients } => {
            let v: Value = client
                .post(
                    &format!("/v1/roles/{role}"),
                    &json!({ "recipients": recipients }),
                    &[],
                )
                .await?;
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(())
        }
        RolesCmd::List => {
            let v: Value = client.get("/v1/roles").await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(());
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
