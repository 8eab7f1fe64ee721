//! Search behaviour against a real palace state.

use std::collections::BTreeMap;

use chorus_palace::{
    ApplyContext, Change, Command, Config as PalaceConfig, NewDrawer, Response, State,
};
use chorus_search::{Config, Index, MAX_QUERY_BYTES, MAX_SEARCH_LIMIT};

struct Palace {
    state: State,
    index: Index,
    next: u64,
}

impl Palace {
    fn new(commit_every: usize) -> Palace {
        Palace::with(State::default(), commit_every)
    }

    fn with(state: State, commit_every: usize) -> Palace {
        let index = Index::in_memory_with(Config {
            commit_every,
            ..Config::default()
        })
        .expect("index");
        Palace {
            state,
            index,
            next: 1,
        }
    }

    fn apply(&mut self, cmd: Command) -> (Response, Vec<Change>) {
        let ctx = ApplyContext {
            index: self.next,
            term: 1,
            now_ms: 1000 + self.next,
        };
        self.next += 1;
        let applied = self.state.apply(&ctx, cmd);
        self.index
            .apply(&self.state, &applied.changes, ctx.index)
            .expect("index apply");
        (applied.result.expect("command ok"), applied.changes)
    }

    fn add(&mut self, wing: &str, room: &str, content: &str) -> String {
        match self.apply(Command::DrawerAdd(nd(wing, room, content))).0 {
            Response::DrawerAdded(a) => a.id,
            other => panic!("{other:?}"),
        }
    }

    fn ids(&self, q: &str, wing: Option<&str>, room: Option<&str>) -> Vec<String> {
        self.index
            .search(q, wing, room, MAX_SEARCH_LIMIT)
            .expect("search")
            .into_iter()
            .map(|h| h.id)
            .collect()
    }
}

fn nd(wing: &str, room: &str, content: &str) -> NewDrawer {
    NewDrawer {
        wing: wing.into(),
        room: room.into(),
        content: content.into(),
        added_by: "test".into(),
        source: None,
        hall: None,
        metadata: BTreeMap::new(),
    }
}

fn corpus(p: &mut Palace) -> Vec<String> {
    let texts = [
        (
            "alice",
            "auth",
            "we decided to rotate the signing keys every ninety days",
        ),
        (
            "alice",
            "auth",
            "keys are stored in the vault; rotation is manual for now",
        ),
        (
            "alice",
            "ops",
            "the deploy pipeline signs images with the release key",
        ),
        (
            "bob",
            "auth",
            "signing keys rotate daily in staging, never in production",
        ),
        ("bob", "notes", "lunch: the canteen serves soup on fridays"),
        (
            "proj",
            "design",
            "the raft leader stamps time into every command it proposes",
        ),
        (
            "proj",
            "design",
            "every command carries an idempotency key so retries apply once",
        ),
    ];
    texts.iter().map(|(w, r, c)| p.add(w, r, c)).collect()
}

#[test]
fn finds_what_was_written_after_commit() {
    let mut p = Palace::new(1_000_000);
    let ids = corpus(&mut p);
    assert_eq!(p.index.num_docs(), 0, "nothing is visible before a commit");
    assert_eq!(p.index.indexed_index(), 0);
    assert_eq!(p.index.commit().expect("commit"), ids.len() as u64);
    assert_eq!(p.index.indexed_index(), ids.len() as u64);
    let hits = p
        .index
        .search("canteen soup", None, None, 10)
        .expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, ids[4]);
    assert_eq!(
        (hits[0].wing.as_str(), hits[0].room.as_str()),
        ("bob", "notes")
    );
    assert!(hits[0].snippet.contains("soup"), "{:?}", hits[0].snippet);
    assert!(hits[0].score > 0.0);
}

#[test]
fn respects_wing_and_room_filters() {
    let mut p = Palace::new(1);
    let ids = corpus(&mut p);
    let q = "key OR keys";
    assert_eq!(p.ids(q, None, None).len(), 5);
    let alice = p.ids(q, Some("alice"), None);
    assert_eq!(alice.len(), 3);
    assert!(!alice.contains(&ids[3]));
    let mut got = p.ids(q, Some("alice"), Some("auth"));
    got.sort();
    let mut expected = vec![ids[0].clone(), ids[1].clone()];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(p.ids(q, None, Some("auth")).len(), 3);
    assert!(p.ids(q, Some("nobody"), None).is_empty());
    // Filters do not change scores.
    let s_all = p.index.search("vault", None, None, 5).expect("search");
    let s_f = p
        .index
        .search("vault", Some("alice"), Some("auth"), 5)
        .expect("search");
    assert_eq!(s_all, s_f);
    let e = p
        .index
        .search("keys", Some("a/b"), None, 5)
        .expect_err("bad wing");
    assert_eq!(e.field(), Some("wing"));
}

