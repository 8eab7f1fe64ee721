//! Knowledge graph, tunnels, diaries, records and roles through `State::apply`.

use chorus_palace::{
    ApplyContext, Change, Command, Direction, NewFact, Response, RoomRef, State,
    limits::MAX_ENVELOPE_BYTES,
};

fn ctx(index: u64) -> ApplyContext {
    ApplyContext {
        index,
        term: 2,
        now_ms: 10_000 + index,
    }
}

fn fact(s: &str, p: &str, o: &str, from: Option<u64>) -> Command {
    Command::KgFactAdd(NewFact {
        subject: s.into(),
        predicate: p.into(),
        object: o.into(),
        valid_from: from,
        valid_to: None,
        confidence: None,
        source_drawer: None,
    })
}

#[test]
fn facts_are_valid_until_invalidated() {
    let mut s = State::default();
    let r = s
        .apply(&ctx(1), fact("alice", "works_on", "chorus", Some(100)))
        .result;
    assert_eq!(
        r,
        Ok(Response::FactAdded {
            id: 1,
            already_exists: false
        })
    );
    let r = s
        .apply(&ctx(2), fact("alice", "works_on", "chorus", Some(150)))
        .result;
    assert_eq!(
        r,
        Ok(Response::FactAdded {
            id: 1,
            already_exists: true
        })
    );
    let r = s.apply(
        &ctx(3),
        Command::KgInvalidate {
            subject: "alice".into(),
            predicate: "works_on".into(),
            object: "chorus".into(),
            ended_at_ms: Some(200),
        },
    );
    assert_eq!(r.result, Ok(Response::FactsInvalidated { ids: vec![1] }));
    assert_eq!(r.changes, vec![Change::FactUpserted { id: 1 }]);
    let at = |t| {
        s.kg_query("alice", Some(t), Direction::Out, 10, None)
            .map(|p| p.items.len())
    };
    assert_eq!(at(99), Ok(0));
    assert_eq!(at(100), Ok(1));
    assert_eq!(at(199), Ok(1));
    assert_eq!(at(200), Ok(0));
    assert_eq!(
        s.kg_query("chorus", Some(150), Direction::In, 10, None)
            .map(|p| p.items.len()),
        Ok(1)
    );
    assert_eq!(
        s.kg_query("nobody", None, Direction::Both, 10, None)
            .map(|p| p.items.len()),
        Ok(0)
    );
    let stats = s.kg_stats();
    assert_eq!(
        (
            stats.entities,
            stats.facts,
            stats.open_facts,
            stats.predicates
        ),
        (2, 1, 0, 1)
    );
    // Invalidating again finds no open fact.
    let e = s
        .apply(
            &ctx(4),
            Command::KgInvalidate {
                subject: "alice".into(),
                predicate: "works_on".into(),
                object: "chorus".into(),
                ended_at_ms: None,
            },
        )
        .result
        .expect_err("nothing open");
    assert_eq!(e.code(), "not_found");
}

#[test]
fn bad_facts_are_rejected_naming_the_field() {
    let mut s = State::default();
    let mut nf = NewFact {
        subject: "a".into(),
        predicate: "p".into(),
        object: "b".into(),
        valid_from: Some(10),
        valid_to: Some(10),
        confidence: None,
        source_drawer: None,
    };
    let e = s
        .apply(&ctx(1), Command::KgFactAdd(nf.clone()))
        .result
        .expect_err("empty interval");
    assert_eq!(e.field(), "valid_to");
    nf.valid_to = None;
    nf.confidence = Some(f64::NAN);
    let e = s
        .apply(&ctx(1), Command::KgFactAdd(nf.clone()))
        .result
        .expect_err("nan");
    assert_eq!(e.field(), "confidence");
    nf.confidence = None;
    nf.subject = "x".repeat(600);
    let e = s
        .apply(&ctx(1), Command::KgFactAdd(nf))
        .result
        .expect_err("long");
    assert!(e.to_string().contains("MAX_KG_STRING_BYTES"), "{e}");
}

#[test]
fn tunnels_link_different_wings_only_and_are_undirected() {
    let mut s = State::default();
    let a = RoomRef {
        wing: "alice".into(),
        room: "auth".into(),
    };
    let b = RoomRef {
        wing: "proj".into(),
        room: "auth".into(),
    };
    let create = |a: &RoomRef, b: &RoomRef| Command::TunnelCreate {
        a: a.clone(),
        b: b.clone(),
        label: Some("same topic".into()),
        created_by: "alice".into(),
    };
    let Ok(Response::TunnelCreated {
        id,
        already_exists: false,
    }) = s.apply(&ctx(1), create(&a, &b)).result
    else {
        panic!("create")
    };
    let again = s.apply(&ctx(2), create(&b, &a)).result;
    assert_eq!(
        again,
        Ok(Response::TunnelCreated {
            id: id.clone(),
            already_exists: true
        })
    );
    let same_wing = RoomRef {
        wing: "alice".into(),
        room: "other".into(),
    };
    let e = s
        .apply(&ctx(3), create(&a, &same_wing))
        .result
        .expect_err("same wing");
    assert_eq!(e.field(), "b.wing");
    assert_eq!(
        s.tunnels(Some("proj"), 10, None).map(|p| p.items.len()),
        Ok(1)
    );
    assert_eq!(
        s.tunnels(Some("nobody"), 10, None).map(|p| p.items.len()),
        Ok(0)
    );
    let r = s.apply(&ctx(4), Command::TunnelDelete { id: id.clone() });
    assert_eq!(r.changes, vec![Change::TunnelRemoved { id: id.clone() }]);
    assert!(s.tunnel(&id).is_none());
    assert_eq!(
        s.apply(&ctx(5), Command::TunnelDelete { id })
            .result
            .map_err(|e| e.code()),
        Err("not_found")
    );
}

