//! Demo step: one palace writer is elected; a write sent to a follower is read back on a third
//! node; the leader is killed and a new one takes over without losing the write.

use std::time::{Duration, Instant};

use anyhow::bail;
use chorus_client::types::{ReadParams, drawers::NewDrawer};
use chorus_types::status::Status;

use super::Ctx;

async fn statuses(ctx: &Ctx<'_>, alive: &[usize]) -> Vec<(usize, Status)> {
    let mut out = Vec::new();
    for i in alive {
        if let Ok(s) = ctx.clients[*i].status().await {
            out.push((*i, s));
        }
    }
    out
}

/// Waits until the `alive` nodes agree on one leader; returns its position and the term.
async fn agreed_leader(ctx: &Ctx<'_>, alive: &[usize]) -> anyhow::Result<(usize, u64)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let st = statuses(ctx, alive).await;
        let leaders: Vec<&(usize, Status)> = st
            .iter()
            .filter(|(_, s)| s.is_leader == Some(true))
            .collect();
        if st.len() == alive.len() && leaders.len() == 1 {
            let (li, ls) = leaders[0];
            if st
                .iter()
                .all(|(_, s)| s.leader_peer_id.as_deref() == Some(ls.peer_id.as_str()))
            {
                return Ok((*li, ls.term.unwrap_or(0)));
            }
        }
        if Instant::now() > deadline {
            bail!("no agreed leader within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A drawer in the demo's room.
fn drawer(content: &str) -> NewDrawer {
    NewDrawer {
        wing: "demo".into(),
        room: "decisions".into(),
        content: content.into(),
        ..NewDrawer::default()
    }
}

/// Runs the step.
pub async fn run(ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let n = ctx.clients.len();
    let all: Vec<usize> = (0..n).collect();
    let t = Instant::now();
    let (leader, term) = agreed_leader(ctx, &all).await?;
    println!(
        "\nelection: {} is the palace writer (term {term}); every node agrees ({:.0} ms after the mesh formed)",
        ctx.nodes[leader].name,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let follower = (leader + 1) % n;
    let third = (leader + 2) % n;
    let body = drawer("Use Raft so that exactly one node writes the palace.");
    let t = Instant::now();
    let w = ctx.clients[follower]
        .add_drawer(&body, Some("demo-1"))
        .await?;
    println!(
        "write: sent to follower {}, forwarded to the leader, committed at index {} term {} in {:.1} ms",
        ctx.nodes[follower].name,
        w.at.index,
        w.at.term,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let id = w.value.id;
    let r = ctx.clients[third]
        .drawer(&id, &ReadParams::new(Some(w.at.index), false))
        .await?;
    println!(
        "read:  {} (a third node) returns it at applied index {}: {:?}",
        ctx.nodes[third].name, r.applied_index, r.value.content
    );

    if n < 3 {
        return Ok(());
    }
    println!(
        "failover: killing the leader {} with SIGKILL",
        ctx.nodes[leader].name
    );
    let _ = ctx.nodes[leader].child.kill();
    let _ = ctx.nodes[leader].child.wait();
    let t = Instant::now();
    let survivors: Vec<usize> = all.iter().copied().filter(|i| *i != leader).collect();
    let body = drawer("Written after the old leader died.");
    let w2 = loop {
        match ctx.clients[survivors[0]]
            .add_drawer(&body, Some("demo-2"))
            .await
        {
            Ok(v) => break v,
            Err(_) if t.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(10)).await
            }
            Err(e) => return Err(e.into()),
        }
    };
    let (new_leader, new_term) = agreed_leader(ctx, &survivors).await?;
    println!(
        "failover: {} leads in term {new_term}; the next write committed at index {} {:.0} ms after the kill",
        ctx.nodes[new_leader].name,
        w2.at.index,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let again = ctx.clients[survivors[1]]
        .drawer(&id, &ReadParams::new(Some(w2.at.index), false))
        .await?;
    println!(
        "durability: the first write is still there on {}: {:?}",
        ctx.nodes[survivors[1]].name, again.value.content
    );
    Ok(())
}
