//! `chorus palace diary …`: agent diaries.

use chorus_client::{Client, types::diaries::NewDiaryEntry};
use clap::Subcommand;

use crate::{
    flags::{PageFlags, text_arg},
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
        #[command(flatten)]
        page: PageFlags,
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
        DiaryCmd::Read { agent, page } => print(&client.diary(&agent, &page.query()).await?),
    }
}
