//! Searching: BM25 over drawer content, filtered by wing and room.

use chorus_palace::validate_name;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocId, Score, SegmentReader, TantivyDocument, Term};

use crate::error::Error;
use crate::index::Index;

/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1024;

/// Most hits one search returns.
pub const MAX_SEARCH_LIMIT: usize = 100;

/// Deepest parenthesis nesting handed to tantivy's query parser; deeper queries are searched
/// as plain terms. The parser recurses per level and overflows the stack on a few hundred.
pub const MAX_QUERY_DEPTH: usize = 16;

/// Longest snippet, in characters.
pub const SNIPPET_CHARS: usize = 200;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Id of the stored drawer that matched (a chunk part's own id for chunked drawers; its
    /// `chunk.head` in the palace gives the drawer to show).
    pub id: String,
    /// Wing.
    pub wing: String,
    /// Room.
    pub room: String,
    /// BM25 score (higher is better).
    pub score: f32,
    /// A fragment of the content around the matches (or its start, when no fragment matched).
    pub snippet: String,
}

fn check_query(query: &str) -> Result<(), Error> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Error::TooLarge {
            field: "query".into(),
            actual: query.len() as u64,
            max: MAX_QUERY_BYTES as u64,
            unit: "bytes".into(),
            limit: "MAX_QUERY_BYTES".into(),
        });
    }
    if query.trim().is_empty() {
        return Err(Error::Invalid {
            field: "query".into(),
            value: chorus_palace::quote(query),
            expected: "a non-empty query".into(),
        });
    }
    Ok(())
}

fn check_limit(limit: usize) -> Result<(), Error> {
    if limit == 0 {
        return Err(Error::Invalid {
            field: "limit".into(),
            value: "0".into(),
            expected: format!("a limit from 1 to {MAX_SEARCH_LIMIT}"),
        });
    }
    if limit > MAX_SEARCH_LIMIT {
        return Err(Error::TooLarge {
            field: "limit".into(),
            actual: limit as u64,
            max: MAX_SEARCH_LIMIT as u64,
            unit: "hits".into(),
            limit: "MAX_SEARCH_LIMIT".into(),
        });
    }
    Ok(())
}

/// Deepest parenthesis nesting of `query`.
fn nesting_depth(query: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in query.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn preview(text: &str) -> String {
    text.chars().take(SNIPPET_CHARS).collect()
}

impl Index {
    /// Parses `query` in tantivy's query language over content (`"exact phrase"`, `+must`,
    /// `-not`, `a OR b`); text that does not parse is searched as plain terms instead, so a
    /// stray quote or colon is never an error. So is a query nested deeper than
    /// [`MAX_QUERY_DEPTH`].
    fn text_query(&self, query: &str) -> Result<Box<dyn Query>, Error> {
        if nesting_depth(query) <= MAX_QUERY_DEPTH {
            let parser = QueryParser::for_index(self.tantivy(), vec![self.fields.content]);
            if let Ok(q) = parser.parse_query(query) {
                return Ok(q);
            }
        }
        let mut analyzer = self
            .tantivy()
            .tokenizer_for_field(self.fields.content)
            .map_err(|e| Error::index("search", e))?;
        let mut stream = analyzer.token_stream(query);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        while stream.advance() {
            let term = Term::from_field_text(self.fields.content, &stream.token().text);
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            ));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn filter(&self, field: tantivy::schema::Field, value: &str) -> (Occur, Box<dyn Query>) {
        let term = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        // Filters must not change scores: BM25 ranks by content only.
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(term), 0.0)),
        )
    }

    /// Up to `limit` drawers matching `query`, best first, optionally only in `wing` and/or
    /// `room`. Equal scores are ordered by drawer id, so the order does not depend on how the
    /// index is segmented (an index rebuilt from scratch answers like one maintained
    /// incrementally, as long as no deleted documents still weigh in its statistics).
    ///
    /// `query` is at most [`MAX_QUERY_BYTES`]; `limit` is 1..=[`MAX_SEARCH_LIMIT`]; `wing` and
    /// `room` are palace names. Searches see the last commit.
    pub fn search(
        &self,
        query: &str,
        wing: Option<&str>,
        room: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Hit>, Error> {
        check_query(query)?;
        check_limit(limit)?;
        if let Some(w) = wing {
            validate_name("wing", w).map_err(Error::from_palace)?;
        }
        if let Some(r) = room {
            validate_name("room", r).map_err(Error::from_palace)?;
        }
        let text = self.text_query(query)?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
        if let Some(w) = wing {
            clauses.push(self.filter(self.fields.wing, w));
        }
        if let Some(r) = room {
            clauses.push(self.filter(self.fields.room, r));
        }
        let full = BooleanQuery::new(clauses);
        let searcher = self.reader().searcher();
        let collector = TopDocs::with_limit(limit).tweak_score(|seg: &SegmentReader| {
            let order = seg
                .fast_fields()
                .u64("order")
                .ok()
                .map(|c| c.first_or_default_col(0));
            move |doc: DocId, score: Score| {
                let key = order.as_ref().map_or(0, |c| c.get_val(doc));
                // Higher sorts first: invert the key so ties come in ascending id order.
                (score, u64::MAX - key)
            }
        });
        let top = searcher
            .search(&full, &collector)
            .map_err(|e| Error::index("search", e))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*text, self.fields.content)
            .map_err(|e| Error::index("search", e))?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for ((score, _), addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| Error::index("search", e))?;
            let get = |f| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let snippet = snippets.snippet_from_doc(&doc);
            let snippet = if snippet.is_empty() {
                preview(&get(self.fields.content))
            } else {
                snippet.fragment().to_owned()
            };
            hits.push(Hit {
                id: get(self.fields.id),
                wing: get(self.fields.wing),
                room: get(self.fields.room),
                score,
                snippet,
            });
        }
        Ok(hits)
    }
}