#[test]
fn diary_reads_last_entries_newest_first() {
    let mut s = State::default();
    for i in 1..=5u64 {
        let r = s.apply(
            &ctx(i),
            Command::DiaryAppend {
                agent: "bot".into(),
                text: format!("entry {i}"),
                topic: None,
            },
        );
        assert_eq!(
            r.result,
            Ok(Response::DiaryAppended {
                agent: "bot".into(),
                seq: i
            })
        );
    }
    s.apply(
        &ctx(9),
        Command::DiaryAppend {
            agent: "other".into(),
            text: "x".into(),
            topic: Some("t".into()),
        },
    );
    let p = s.diary("bot", 2, None).expect("read");
    let texts: Vec<_> = p.items.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["entry 5", "entry 4"]);
    let p = s.diary("bot", 10, p.next_cursor.as_deref()).expect("older");
    let seqs: Vec<_> = p.items.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 2, 1]);
    assert!(p.next_cursor.is_none());
    assert_eq!(s.status().diary_entries, 6);
}

#[test]
fn records_are_idempotent_and_versioned_per_address() {
    let mut s = State::default();
    let put = |cid: &str, key: &str| Command::RecordPut {
        cid: cid.into(),
        address_key: key.into(),
        author: "peer".into(),
        created_at_ms: 1,
        envelope: vec![1, 2, 3],
    };
    let v = |r: Result<Response, chorus_palace::Error>| match r {
        Ok(Response::RecordStored {
            version,
            already_exists,
            ..
        }) => (version, already_exists),
        other => panic!("{other:?}"),
    };
    assert_eq!(v(s.apply(&ctx(1), put("c1", "p/t/a")).result), (1, false));
    assert_eq!(v(s.apply(&ctx(2), put("c2", "p/t/a")).result), (2, false));
    assert_eq!(v(s.apply(&ctx(3), put("c1", "p/t/a")).result), (1, true));
    assert_eq!(v(s.apply(&ctx(4), put("c3", "p/u/a")).result), (1, false));
    assert_eq!(v(s.apply(&ctx(5), put("c4", "q/t/a")).result), (1, false));
    let versions = s.record_versions("p/t/a", 10, None).expect("versions");
    let cids: Vec<_> = versions.items.iter().map(|r| r.cid.as_str()).collect();
    assert_eq!(cids, ["c1", "c2"]);
    let listed = s.records("p/", 2, None).expect("list");
    assert_eq!(listed.items.len(), 2);
    let rest = s
        .records("p/", 2, listed.next_cursor.as_deref())
        .expect("rest");
    assert_eq!(
        rest.items
            .iter()
            .map(|r| r.cid.as_str())
            .collect::<Vec<_>>(),
        ["c3"]
    );
    assert_eq!(
        s.record("c2").map(|r| r.envelope.clone()),
        Some(vec![1, 2, 3])
    );
    let big = Command::RecordPut {
        cid: "big".into(),
        address_key: "k".into(),
        author: "a".into(),
        created_at_ms: 0,
        envelope: vec![0; MAX_ENVELOPE_BYTES + 1],
    };
    let e = s.apply(&ctx(6), big).result.expect_err("too big");
    assert!(e.to_string().contains("MAX_ENVELOPE_BYTES"), "{e}");
}

#[test]
fn roles_are_set_sorted_and_removed_when_empty() {
    let mut s = State::default();
    let set = |r: &str, v: &[&str]| Command::RoleSet {
        role: r.into(),
        recipients: v.iter().map(|x| x.to_string()).collect(),
    };
    let r = s.apply(&ctx(1), set("admin", &["age1b", "age1a", "age1b"]));
    assert_eq!(
        r.result,
        Ok(Response::RoleSet {
            role: "admin".into(),
            recipients: 2
        })
    );
    assert_eq!(
        s.role("admin").map(|r| r.recipients.clone()),
        Some(vec!["age1a".into(), "age1b".into()])
    );
    s.apply(&ctx(2), set("dev", &["age1c"]));
    assert_eq!(s.roles(10, None).map(|p| p.items.len()), Ok(2));
    s.apply(&ctx(3), set("dev", &[]));
    assert!(s.role("dev").is_none());
    let e = s
        .apply(&ctx(4), set("../etc", &["x"]))
        .result
        .expect_err("bad role");
    assert_eq!(e.field(), "role");
    assert_eq!(s.status().roles, 1);
}
