//! Which node the CLI talks to.

use std::path::PathBuf;

use anyhow::Context;
use chorus_client::Client;

/// `--node URL` (or `CHORUS_NODE`) with the token from `CHORUS_API_TOKEN_FILE`; otherwise the
/// Unix socket under `--data-dir` (or `CHORUS_DATA_DIR`, or `~/.chorus/<node name>`).
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// Node API URL, e.g. http://10.0.0.5:8080.
    #[arg(long, global = true, env = "CHORUS_NODE")]
    pub node: Option<String>,
    /// File holding the API bearer token.
    #[arg(long, global = true, env = "CHORUS_API_TOKEN_FILE")]
    pub token_file: Option<PathBuf>,
    /// Data directory of a local node (its socket is `<data-dir>/sockets/api.sock`).
    #[arg(long, global = true, env = "CHORUS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl TargetArgs {
    /// The client for the chosen node.
    pub fn client(&self) -> anyhow::Result<Client> {
        if let Some(url) = &self.node {
            let token = match &self.token_file {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .with_context(|| {
                            format!("CHORUS_API_TOKEN_FILE {}: cannot read", p.display())
                        })?
                        .trim()
                        .to_string(),
                ),
                None => None,
            };
            return Ok(Client::http(url, token)?);
        }
        Ok(Client::unix(
            self.local_data_dir().join(chorus_datadir::SOCKET),
        ))
    }

    /// The local node's data directory: `--data-dir`, `CHORUS_DATA_DIR`, or
    /// `~/.chorus/<node name>`.
    pub fn local_data_dir(&self) -> PathBuf {
        match &self.data_dir {
            Some(d) => d.clone(),
            None => {
                let home = std::env::var("HOME").unwrap_or_else(|_| "/var/lib".into());
                let name = std::env::var("CHORUS_NODE_NAME")
                    .ok()
                    .or_else(|| std::env::var("HOSTNAME").ok())
                    .or_else(|| {
                        std::fs::read_to_string("/etc/hostname")
                            .ok()
                            .map(|s| s.trim().to_string())
                    })
                    .unwrap_or_else(|| "chorus-node".into());
                chorus_datadir::default_root(&PathBuf::from(home), &name)
            }
        }
    }
}
