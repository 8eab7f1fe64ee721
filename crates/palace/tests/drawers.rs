//! Drawer behaviour through `State::apply`: ids, duplicates, chunking, updates, lists.

use std::collections::BTreeMap;

use chorus_palace::{
    ApplyContext, Change, Command, Config, NewDrawer, Response, State, limits::MAX_BATCH_ITEMS,
};

fn ctx(index: u64) -> ApplyContext {
    ApplyContext {
        index,
        term: 1,
        now_ms: 1_700_000_000_000 + index,
    }
}

fn nd(wing: &str, room: &str, content: &str) -> NewDrawer {
    NewDrawer {
        wing: wing.into(),
        room: room.into(),
        content: content.into(),
        added_by: "tester".into(),
        source: Some("file:///notes.md".into()),
        hall: Some("facts".into()),
        metadata: BTreeMap::from([("k".to_string(), "v".to_string())]),
    }
}

fn add(s: &mut State, i: u64, d: NewDrawer) -> chorus_palace::DrawerAdded {
    match s.apply(&ctx(i), Command::DrawerAdd(d)).result {
        Ok(Response::DrawerAdded(a)) => a,
        other => panic!("unexpected {other:?}"),
    }
}

fn small_chunks() -> State {
    State::new(Config { chunk_bytes: 16 }).expect("valid config")
}

#[test]
fn same_content_returns_existing_id_and_changes_nothing() {
    let mut s = State::default();
    let a = add(&mut s, 1, nd("w", "r", "hello"));
    assert!(!a.already_exists);
    let before = s.snapshot_bytes();
    let applied = s.apply(&ctx(2), Command::DrawerAdd(nd("w", "r", "hello")));
    assert_eq!(applied.changes, vec![]);
    match applied.result {
        Ok(Response::DrawerAdded(b)) => {
            assert_eq!(b.id, a.id);
            assert!(b.already_exists);
        }
        other => panic!("{other:?}"),
    }
    // Only the applied position moved.
    let mut expected = State::from_snapshot_bytes(&before).expect("decodes");
    expected.apply(&ctx(2), Command::DrawerDelete { id: "nope".into() });
    assert_eq!(s.snapshot_bytes(), expected.snapshot_bytes());
    // Same text in another room is another drawer.
    let c = add(&mut s, 3, nd("w", "r2", "hello"));
    assert_ne!(c.id, a.id);
    assert_eq!(s.find_duplicate("w", "r", "hello"), Ok(Some(a.id)));
    assert_eq!(s.find_duplicate("w", "r", "other"), Ok(None));
}

#[test]
fn long_text_round_trips_through_chunks_with_multibyte_boundaries() {
    let mut s = small_chunks();
    let text = "añ€😀b".repeat(37); // 1+2+3+4+1 bytes, boundaries land mid-character often
    let a = add(&mut s, 1, nd("w", "r", &text));
    assert!(a.chunks > 1);
    assert_eq!(s.drawer_content(&a.id), Ok(text.clone()));
    let head = s.drawer(&a.id).expect("head");
    let link = head.chunk.clone().expect("chunked");
    assert_eq!((link.part, link.parts), (1, a.chunks));
    // Walk the links forward and compare.
    let mut walked = String::new();
    let mut next = Some(a.id.clone());
    let mut prev = None;
    while let Some(id) = next {
        let d = s.drawer(&id).expect("part");
        let l = d.chunk.clone().expect("link");
        assert_eq!(l.prev, prev);
        assert!(d.content.len() <= 16);
        walked.push_str(&d.content);
        prev = Some(id);
        next = l.next;
    }
    assert_eq!(walked, text);
    assert_eq!(s.status().drawers, 1);
    assert_eq!(s.status().chunks, u64::from(a.chunks) - 1);
    // Adding it again finds the head.
    let b = add(&mut s, 2, nd("w", "r", &text));
    assert!(b.already_exists);
    assert_eq!(b.id, a.id);
}

#[test]
fn chunk_parts_cannot_be_updated_or_deleted_directly() {
    let mut s = small_chunks();
    let a = add(&mut s, 1, nd("w", "r", &"x".repeat(40)));
    let second = s
        .drawer(&a.id)
        .and_then(|d| d.chunk.clone())
        .and_then(|c| c.next)
        .expect("second part");
    let e = s
        .apply(&ctx(2), Command::DrawerDelete { id: second })
        .result
        .expect_err("part delete");
    assert_eq!(e.field(), "id");
    assert!(e.to_string().contains("use the head id"), "{e}");
}

#[test]
fn delete_removes_every_part_and_reports_changes() {
    let mut s = small_chunks();
    let a = add(&mut s, 1, nd("w", "r", &"y".repeat(50)));
    let applied = s.apply(&ctx(2), Command::DrawerDelete { id: a.id.clone() });
    assert_eq!(
        applied.result,
        Ok(Response::DrawerDeleted {
            id: a.id.clone(),
            chunks: a.chunks
        })
    );
    assert_eq!(applied.changes.len(), a.chunks as usize);
    assert!(
        applied
            .changes
            .iter()
            .all(|c| matches!(c, Change::DrawerRemoved { .. }))
    );
    assert_eq!(s.all_drawers().count(), 0);
    assert_eq!(s.status().wings, 0);
    // Adding it again works and gives the same id.
    assert_eq!(add(&mut s, 3, nd("w", "r", &"y".repeat(50))).id, a.id);
}