#[test]
fn exact_phrase_ranks_first() {
    let mut p = Palace::new(1);
    let ids = corpus(&mut p);
    let phrase = p.ids("\"signing keys rotate\"", None, None);
    assert_eq!(
        phrase,
        vec![ids[3].clone()],
        "only the exact phrase matches"
    );
    // As plain terms, the first drawer is also a match, but the phrase holder still wins.
    let terms = p
        .index
        .search("signing keys rotate", None, None, 10)
        .expect("search");
    assert!(terms.len() >= 2);
    let phrase_then_terms = p.ids("\"signing keys rotate\" OR signing OR keys", None, None);
    assert_eq!(phrase_then_terms.first(), Some(&ids[3]));
}

#[test]
fn deleting_a_drawer_removes_it_from_results() {
    let mut p = Palace::new(1);
    let ids = corpus(&mut p);
    assert!(p.ids("soup", None, None).contains(&ids[4]));
    p.apply(Command::DrawerDelete { id: ids[4].clone() });
    assert!(p.ids("soup", None, None).is_empty());
    // Updating text replaces the old document.
    p.apply(Command::DrawerUpdate {
        id: ids[0].clone(),
        content: Some("completely different words now".into()),
        metadata: None,
    });
    assert!(!p.ids("ninety", None, None).contains(&ids[0]));
    assert_eq!(
        p.ids("completely different", None, None),
        vec![ids[0].clone()]
    );
}

#[test]
fn chunk_parts_are_searchable() {
    let state = State::new(PalaceConfig { chunk_bytes: 32 }).expect("config");
    let mut p = Palace::with(state, 1);
    let text = format!("{} needle at the end", "filler words here ".repeat(10));
    let head = p.add("w", "r", &text);
    let hits = p.ids("needle", None, None);
    assert_eq!(hits.len(), 1);
    let part = p.state.drawer(&hits[0]).expect("part");
    assert_eq!(
        part.chunk.as_ref().map(|c| c.head.as_str()),
        Some(head.as_str())
    );
    p.apply(Command::DrawerDelete { id: head });
    assert!(p.ids("needle", None, None).is_empty());
    assert!(p.ids("filler", None, None).is_empty());
}

#[test]
fn rebuilt_index_answers_like_the_incremental_one() {
    // Small commits make many segments in the incremental index.
    let mut p = Palace::new(3);
    corpus(&mut p);
    for i in 0..40 {
        p.add(
            ["alice", "bob", "proj"][i % 3],
            ["auth", "ops"][i % 2],
            &format!(
                "note {i} about keys and signing and rotation number {}",
                i % 7
            ),
        );
    }
    p.index.commit().expect("commit");
    let rebuilt = Index::in_memory().expect("index");
    rebuilt.rebuild(&p.state).expect("rebuild");
    assert_eq!(rebuilt.indexed_index(), p.state.applied_index());
    assert_eq!(rebuilt.num_docs(), p.index.num_docs());
    let queries = [
        "keys",
        "signing rotation",
        "\"about keys\"",
        "number 3",
        "soup OR leader",
        "note",
    ];
    for q in queries {
        for wing in [None, Some("alice")] {
            let a = p.index.search(q, wing, None, 25).expect("search");
            let b = rebuilt.search(q, wing, None, 25).expect("search");
            let ids = |h: &[chorus_search::Hit]| h.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&a), ids(&b), "query {q:?} wing {wing:?}");
        }
    }
    // After deletes the incremental index still holds deleted documents in its statistics, so
    // scores may differ slightly; the set of hits must not.
    let victims: Vec<String> = p.ids("rotation", None, None).into_iter().take(5).collect();
    for id in &victims {
        let id = p
            .state
            .drawer(id)
            .and_then(|d| d.chunk.as_ref().map(|c| c.head.clone()))
            .unwrap_or(id.clone());
        p.apply(Command::DrawerDelete { id });
    }
    p.index.commit().expect("commit");
    rebuilt.rebuild(&p.state).expect("rebuild");
    for q in queries {
        let mut a = p.ids(q, None, None);
        let mut b: Vec<String> = rebuilt
            .search(q, None, None, MAX_SEARCH_LIMIT)
            .expect("s")
            .into_iter()
            .map(|h| h.id)
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "query {q:?}");
    }
}

