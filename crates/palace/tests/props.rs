//! Property tests: determinism, snapshots, duplicates, the knowledge graph against a reference
//! model, name validation and hostile snapshot bytes.

use std::collections::BTreeMap;

use chorus_palace::{
    Applied, ApplyContext, Command, Config, Direction, NewDrawer, NewFact, Response, RoomRef, State,
};
use proptest::prelude::*;

const WINGS: &[&str] = &["alice", "bob", "proj-x"];
const ROOMS: &[&str] = &["notes", "ideas", "ops"];
const ENTITIES: &[&str] = &["A", "B", "C", "D"];
const PREDICATES: &[&str] = &["knows", "works_on"];

/// An abstract operation; ids are resolved against the state at apply time, so both replicas
/// see exactly the same command.
#[derive(Debug, Clone)]
enum Op {
    Add(usize, usize, String),
    Batch(Vec<(usize, usize, String)>),
    Update(usize, Option<String>, bool),
    Delete(usize),
    Fact(usize, usize, usize, Option<u64>, Option<u64>),
    Invalidate(usize, usize, usize, Option<u64>),
    Entity(usize, Option<String>),
    Tunnel(usize, usize, usize, usize, bool),
    Diary(usize, String),
    Record(usize, usize, Vec<u8>),
    Role(usize, Vec<String>),
}

fn text() -> impl Strategy<Value = String> {
    // Mixed-width characters so chunk boundaries land inside multibyte sequences.
    proptest::collection::vec(
        prop::sample::select(vec!['a', 'b', ' ', 'é', '€', '😀', '\n']),
        1..60,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn op() -> impl Strategy<Value = Op> {
    let w = 0..WINGS.len();
    let r = 0..ROOMS.len();
    let e = 0..ENTITIES.len();
    let p = 0..PREDICATES.len();
    let t = proptest::option::of(0u64..100);
    prop_oneof![
        4 => (w.clone(), r.clone(), text()).prop_map(|(w, r, c)| Op::Add(w, r, c)),
        1 => proptest::collection::vec((w.clone(), r.clone(), text()), 0..5).prop_map(Op::Batch),
        1 => (any::<usize>(), proptest::option::of(text()), any::<bool>())
            .prop_map(|(i, c, m)| Op::Update(i, c, m)),
        1 => any::<usize>().prop_map(Op::Delete),
        3 => (e.clone(), p.clone(), e.clone(), t.clone(), t.clone())
            .prop_map(|(s, p, o, f, to)| Op::Fact(s, p, o, f, to)),
        2 => (e.clone(), p.clone(), e.clone(), t.clone())
            .prop_map(|(s, p, o, at)| Op::Invalidate(s, p, o, at)),
        1 => (e, proptest::option::of("[a-z]{1,5}")).prop_map(|(e, k)| Op::Entity(e, k)),
        1 => (w.clone(), r.clone(), w.clone(), r.clone(), any::<bool>())
            .prop_map(|(a, b, c, d, del)| Op::Tunnel(a, b, c, d, del)),
        1 => (w.clone(), text()).prop_map(|(w, t)| Op::Diary(w, t)),
        1 => (0usize..4, 0usize..3, proptest::collection::vec(any::<u8>(), 0..8))
            .prop_map(|(c, a, e)| Op::Record(c, a, e)),
        1 => (0usize..3, proptest::collection::vec("[a-z0-9]{1,8}", 0..4))
            .prop_map(|(r, v)| Op::Role(r, v)),
    ]
}

fn nd(w: usize, r: usize, content: &str) -> NewDrawer {
    NewDrawer {
        wing: WINGS[w].into(),
        room: ROOMS[r].into(),
        content: content.into(),
        added_by: "prop".into(),
        source: None,
        hall: None,
        metadata: BTreeMap::new(),
    }
}

fn nth_head(s: &State, i: usize) -> String {
    let heads: Vec<String> = s
        .all_drawers()
        .filter(|d| d.is_head())
        .map(|d| d.id.clone())
        .collect();
    if heads.is_empty() {
        "missing".into()
    } else {
        heads[i % heads.len()].clone()
    }
}

fn to_command(s: &State, op: &Op) -> Command {
    match op.clone() {
        Op::Add(w, r, c) => Command::DrawerAdd(nd(w, r, &c)),
        Op::Batch(items) => Command::DrawerAddBatch {
            drawers: items.iter().map(|(w, r, c)| nd(*w, *r, c)).collect(),
        },
        Op::Update(i, content, meta) => Command::DrawerUpdate {
            id: nth_head(s, i),
            content,
            metadata: meta.then(|| BTreeMap::from([("n".to_string(), i.to_string())])),
        },
        Op::Delete(i) => Command::DrawerDelete { id: nth_head(s, i) },
        Op::Fact(su, p, o, f, t) => Command::KgFactAdd(NewFact {
            subject: ENTITIES[su].into(),
            predicate: PREDICATES[p].into(),
            object: ENTITIES[o].into(),
            valid_from: f,
            valid_to: t,
            confidence: Some(0.5),
            source_drawer: None,
        }),
        Op::Invalidate(su, p, o, at) => Command::KgInvalidate {
            subject: ENTITIES[su].into(),
            predicate: PREDICATES[p].into(),
            object: ENTITIES[o].into(),
            ended_at_ms: at,
        },
        Op::Entity(e, kind) => Command::KgEntityAdd {
            name: ENTITIES[e].into(),
            kind,
        },
        Op::Tunnel(a, b, c, d, del) => {
            let cmd = Command::TunnelCreate {
                a: RoomRef {
                    wing: WINGS[a].into(),
                    room: ROOMS[b].into(),
                },
                b: RoomRef {
                    wing: WINGS[c].into(),
                    room: ROOMS[d].into(),
                },
                label: None,
                created_by: "prop".into(),
            };
            match (
                del,
                s.tunnels(None, 1, None)
                    .ok()
                    .and_then(|p| p.items.into_iter().next()),
            ) {
                (true, Some(t)) => Command::TunnelDelete { id: t.id },
                _ => cmd,
            }
        }
        Op::Diary(w, t) => Command::DiaryAppend {
            agent: WINGS[w].into(),
            text: t,
            topic: None,
        },
        Op::Record(c, a, envelope) => Command::RecordPut {
            cid: format!("cid{c}"),
            address_key: format!("ucxl://a:dev@p:t/{a}"),
            author: "prop".into(),
            created_at_ms: 5,
            envelope,
        },
        Op::Role(r, recipients) => Command::RoleSet {
            role: ["admin", "dev", "human"][r].into(),
            recipients,
        },
    }
}

fn ctx(i: usize) -> ApplyContext {
    ApplyContext {
        index: i as u64 + 1,
        term: 1 + i as u64 / 7,
        now_ms: 1000 + 3 * i as u64,
    }
}

fn run(s: &mut State, ops: &[Op], offset: usize) -> Vec<Applied> {
    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            let cmd = to_command(s, op);
            s.apply(&ctx(offset + i), cmd)
        })
        .collect()
}

