//! `chorus`: the operator CLI. Parses arguments, calls the node through `chorus-client`, prints
//! the answer; `mcp` serves the Model Context Protocol (`chorus-mcp`), `demo` runs
//! `chorus-demo`. Exit codes follow sysexits (`chorus_types::exit`): 64 usage, 65 bad data,
//! 69 node unavailable, 74 I/O, 75 data directory in use.

mod backup;
mod diaries;
mod flags;
mod keys;
mod kg;
mod members;
mod output;
mod palace;
mod records;
mod roles;
mod target;
mod tunnels;

use std::process::ExitCode;

use chorus_types::exit;
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
    /// Start a small mesh of local nodes on loopback and show what they do (runs chorus-demo).
    Demo {
        /// Options of chorus-demo (--nodes N, --keep, --dir DIR).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
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
    Members(members::MembersCmd),
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
            return ExitCode::from(exit::OS);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chorus: {e:#}");
            ExitCode::from(output::exit_code(&e))
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let (t, json) = (&cli.target, cli.json);
    match cli.command {
        Command::Demo { args } => output::run_sibling("chorus-demo", "CHORUS_DEMO_BIN", &args),
        Command::Status => output::status(&t.client()?.status().await?, json),
        Command::Peers => output::peers(&t.client()?.peers().await?, json),
        Command::Palace(cmd) => palace::run(&t.client()?, cmd).await,
        Command::Mcp => Ok(chorus_mcp::serve_stdio(t.client()?).await?),
        Command::Members(cmd) => members::run(&t.client()?, cmd, json).await,
        Command::Backup(cmd) => backup::run(t, cmd, json).await,
        Command::Record(cmd) => records::run(t, cmd, json).await,
        Command::Keys(cmd) => keys::run(t, cmd, json),
        Command::Roles(cmd) => roles::run(&t.client()?, cmd, json).await,
    }
}