#[test]
fn bad_queries_are_errors_naming_the_field_or_plain_terms() {
    let mut p = Palace::new(1);
    corpus(&mut p);
    let long = "a".repeat(MAX_QUERY_BYTES + 1);
    let e = p.index.search(&long, None, None, 10).expect_err("too long");
    assert_eq!(e.field(), Some("query"));
    assert!(
        e.to_string().contains(&(MAX_QUERY_BYTES + 1).to_string()),
        "{e}"
    );
    assert!(e.to_string().contains("MAX_QUERY_BYTES"), "{e}");
    assert_eq!(
        p.index
            .search("  ", None, None, 10)
            .expect_err("empty")
            .field(),
        Some("query")
    );
    assert_eq!(
        p.index
            .search("x", None, None, 0)
            .expect_err("zero")
            .field(),
        Some("limit")
    );
    assert_eq!(
        p.index
            .search("x", None, None, MAX_SEARCH_LIMIT + 1)
            .expect_err("many")
            .field(),
        Some("limit")
    );
    for q in [
        "\"unbalanced soup",
        "soup:",
        "(((soup",
        "soup AND",
        "nosuchfield:soup",
        "+",
        "-",
        "soup^",
        "[a TO",
        "*",
    ] {
        let r = p.index.search(q, None, None, 10);
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert!(
        !p.ids("\"unbalanced soup", None, None).is_empty(),
        "falls back to plain terms"
    );
}

#[test]
fn on_disk_index_remembers_what_it_reflects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut state = State::default();
    {
        let index = Index::open(dir.path()).expect("open");
        assert_eq!(index.indexed_index(), 0);
        let ctx = ApplyContext {
            index: 7,
            term: 1,
            now_ms: 1,
        };
        let applied = state.apply(&ctx, Command::DrawerAdd(nd("w", "r", "persistent words")));
        index.apply(&state, &applied.changes, 7).expect("apply");
        index.commit().expect("commit");
    }
    let index = Index::open(dir.path()).expect("reopen");
    assert_eq!(index.indexed_index(), 7);
    assert_eq!(
        index
            .search("persistent", None, None, 5)
            .expect("search")
            .len(),
        1
    );
}

#[test]
fn searches_run_while_another_thread_applies() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Index>();
    let mut p = Palace::new(50);
    corpus(&mut p);
    p.index.commit().expect("commit");
    let index = &p.index;
    let mut state = p.state.clone();
    std::thread::scope(|s| {
        let writer = s.spawn(move || {
            for i in 0..300u64 {
                let ctx = ApplyContext {
                    index: 100 + i,
                    term: 1,
                    now_ms: i,
                };
                let a = state.apply(
                    &ctx,
                    Command::DrawerAdd(nd("bulk", "r", &format!("bulk item {i} keys"))),
                );
                index.apply(&state, &a.changes, ctx.index).expect("apply");
            }
            index.commit().expect("commit")
        });
        let mut last = 0;
        while !writer.is_finished() {
            let n = index
                .search("keys", None, None, MAX_SEARCH_LIMIT)
                .expect("search")
                .len();
            assert!(
                n >= last.min(MAX_SEARCH_LIMIT),
                "results never go backwards"
            );
            last = n;
        }
        assert_eq!(writer.join().expect("writer"), 399);
    });
    assert_eq!(
        p.index
            .search("bulk", None, None, MAX_SEARCH_LIMIT)
            .expect("s")
            .len(),
        MAX_SEARCH_LIMIT
    );
}

#[test]
fn an_index_with_another_schema_is_reported_incompatible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = tantivy::schema::Schema::builder();
    b.add_text_field("something_else", tantivy::schema::TEXT);
    let other = tantivy::Index::create_in_dir(dir.path(), b.build()).expect("create");
    drop(other);
    let e = Index::open(dir.path()).err().expect("incompatible");
    assert!(
        matches!(e, chorus_search::Error::Incompatible { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("rebuild"), "{e}");
}

#[test]
fn hostile_queries_never_panic() {
    let mut p = Palace::new(1);
    corpus(&mut p);
    let deep_parens = format!("{}soup{}", "(".repeat(500), ")".repeat(500));
    let deep_open = "(".repeat(MAX_QUERY_BYTES);
    let quotes = "\"".repeat(MAX_QUERY_BYTES);
    let mixed = "+-\"()[]{}:~^*\\!?".repeat(60);
    let many_terms = "soup OR ".repeat(120);
    let slop = "\"signing keys\"~4294967295".to_string();
    let nots = format!("{}soup", "NOT ".repeat(250));
    let signs = format!("{}soup", "+-".repeat(500));
    let ands = "soup AND ".repeat(110);
    let boosts = format!("soup{}", "^2".repeat(500));
    let fields = "content:".repeat(120);
    let ranges = "[a TO z] ".repeat(110);
    let queries = [
        deep_parens,
        deep_open,
        quotes,
        mixed,
        many_terms,
        slop,
        nots,
        signs,
        ands,
        boosts,
        fields,
        ranges,
    ];
    for q in queries {
        let q = &q[..q.len().min(MAX_QUERY_BYTES)];
        let r = p.index.search(q, None, None, 10);
        assert!(r.is_ok(), "{:?}: {r:?}", &q[..q.len().min(40)]);
    }
}
