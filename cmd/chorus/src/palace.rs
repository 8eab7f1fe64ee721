//! `chorus palace …` and `chorus members …`.

use chorus_client::Client;
use clap::Subcommand;
use serde_json::{Value, json};

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
        /// Idempotency key: a retry with the same key applies once.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Read a drawer; prints JSON.
    Get {
        /// Drawer id.
        id: String,
        /// Wait until the node has applied this index (read-your-writes).
        #[arg(long)]
        min_index: Option<u64>,
        /// Confirm with the leader first (linearizable).
        #[arg(long)]
        linearizable: bool,
    },
    /// Delete a drawer.
    Delete {
        /// Drawer id.
        id: String,
    },
}

/// Membership commands.
#[derive(Subcommand, Debug)]
pub enum MembersCmd {
    /// List voters and learners.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
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

fn print(v: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn enc(s: &str) -> String {
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

/// Runs a palace command.
pub async fn palace(client: &Client, cmd: PalaceCmd) -> anyhow::Result<()> {
    match cmd {
        PalaceCmd::Add {
            wing,
            room,
            content,
            added_by,
            idempotency_key,
        } => {
            let content = if content == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                content
            };
            let mut body = json!({"wing": wing, "room": room, "content": content});
            if let Some(a) = added_by {
                body["added_by"] = json!(a);
            }
            let headers: Vec<(&str, String)> = idempotency_key
                .map(|k| ("Idempotency-Key", k))
                .into_iter()
                .collect();
            let v: Value = client.post("/v1/palace/drawers", &body, &headers).await?;
            print(&v)
        }
        PalaceCmd::Get {
            id,
            min_index,
            linearizable,
        } => {
            let mut q = Vec::new();
            if let Some(n) = min_index {
                q.push(format!("min_index={n}"));
            }
            if linearizable {
                q.push("consistency=linearizable".to_string());
            }
            let path = format!(
                "/v1/palace/drawers/{}{}{}",
                enc(&id),
                if q.is_empty() { "" } else { "?" },
                q.join("&")
            );
            let v: Value = client.get(&path).await?;
            print(&v)
        }
        PalaceCmd::Delete { id } => {
            let v: Value = client
                .delete(&format!("/v1/palace/drawers/{}", enc(&id)))
                .await?;
            print(&v)
        }
    }
}

/// Runs a membership command.
pub async fn members(client: &Client, cmd: MembersCmd) -> anyhow::Result<()> {
    match cmd {
        MembersCmd::List { json } => {
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