#[test]
fn update_keeps_id_rechunks_and_tracks_duplicates() {
    let mut s = small_chunks();
    let a = add(&mut s, 1, nd("w", "r", &"a".repeat(40)));
    let applied = s.apply(
        &ctx(2),
        Command::DrawerUpdate {
            id: a.id.clone(),
            content: Some("short".into()),
            metadata: None,
        },
    );
    assert_eq!(
        applied.result,
        Ok(Response::DrawerUpdated {
            id: a.id.clone(),
            chunks: 1
        })
    );
    let removed = applied
        .changes
        .iter()
        .filter(|c| matches!(c, Change::DrawerRemoved { .. }))
        .count();
    assert_eq!(removed, a.chunks as usize - 1);
    assert_eq!(s.drawer_content(&a.id), Ok("short".into()));
    assert_eq!(s.find_duplicate("w", "r", "short"), Ok(Some(a.id.clone())));
    assert_eq!(s.find_duplicate("w", "r", &"a".repeat(40)), Ok(None));
    let d = s.drawer(&a.id).expect("drawer");
    assert_eq!(d.metadata.get("k").map(String::as_str), Some("v"));
    assert_eq!(d.updated_at_ms, Some(ctx(2).now_ms));
    // The old text can be filed again: its plain id is taken, so it gets a salted one.
    let b = add(&mut s, 3, nd("w", "r", &"a".repeat(40)));
    assert!(!b.already_exists);
    assert_ne!(b.id, a.id);
    // Updating a drawer to text another drawer holds is a conflict.
    let e = s
        .apply(
            &ctx(4),
            Command::DrawerUpdate {
                id: a.id.clone(),
                content: Some("a".repeat(40)),
                metadata: None,
            },
        )
        .result
        .expect_err("conflict");
    assert_eq!(e.code(), "conflict");
    // Metadata-only update.
    let m = BTreeMap::from([("x".to_string(), "y".to_string())]);
    let ok = s.apply(
        &ctx(5),
        Command::DrawerUpdate {
            id: a.id.clone(),
            content: None,
            metadata: Some(m.clone()),
        },
    );
    assert!(ok.result.is_ok(), "{ok:?}");
    assert_eq!(s.drawer(&a.id).map(|d| d.metadata.clone()), Some(m));
}

#[test]
fn batch_add_gives_per_item_results() {
    let mut s = State::default();
    let items = vec![
        nd("w", "r", "one"),
        nd("w", "bad/room", "two"),
        nd("w", "r", "one"),
        nd("w2", "r", "three"),
    ];
    let applied = s.apply(&ctx(1), Command::DrawerAddBatch { drawers: items });
    let Ok(Response::DrawersAdded { results }) = applied.result else {
        panic!("{applied:?}")
    };
    assert_eq!(results.len(), 4);
    assert!(results[0].as_ref().is_ok_and(|a| !a.already_exists));
    let e = results[1].as_ref().expect_err("bad room");
    assert_eq!(e.field(), "drawers[1].room");
    assert!(results[2].as_ref().is_ok_and(|a| a.already_exists));
    assert!(results[3].is_ok());
    assert_eq!(applied.changes.len(), 2);
    let too_many = vec![nd("w", "r", "x"); MAX_BATCH_ITEMS + 1];
    let e = s
        .apply(&ctx(2), Command::DrawerAddBatch { drawers: too_many })
        .result
        .expect_err("too many");
    assert!(e.to_string().contains("MAX_BATCH_ITEMS"), "{e}");
}

#[test]
fn lists_page_and_filter() {
    let mut s = State::default();
    let mut i = 0;
    for w in ["a", "b"] {
        for r in ["x", "y"] {
            for n in 0..5 {
                i += 1;
                add(&mut s, i, nd(w, r, &format!("{w}{r}{n}")));
            }
        }
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let p = s
            .drawers(Some("a"), None, 3, cursor.as_deref())
            .expect("page");
        assert!(p.items.len() <= 3);
        seen.extend(p.items.iter().map(|d| (d.wing.clone(), d.room.clone())));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    assert!(seen.iter().all(|(w, _)| w == "a"));
    let p = s.drawers(Some("b"), Some("y"), 100, None).expect("page");
    assert_eq!(p.items.len(), 5);
    assert!(p.next_cursor.is_none());
    assert_eq!(
        s.drawers(None, None, 1000, None).map(|p| p.items.len()),
        Ok(20)
    );
    assert_eq!(
        s.drawers(None, Some("x"), 10, None)
            .map_err(|e| e.field().to_owned()),
        Err("room".into())
    );
    assert_eq!(
        s.drawers(None, None, 0, None)
            .map_err(|e| e.field().to_owned()),
        Err("limit".into())
    );
    let t = s.taxonomy(10, None).expect("taxonomy");
    assert_eq!(t.items.len(), 4);
    assert!(t.items.iter().all(|rc| rc.drawers == 5));
    let st = s.status();
    assert_eq!((st.drawers, st.wings, st.rooms), (20, 2, 4));
}

#[test]
fn rejected_input_names_the_field() {
    let mut s = State::default();
    let cases: Vec<(NewDrawer, &str)> = vec![
        (nd("", "r", "c"), "wing"),
        (nd("w", "..", "c"), "room"),
        (nd("w", "r", ""), "content"),
        (nd("w", "r", "nul\0"), "content"),
        (
            NewDrawer {
                added_by: "a/b".into(),
                ..nd("w", "r", "c")
            },
            "added_by",
        ),
        (
            NewDrawer {
                metadata: (0..100).map(|i| (i.to_string(), String::new())).collect(),
                ..nd("w", "r", "c")
            },
            "metadata",
        ),
    ];
    for (d, field) in cases {
        let applied = s.apply(&ctx(1), Command::DrawerAdd(d));
        let e = applied.result.expect_err(field);
        assert_eq!(e.field(), field, "{e}");
        assert!(applied.changes.is_empty());
    }
    assert_eq!(s.status().drawers, 0);
}