/// Like [`run`], but every command and result crosses a JSON encoding, as through a log.
fn run_via_json(s: &mut State, ops: &[Op], offset: usize) -> Vec<Applied> {
    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            let json = serde_json::to_vec(&to_command(s, op)).expect("command encodes");
            let cmd: Command = serde_json::from_slice(&json).expect("command decodes");
            let applied = s.apply(&ctx(offset + i), cmd);
            let json = serde_json::to_vec(&applied).expect("result encodes");
            serde_json::from_slice(&json).expect("result decodes")
        })
        .collect()
}

fn chunky() -> State {
    State::new(Config { chunk_bytes: 16 }).expect("config")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn same_commands_give_identical_snapshots(ops in proptest::collection::vec(op(), 0..60)) {
        let mut a = chunky();
        let mut b = chunky();
        let ra = run(&mut a, &ops, 0);
        let rb = run_via_json(&mut b, &ops, 0);
        prop_assert_eq!(ra, rb);
        prop_assert_eq!(a.snapshot_bytes(), b.snapshot_bytes());
    }

    #[test]
    fn snapshot_round_trip_is_identity(ops in proptest::collection::vec(op(), 0..60), cut in 0usize..60) {
        let cut = cut.min(ops.len());
        let mut a = chunky();
        run(&mut a, &ops[..cut], 0);
        let bytes = a.snapshot_bytes();
        let restored = State::from_snapshot_bytes(&bytes).expect("decodes");
        prop_assert_eq!(&restored, &a);
        prop_assert_eq!(restored.snapshot_bytes(), bytes);
        // A replica restored from the snapshot and fed the rest of the log matches one that
        // applied the whole log (derived indexes were rebuilt correctly).
        let mut b = restored;
        let rb = run(&mut b, &ops[cut..], cut);
        let ra = run(&mut a, &ops[cut..], cut);
        prop_assert_eq!(ra, rb);
        prop_assert_eq!(a.snapshot_bytes(), b.snapshot_bytes());
        prop_assert_eq!(a, b);
    }

    #[test]
    fn duplicate_content_returns_existing_id(
        ops in proptest::collection::vec(op(), 0..30),
        w in 0..WINGS.len(), r in 0..ROOMS.len(), content in text(),
    ) {
        let mut s = chunky();
        run(&mut s, &ops, 0);
        let first = s.apply(&ctx(100), Command::DrawerAdd(nd(w, r, &content)));
        let Ok(Response::DrawerAdded(first)) = first.result else { panic!("{first:?}") };
        let before = s.snapshot_bytes();
        let again = s.apply(&ctx(100), Command::DrawerAdd(nd(w, r, &content)));
        prop_assert!(again.changes.is_empty());
        let Ok(Response::DrawerAdded(again)) = again.result else { panic!("{again:?}") };
        prop_assert!(again.already_exists);
        prop_assert_eq!(&again.id, &first.id);
        prop_assert_eq!(s.snapshot_bytes(), before);
        prop_assert_eq!(s.drawer_content(&first.id), Ok(content));
    }

    #[test]
    fn chunked_text_round_trips(content in "\\PC{1,400}", chunk in 16usize..80) {
        let mut s = State::new(Config { chunk_bytes: chunk }).expect("config");
        let applied = s.apply(&ctx(0), Command::DrawerAdd(NewDrawer { content: content.clone(), ..nd(0, 0, "") }));
        let Ok(Response::DrawerAdded(a)) = applied.result else { panic!("{applied:?}") };
        prop_assert!(a.chunks as usize >= content.len().div_ceil(chunk));
        prop_assert_eq!(s.drawer_content(&a.id), Ok(content));
        prop_assert!(s.all_drawers().all(|d| d.content.len() <= chunk));
    }
}

