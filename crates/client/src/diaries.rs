//! Agent diaries.

use chorus_api_types::{
    Read, Written,
    diaries::{DiaryAppended, NewDiaryEntry},
    paths::{self, fill},
    query::{PageQuery, with_query},
};
use chorus_palace::{DiaryEntry, Page};

use crate::{Client, Error, client::key_header};

impl Client {
    /// Appends an entry to `agent`'s diary.
    pub async fn append_diary(
        &self,
        agent: &str,
        entry: &NewDiaryEntry,
        key: Option<&str>,
    ) -> Result<Written<DiaryAppended>, Error> {
        self.post(&fill(paths::DIARY, agent), entry, &key_header(key))
            .await
    }

    /// `agent`'s entries, newest first.
    pub async fn diary(
        &self,
        agent: &str,
        query: &PageQuery,
    ) -> Result<Read<Page<DiaryEntry>>, Error> {
        self.get(&with_query(&fill(paths::DIARY, agent), query))
            .await
    }
}
