//! `chorus keys …`: role identities.

use std::path::PathBuf;

use chorus_crypto::RoleIdentity;
use clap::Subcommand;

use crate::target::TargetArgs;

/// Key commands.
#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Generate an age identity for ROLE (mode 0600) and print its public recipient.
    GenRole {
        /// Role name.
        role: String,
        /// Where to write it (default: `<data-dir>/keys/roles/ROLE.age`, which the node uses).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a key command. Needs no node.
pub fn run(target: &TargetArgs, cmd: KeysCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        KeysCmd::GenRole { role, out } => {
            let (path, identity) = match out {
                Some(p) => {
                    let id = RoleIdentity::generate();
                    id.write_new(&p, &role)?;
                    (p, id)
                }
                None => {
                    let dir = target.data_dir.clone().ok_or_else(|| {
                        anyhow::anyhow!("--out FILE or --data-dir (CHORUS_DATA_DIR) is required")
                    })?;
                    RoleIdentity::generate_file(&dir.join("keys/roles"), &role)?
                }
            };
            eprintln!(
                "wrote the {role} identity to {} (mode 0600)",
                path.display()
            );
            if json {
                let v = serde_json::json!({
                    "role": role,
                    "file": path.display().to_string(),
                    "recipient": identity.recipient().to_string(),
                });
                println!("{v}");
            } else {
                println!("{}", identity.recipient());
            }
            Ok(())
        }
    }
}
