//! Random strings of query syntax never panic or overflow the stack in `Index::search`.

use std::collections::BTreeMap;

use chorus_palace::{ApplyContext, Command, NewDrawer, State};
use chorus_search::{Index, MAX_QUERY_BYTES};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "(", ")", "\"", "AND", "OR", "NOT", "+", "-", "soup", "keys", ":", "content:", "wing:", "[",
    "]", "{", "}", "TO", "*", "~2", "^3", "\\", " ", " ", "IN", "'", "é", "\u{0}", "\n",
];

fn index() -> Index {
    let mut state = State::default();
    let index = Index::in_memory().expect("index");
    let ctx = ApplyContext {
        index: 1,
        term: 1,
        now_ms: 1,
    };
    let a = state.apply(
        &ctx,
        Command::DrawerAdd(NewDrawer {
            wing: "w".into(),
            room: "r".into(),
            content: "soup keys and more soup".into(),
            added_by: "t".into(),
            source: None,
            hall: None,
            metadata: BTreeMap::new(),
        }),
    );
    index.apply(&state, &a.changes, 1).expect("apply");
    index.commit().expect("commit");
    index
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn query_syntax_soup_is_handled(tokens in proptest::collection::vec(prop::sample::select(TOKENS), 0..400)) {
        thread_local!(static INDEX: Index = index());
        let q: String = tokens.concat();
        let q = &q[..q.floor_char_boundary(MAX_QUERY_BYTES)];
        INDEX.with(|i| {
            // Errors are fine (empty query); panics and stack overflows are not.
            let _ = i.search(q, None, None, 10);
        });
    }
}
