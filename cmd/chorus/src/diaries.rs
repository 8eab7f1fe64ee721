//! `chorus palace diary …`: agent diaries.

use chorus_client::{
    Client,
    types::{diaries::NewDiaryEntry, query::PageQuery},
};
use clap::Subcommand;

use crate::{
    flags::{ReadFlags, text_arg},
    output::print,
};

/// Diary commands.
#[derive(Subcommand, Debug)]
pub enum DiaryCmd {
    /// Append an entry to an agent's diary.
    Write {
        /// Agent name.
        agent: String,
        /// Entry text (`-` reads standard input).
        text: String,
        /// Topic.
        #[arg(long)]
        topic: Option<String>,
    },
    /// The last entries of an agent's diary, newest first.
    Read {
        /// Agent name.
        agent: String,
        /// Page size.
        #[arg(long)]
        limit: Option<usize>,
        /// Cursor of the previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        read: ReadFlags,
    },
}

/// Runs a diary command.
pub async fn run(client: &Client, cmd: DiaryCmd) -> anyhow::Result<()> {
    match cmd {
        DiaryCmd::Write { agent, text, topic } => {
            let entry = NewDiaryEntry {
                text: text_arg(text)?,
                topic,
            };
            print(&client.append_diary(&agent, &entry, None).await?)
        }
        DiaryCmd::Read {
            agent,
            limit,
            cursor,
            read,
        } => {
            let q = PageQuery {
                limit,
                cursor,
                min_index: read.min_index,
                consistency: read.consistency(),
            };
            print(&client.diary(&agent, &q).await?)
        }
    }
}
