//! Consensus suite: exactly one palace writer, forwarded writes, failures (kill, pause,
//! partition), idempotency, fencing and linearizability, on real libp2p swarms, real sled files
//! and real processes.

mod t10_election;
mod t20_writes;
mod t30_kill;
mod t40_pause;
mod t50_partition;
mod t60_history;
mod t70_hostile;
mod t80_membership;

use std::time::Duration;

use chorus_consensus::{Op, Outcome, Reply};
use chorus_palace::{Command, NewDrawer};

/// Generous: CI machines have 2 cores shared by several clusters.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A drawer add of `content` in wing `w`, room `r`.
pub fn add(content: &str) -> Op {
    Op::Palace(Command::DrawerAdd(NewDrawer {
        wing: "w".into(),
        room: "r".into(),
        content: content.into(),
        added_by: "test".into(),
        source: None,
        hall: None,
        metadata: Default::default(),
    }))
}

/// The drawer id a successful add returned.
pub fn added_id(r: &Reply) -> String {
    match &r.outcome {
        Outcome::Palace(Ok(chorus_palace::Response::DrawerAdded(a))) => a.id.clone(),
        other => panic!("expected a drawer add, got {other:?}"),
    }
}

/// JSON body of a drawer add over HTTP.
pub fn add_body(content: &str) -> serde_json::Value {
    serde_json::json!({"wing": "w", "room": "r", "content": content})
}
