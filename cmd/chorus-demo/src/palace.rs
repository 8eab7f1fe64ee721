//! Demo step: agents on different nodes file memories in the palace, link their rooms, record a
//! fact, and search each other's memories from another node.

use std::time::Instant;

use anyhow::bail;
use chorus_client::types::{
    ReadParams, drawers::NewDrawer, kg::NewFact, search::SearchQuery, tunnels::NewTunnel,
};
use chorus_palace::RoomRef;

use super::Ctx;

/// (agent, room, memory) filed by the agent on its own node.
const MEMORIES: &[(&str, &str, &str)] = &[
    (
        "agent-a",
        "search",
        "Tantivy BM25 answers palace searches; every node keeps its own index and can rebuild it.",
    ),
    (
        "agent-a",
        "search",
        "Search waits for min_index so an agent reads its own writes on any node.",
    ),
    (
        "agent-a",
        "deploy",
        "The stack runs three voters; the others join as learners and read locally.",
    ),
    (
        "agent-b",
        "retrieval",
        "Exact phrases rank first: quote them, as in \"single writer\".",
    ),
    (
        "agent-b",
        "retrieval",
        "MemPalace users lost data when several processes wrote one store; a single writer fixes it.",
    ),
    (
        "agent-b",
        "plans",
        "Next: benchmark bulk ingest of 100,000 drawers against SQLite FTS5.",
    ),
];

fn alive(ctx: &mut Ctx<'_>) -> Vec<usize> {
    ctx.nodes
        .iter_mut()
        .enumerate()
        .filter_map(|(i, n)| matches!(n.child.try_wait(), Ok(None)).then_some(i))
        .collect()
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Runs the step.
pub async fn run(ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let up = alive(ctx);
    if up.is_empty() {
        bail!("no node is running for the palace step");
    }
    // Agent a files on one node, agent b on another, and a third party searches from the node
    // that did not file what it looks for.
    let node_of = |agent: &str| {
        if agent == "agent-a" {
            up[0]
        } else {
            up[up.len() - 1]
        }
    };
    println!("\npalace: agents file memories on their own nodes");
    let mut last_index = 0;
    for (agent, room, text) in MEMORIES {
        let n = node_of(agent);
        let t = Instant::now();
        let d = NewDrawer {
            wing: agent.to_string(),
            room: room.to_string(),
            content: text.to_string(),
            added_by: Some(agent.to_string()),
            ..NewDrawer::default()
        };
        let w = ctx.clients[n].add_drawer(&d, None).await?;
        last_index = last_index.max(w.at.index);
        println!(
            "  {agent} on {}: filed in {agent}/{room} at index {} ({:.1} ms)",
            ctx.nodes[n].name,
            w.at.index,
            ms(t)
        );
    }
    let first = NewDrawer {
        wing: MEMORIES[0].0.into(),
        room: MEMORIES[0].1.into(),
        content: MEMORIES[0].2.into(),
        ..NewDrawer::default()
    };
    let again = ctx.clients[up[0]].add_drawer(&first, None).await?;
    println!(
        "  filing the first memory again returns the same id {:?} with already_exists={}",
        again.value.id, again.value.already_exists
    );
    let room = |wing: &str, room: &str| RoomRef {
        wing: wing.into(),
        room: room.into(),
    };
    let tunnel = NewTunnel {
        a: room("agent-a", "search"),
        b: room("agent-b", "retrieval"),
        label: Some("both work on finding memories".into()),
        created_by: Some("agent-a".into()),
    };
    let t = ctx.clients[up[0]].create_tunnel(&tunnel, None).await?;
    let fact = NewFact {
        subject: "agent-b".into(),
        predicate: "works_on".into(),
        object: "retrieval".into(),
        ..NewFact::default()
    };
    let f = ctx.clients[up[up.len() - 1]].add_fact(&fact, None).await?;
    last_index = last_index.max(t.at.index).max(f.at.index);
    println!(
        "  a tunnel links agent-a/search and agent-b/retrieval; the knowledge graph records agent-b works_on retrieval"
    );

    println!("palace: searching from other nodes (min_index={last_index}: read-your-writes)");
    let searches = [
        (up[up.len() - 1], "index rebuild", None),
        (up[0], "\"single writer\"", None),
        (up[0], "writer", Some("agent-b")),
    ];
    for (n, query, wing) in searches {
        let q = SearchQuery {
            q: query.into(),
            wing: wing.map(str::to_string),
            limit: Some(3),
            min_index: Some(last_index),
            ..SearchQuery::default()
        };
        let t = Instant::now();
        let hits = ctx.clients[n].search(&q).await?.hits;
        println!(
            "  on {} search {query}{}: {} hit(s) in {:.1} ms",
            ctx.nodes[n].name,
            wing.map(|w| format!(" in wing {w}")).unwrap_or_default(),
            hits.len(),
            ms(t)
        );
        for h in hits.iter().take(2) {
            println!(
                "    {}/{} score {:.2}: {}",
                h.wing, h.room, h.score, h.snippet
            );
        }
        if hits.is_empty() {
            bail!("search {query} on {} found nothing", ctx.nodes[n].name);
        }
    }
    let st = ctx.clients[up[0]]
        .palace_status(&ReadParams::new(Some(last_index), false))
        .await?;
    let (documents, indexed) = st
        .search
        .as_ref()
        .map(|s| (s.documents, s.indexed_index))
        .unwrap_or_default();
    println!(
        "palace: {} drawers in {} wings / {} rooms, {} fact(s), {} tunnel(s); this node's index holds {documents} documents at index {indexed}",
        st.counts.drawers, st.counts.wings, st.counts.rooms, st.counts.facts, st.counts.tunnels,
    );
    Ok(())
}
