//! Demo step: agents on different nodes file memories in the palace, link their rooms, record a
//! fact, and search each other's memories from another node.

use std::time::Instant;

use anyhow::bail;
use serde_json::{Value, json};

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
    let mut ids = Vec::new();
    for (agent, room, text) in MEMORIES {
        let n = node_of(agent);
        let t = Instant::now();
        let w: Value = ctx.clients[n]
            .post(
                "/v1/palace/drawers",
                &json!({"wing": agent, "room": room, "content": text, "added_by": agent}),
                &[],
            )
            .await?;
        last_index = last_index.max(w["index"].as_u64().unwrap_or(0));
        ids.push(w["id"].as_str().unwrap_or_default().to_string());
        println!(
            "  {agent} on {}: filed in {agent}/{room} at index {} ({:.1} ms)",
            ctx.nodes[n].name,
            w["index"],
            ms(t)
        );
    }
    let again: Value = ctx.clients[up[0]]
        .post(
            "/v1/palace/drawers",
            &json!({"wing": MEMORIES[0].0, "room": MEMORIES[0].1, "content": MEMORIES[0].2}),
            &[],
        )
        .await?;
    println!(
        "  filing the first memory again returns the same id {} with already_exists={}",
        again["id"], again["already_exists"]
    );
    let t: Value = ctx.clients[up[0]]
        .post(
            "/v1/palace/tunnels",
            &json!({"a": {"wing": "agent-a", "room": "search"},
                    "b": {"wing": "agent-b", "room": "retrieval"},
                    "label": "both work on finding memories", "created_by": "agent-a"}),
            &[],
        )
        .await?;
    let f: Value = ctx.clients[up[up.len() - 1]]
        .post(
            "/v1/palace/kg/facts",
            &json!({"subject": "agent-b", "predicate": "works_on", "object": "retrieval"}),
            &[],
        )
        .await?;
    last_index = last_index
        .max(t["index"].as_u64().unwrap_or(0))
        .max(f["index"].as_u64().unwrap_or(0));
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
        let mut path = format!(
            "/v1/palace/search?q={}&limit=3&min_index={last_index}",
            encode(query)
        );
        if let Some(w) = wing {
            path.push_str(&format!("&wing={w}"));
        }
        let t = Instant::now();
        let r: Value = ctx.clients[n].get(&path).await?;
        let hits = r["hits"].as_array().cloned().unwrap_or_default();
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
                h["wing"].as_str().unwrap_or("?"),
                h["room"].as_str().unwrap_or("?"),
                h["score"].as_f64().unwrap_or(0.0),
                h["snippet"].as_str().unwrap_or("")
            );
        }
        if hits.is_empty() {
            bail!("search {query} on {} found nothing", ctx.nodes[n].name);
        }
    }
    let st: Value = ctx.clients[up[0]]
        .get(&format!("/v1/palace/status?min_index={last_index}"))
        .await?;
    println!(
        "palace: {} drawers in {} wings / {} rooms, {} fact(s), {} tunnel(s); this node's index holds {} documents at index {}",
        st["drawers"],
        st["wings"],
        st["rooms"],
        st["facts"],
        st["tunnels"],
        st["search"]["documents"],
        st["search"]["indexed_index"]
    );
    Ok(())
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
