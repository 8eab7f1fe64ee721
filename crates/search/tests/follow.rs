//! The follower thread: applies queued batches, commits when the queue drains, rebuilds on
//! restore and on reindex, and skips batches a rebuild already covers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chorus_palace::{Applied, ApplyContext, Command, NewDrawer, Response, State};
use chorus_search::{Follower, Index};

const WAIT: Duration = Duration::from_secs(10);

fn add(wing: &str, content: &str) -> Command {
    Command::DrawerAdd(NewDrawer {
        wing: wing.into(),
        room: "r".into(),
        content: content.into(),
        added_by: "test".into(),
        source: None,
        hall: None,
        metadata: BTreeMap::new(),
    })
}

fn apply(state: &mut State, index: u64, cmd: Command) -> Applied {
    state.apply(
        &ApplyContext {
            index,
            term: 1,
            now_ms: 1000 + index,
        },
        cmd,
    )
}

fn id_of(a: &Applied) -> String {
    match &a.result {
        Ok(Response::DrawerAdded(d)) => d.id.clone(),
        other => panic!("{other:?}"),
    }
}

fn found(f: &Follower, q: &str) -> Vec<String> {
    f.index()
        .search(q, None, None, 10)
        .expect("search")
        .into_iter()
        .map(|h| h.id)
        .collect()
}

#[tokio::test]
async fn applied_batches_become_searchable_once_min_index_is_reached() {
    let f = Follower::start(Index::in_memory().expect("index")).expect("follower");
    let mut s = State::default();
    let mut ids = Vec::new();
    for i in 1..=20u64 {
        let a = apply(
            &mut s,
            i,
            add("w", &format!("note number {i} about zebras")),
        );
        f.applied(&s, &a.changes, i);
        ids.push(id_of(&a));
    }
    assert_eq!(f.wait_indexed(20, WAIT).await.expect("indexed"), 20);
    assert_eq!(found(&f, "zebras").len(), 10, "limit 10 of 20");
    assert_eq!(f.index().num_docs(), 20);
    let err = f
        .wait_indexed(21, Duration::from_millis(50))
        .await
        .expect_err("index 21 was never applied");
    assert!(err.to_string().contains("not yet 21"), "{err}");
    f.shutdown(WAIT).await;
}

#[tokio::test]
async fn a_restored_state_is_rebuilt_and_older_batches_are_skipped() {
    let f = Follower::start(Index::in_memory().expect("index")).expect("follower");
    let mut s = State::default();
    let a1 = apply(&mut s, 1, add("w", "ephemeral giraffe"));
    let at_1 = s.clone();
    let id = id_of(&a1);
    apply(&mut s, 2, Command::DrawerDelete { id: id.clone() });
    apply(&mut s, 3, add("w", "lasting okapi"));
    // First restore: the index (at 0) is behind the state (at 3), so it is rebuilt.
    f.restored(&s, 3);
    // A batch from before the rebuild arrives late: it must not resurrect the giraffe.
    f.applied(&at_1, &a1.changes, 1);
    assert!(f.wait_indexed(3, WAIT).await.is_ok());
    assert_eq!(found(&f, "okapi").len(), 1);
    assert!(found(&f, "giraffe").is_empty());
    assert_eq!(f.status().rebuilds, 1);
    f.shutdown(WAIT).await;
}

#[tokio::test]
async fn reindex_rebuilds_from_the_state_source() {
    let f = Follower::start(Index::in_memory().expect("index")).expect("follower");
    let shared = Arc::new(Mutex::new(State::default()));
    {
        let mut s = shared.lock().expect("lock");
        // Applied without telling the follower: only a rebuild can find it.
        apply(&mut s, 1, add("w", "unannounced pangolin"));
    }
    let err = f.reindex(WAIT).await.expect_err("no state source yet");
    assert!(err.to_string().contains("not available"), "{err}");
    let src = shared.clone();
    f.set_state_source(Box::new(move || src.lock().ok().map(|s| s.clone())));
    assert_eq!(f.reindex(WAIT).await.expect("reindex"), 1);
    assert_eq!(found(&f, "pangolin").len(), 1);
    assert_eq!(f.indexed_index(), 1);
    f.shutdown(WAIT).await;
}