/// (subject, predicate, object, valid_from, valid_to) in the reference model.
type RefFact = (String, String, String, Option<u64>, Option<u64>);

/// The naive reference model of the knowledge graph: a vector of facts.
#[derive(Default)]
struct RefKg {
    facts: Vec<RefFact>,
}

impl RefKg {
    fn add(&mut self, s: &str, p: &str, o: &str, f: Option<u64>, t: Option<u64>) -> bool {
        if let (Some(f), Some(t)) = (f, t)
            && t <= f
        {
            return false;
        }
        let open_exists = self
            .facts
            .iter()
            .any(|x| x.0 == s && x.1 == p && x.2 == o && x.4.is_none());
        if t.is_none() && open_exists {
            return true;
        }
        self.facts.push((s.into(), p.into(), o.into(), f, t));
        true
    }

    fn invalidate(&mut self, s: &str, p: &str, o: &str, at: u64) -> bool {
        for x in self.facts.iter_mut() {
            if x.0 == s && x.1 == p && x.2 == o && x.4.is_none() {
                if x.3.is_some_and(|f| at <= f) {
                    return false;
                }
                x.4 = Some(at);
                return true;
            }
        }
        false
    }

    fn as_of(&self, e: &str, t: u64, dir: Direction) -> Vec<RefFact> {
        self.facts
            .iter()
            .filter(|x| match dir {
                Direction::Out => x.0 == e,
                Direction::In => x.2 == e,
                Direction::Both => x.0 == e || x.2 == e,
            })
            .filter(|x| x.3.is_none_or(|f| f <= t) && x.4.is_none_or(|to| t < to))
            .cloned()
            .collect()
    }
}

#[derive(Debug, Clone)]
enum KgOp {
    Add(usize, usize, usize, Option<u64>, Option<u64>),
    Invalidate(usize, usize, usize, u64),
    Query(usize, u64, u8),
}

