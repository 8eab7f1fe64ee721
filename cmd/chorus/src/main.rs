//! `chorus`: the operator CLI. Every command talks to a running node over its Unix socket or
//! `--node http://host:port`; `demo` starts a small local mesh of `chorus-agent` processes.
//! Exit codes follow sysexits: 64 usage, 65 bad data, 69 node unavailable.

mod backup;
mod demo;
mod keys;
mod mcp;
mod output;
mod palace;
mod palace_cli;
mod records;
mod roles;
mod target;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "chorus", version, about = "Chorus command-line interface")]
struct Cli {
    #[command(flatten)]
    target: target::TargetArgs,
    /// Print JSON. Accepted by every command; `status` and `peers` print text without it, and
    /// every other command prints JSON either way.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start a small mesh of local nodes on loopback and show what they do.
    Demo(demo::DemoArgs),
    /// Show the node's status.
    Status,
    /// List the cluster peers the node knows.
    Peers,
    /// The palace: the mesh's shared memory.
    #[command(subcommand)]
    Palace(palace::PalaceCmd),
    /// Serve the Model Context Protocol on stdin/stdout for AI agents (see docs/mcp.md).
    Mcp,
    /// Raft membership: voters and learners.
    #[command(subcommand)]
    Members(palace::MembersCmd),
    /// Backups of the palace: create, verify, restore.
    #[command(subcommand)]
    Backup(backup::BackupCmd),
    /// Decision records: publish, get, list, export, verify, decrypt.
    #[command(subcommand)]
    Record(records::RecordCmd),
    /// Role keys.
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// The role registry.
    #[command(subcommand)]
    Roles(roles::RolesCmd),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("chorus: cannot start the runtime: {e}");
            return ExitCode::from(71);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus: {e:#}");
            let code = e
                .downcast_ref::<chorus_client::Error>()
                .map(|c| c.exit_code())
                .or_else(|| {
                    e.downcast_ref::<chorus_node::RestoreError>()
                        .map(|r| match r {
                            chorus_node::RestoreError::DataDir(
                                chorus_node::DataDirError::Locked { .. },
                            ) => 75,
                            _ => 74,
                        })
                })
                .or_else(|| e.downcast_ref::<output::BadData>().map(|_| 65))
                .unwrap_or(70);
            ExitCode::from(u8::try_from(code).unwrap_or(70))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => demo::run(args).await,
        Command::Status => {
            let client = cli.target.client()?;
            let status: chorus_types::status::Status = client.get("/v1/status").await?;
            output::status(&status, cli.json)
        }
        Command::Peers => {
            let client = cli.target.client()?;
            let peers: Vec<serde_json::Value> = client.get("/v1/peers").await?;
            output::peers(&peers, cli.json)
        }
        Command::Palace(cmd) => palace::palace(&cli.target.client()?, cmd).await,
        Command::Mcp => mcp::run(cli.target.client()?).await,
        Command::Members(cmd) => palace::members(&cli.target.client()?, cmd, cli.json).await,
        Command::Backup(cmd) => backup::run(&cli.target, cmd, cli.json).await,
        Command::Record(cmd) => records::run(&cli.target, cmd, cli.json).await,
        Command::Keys(cmd) => keys::run(&cli.target, cmd, cli.json),
        Command::Roles(cmd) => roles::run(&cli.target.client()?, cmd, cli.json).await,
    }
}