fn kg_op() -> impl Strategy<Value = KgOp> {
    let e = 0..ENTITIES.len();
    let p = 0..PREDICATES.len();
    let t = proptest::option::of(0u64..50);
    prop_oneof![
        3 => (e.clone(), p.clone(), e.clone(), t.clone(), t).prop_map(|(s, p, o, f, t)| KgOp::Add(s, p, o, f, t)),
        2 => (e.clone(), p, e.clone(), 0u64..50).prop_map(|(s, p, o, at)| KgOp::Invalidate(s, p, o, at)),
        3 => (e, 0u64..50, 0u8..3).prop_map(|(e, t, d)| KgOp::Query(e, t, d)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn kg_as_of_matches_reference_model(ops in proptest::collection::vec(kg_op(), 1..80)) {
        let mut s = State::default();
        let mut model = RefKg::default();
        for (i, op) in ops.iter().enumerate() {
            match op.clone() {
                KgOp::Add(su, p, o, f, t) => {
                    let ok = model.add(ENTITIES[su], PREDICATES[p], ENTITIES[o], f, t);
                    let r = s.apply(&ctx(i), to_command(&s, &Op::Fact(su, p, o, f, t))).result;
                    prop_assert_eq!(r.is_ok(), ok, "{:?}", r);
                }
                KgOp::Invalidate(su, p, o, at) => {
                    let ok = model.invalidate(ENTITIES[su], PREDICATES[p], ENTITIES[o], at);
                    let r = s.apply(&ctx(i), to_command(&s, &Op::Invalidate(su, p, o, Some(at)))).result;
                    prop_assert_eq!(r.is_ok(), ok, "{:?}", r);
                }
                KgOp::Query(e, t, d) => {
                    let dir = [Direction::Out, Direction::In, Direction::Both][d as usize];
                    let expected = model.as_of(ENTITIES[e], t, dir);
                    // Page through with a small limit to exercise cursors.
                    let mut got = Vec::new();
                    let mut cursor = None;
                    loop {
                        let page = s.kg_query(ENTITIES[e], Some(t), dir, 2, cursor.as_deref()).expect("query");
                        got.extend(page.items.into_iter().map(|f| (f.subject, f.predicate, f.object, f.valid_from, f.valid_to)));
                        match page.next_cursor { Some(c) => cursor = Some(c), None => break }
                    }
                    prop_assert_eq!(got, expected);
                }
            }
        }
        // Timelines hold every fact of the entity, ordered by valid_from then id.
        for e in ENTITIES {
            let tl = s.kg_timeline(e, 1000, None).expect("timeline").items;
            let n = model.facts.iter().filter(|x| x.0 == *e || x.2 == *e).count();
            prop_assert_eq!(tl.len(), n);
            prop_assert!(tl.windows(2).all(|w| (w[0].valid_from, w[0].id) < (w[1].valid_from, w[1].id)));
        }
    }
}

fn bad_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("..".to_string()),
        "[a-z]{0,5}\\.\\.[a-z]{0,5}",
        "[a-z]{0,5}/[a-z]{0,5}",
        "[a-z]{0,5}\u{0}[a-z]{0,5}",
        "[a-z]{129,200}",
        " [a-z]{1,5}",
    ]
}

proptest! {
    #[test]
    fn invalid_names_are_rejected_naming_the_field(name in bad_name(), slot in 0usize..7) {
        let mut s = State::default();
        let mut d = nd(0, 0, "content");
        let (cmd, field) = match slot {
            0 => { d.wing = name.clone(); (Command::DrawerAdd(d), "wing") }
            1 => { d.room = name.clone(); (Command::DrawerAdd(d), "room") }
            2 => { d.added_by = name.clone(); (Command::DrawerAdd(d), "added_by") }
            3 => (Command::DiaryAppend { agent: name.clone(), text: "t".into(), topic: None }, "agent"),
            4 => (Command::RoleSet { role: name.clone(), recipients: vec!["age1x".into()] }, "role"),
            5 => (Command::TunnelCreate {
                a: RoomRef { wing: "w".into(), room: name.clone() },
                b: RoomRef { wing: "v".into(), room: "r".into() },
                label: None, created_by: "c".into() }, "a.room"),
            _ => (Command::DrawerAddBatch { drawers: vec![nd(0, 0, "ok"), NewDrawer { room: name.clone(), ..nd(0, 0, "x") }] }, "drawers[1].room"),
        };
        let applied = s.apply(&ctx(0), cmd);
        let err = match applied.result {
            Err(e) => e,
            Ok(Response::DrawersAdded { mut results }) => results.remove(1).expect_err("bad item"),
            Ok(other) => panic!("accepted {name:?}: {other:?}"),
        };
        prop_assert_eq!(err.field(), field);
        prop_assert!(err.to_string().starts_with(field), "{}", err);
        prop_assert!(!err.to_string().contains('\0'));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = State::from_snapshot_bytes(&bytes);
        let mut prefixed = b"CPAL\x01".to_vec();
        prefixed.extend_from_slice(&bytes);
        let _ = State::from_snapshot_bytes(&prefixed);
    }

    #[test]
    fn corrupted_snapshots_never_panic(ops in proptest::collection::vec(op(), 0..20), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut s = chunky();
        run(&mut s, &ops, 0);
        let mut bytes = s.snapshot_bytes();
        for (at, v) in flips {
            let n = bytes.len();
            bytes[at % n] = v;
        }
        if let Ok(restored) = State::from_snapshot_bytes(&bytes) {
            // Whatever decoded must be readable without panics.
            let _ = restored.status();
            for d in restored.all_drawers() {
                let _ = restored.drawer_content(&d.id);
            }
            let _ = restored.snapshot_bytes();
        }
    }
}

#[test]
fn unknown_snapshot_version_is_rejected_clearly() {
    let mut bytes = State::default().snapshot_bytes();
    bytes[4] = 9;
    let e = State::from_snapshot_bytes(&bytes).expect_err("version 9");
    assert!(e.to_string().contains("version 9"), "{e}");
    assert!(State::from_snapshot_bytes(b"nope").is_err());
}
