use serde_json::{Value, json};

use crate::{TIMEOUT, cli, client, cluster, index_of};

/// A small fixed corpus: (wing, room, content).
const CORPUS: &[(&str, &str, &str)] = &[
    (
        "agent-a",
        "design",
        "The quick brown fox jumps over the lazy dog near the river.",
    ),
    (
        "agent-a",
        "design",
        "A brown dog and a quick fox: the fox is brown, the dog is quick.",
    ),
    (
        "agent-a",
        "ops",
        "Rotate the API token every ninety days and keep it out of logs.",
    ),
    (
        "agent-b",
        "design",
        "Fox populations grow quickly where rivers are brown with silt.",
    ),
    (
        "agent-b",
        "notes",
        "The leader stamps the time into every command before proposing it.",
    ),
    (
        "project-x",
        "ops",
        "Backups are verified before restore; a flipped byte is refused.",
    ),
];

fn hit_ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("no hits in {v}"))
        .iter()
        .map(|h| h["drawer_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn q(s: &str) -> String {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_finds_writes_on_another_node_filters_ranks_phrases_and_survives_reindex()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, a) = cluster("search").await?;
    let writer = (a.leader + 1) % 3;
    let reader = (a.leader + 2) % 3;
    tracing::info!(
        writer,
        reader,
        "phase: batch-add the corpus through a follower"
    );
    let drawers: Vec<Value> = CORPUS
        .iter()
        .map(|(w, r, t)| json!({"wing": w, "room": r, "content": t}))
        .collect();
    let added: Value = client(&c, writer)
        .post(
            "/v1/palace/drawers/batch",
            &json!({"drawers": drawers}),
            &[],
        )
        .await?;
    assert_eq!(added["added"], CORPUS.len(), "{added}");
    let ids: Vec<String> = added["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    let at = index_of(&added);

    tracing::info!("phase: the other follower finds them with min_index");
    let rc = client(&c, reader);
    let get = |path: String| {
        let rc = rc.clone();
        async move { rc.get::<Value>(&path).await }
    };
    let all = get(format!("/v1/palace/search?q=fox&min_index={at}&limit=10")).await?;
    let found = hit_ids(&all);
    for i in [0, 1, 3] {
        assert!(
            found.contains(&ids[i]),
            "fox search misses {}: {all}",
            ids[i]
        );
    }
    assert!(
        !found.contains(&ids[2]),
        "a drawer without fox matched: {all}"
    );
    assert!(all["indexed_index"].as_u64() >= Some(at));

    tracing::info!("phase: filters by wing and by wing and room");
    let wing = get(format!(
        "/v1/palace/search?q=fox&wing=agent-b&min_index={at}"
    ))
    .await?;
    assert_eq!(hit_ids(&wing), vec![ids[3].clone()], "{wing}");
    let room = get(format!(
        "/v1/palace/search?q=token%20backups&wing=project-x&room=ops&min_index={at}"
    ))
    .await?;
    assert_eq!(hit_ids(&room), vec![ids[5].clone()], "{room}");

    tracing::info!("phase: an exact phrase ranks first");
    let phrase = get(format!(
        "/v1/palace/search?q={}&min_index={at}",
        q("\"quick brown fox\"")
    ))
    .await?;
    assert_eq!(hit_ids(&phrase).first(), Some(&ids[0]), "{phrase}");
    let loose = get(format!(
        "/v1/palace/search?q={}&min_index={at}",
        q("quick brown fox")
    ))
    .await?;
    assert!(hit_ids(&loose).len() >= 3, "{loose}");

    tracing::info!("phase: bad queries are named errors");
    let err = rc
        .get::<Value>("/v1/palace/search?q=fox&limit=1000")
        .await
        .expect_err("limit 1000 must be refused");
    assert!(err.to_string().contains("limit"), "{err}");
    let err = rc
        .get::<Value>("/v1/palace/search?q=fox&wing=..%2Fx")
        .await
        .expect_err("a bad wing must be refused");
    assert!(err.to_string().contains("wing"), "{err}");

    tracing::info!("phase: delete one, then a reindex answers the same");
    let del: Value = client(&c, writer)
        .delete(&format!("/v1/palace/drawers/{}", ids[1]))
        .await?;
    let at = index_of(&del);
    let queries = ["fox", "brown", "token", "leader%20time", &q("\"lazy dog\"")];
    let mut before = Vec::new();
    for query in queries {
        let v = get(format!("/v1/palace/search?q={query}&min_index={at}")).await?;
        assert!(
            !hit_ids(&v).contains(&ids[1]),
            "a deleted drawer was found: {v}"
        );
        before.push(hit_ids(&v));
    }
    let re: Value = rc.post("/v1/palace/reindex", &json!({}), &[]).await?;
    assert_eq!(re["documents"], CORPUS.len() - 1, "{re}");
    for (query, want) in queries.iter().zip(&before) {
        let v = get(format!("/v1/palace/search?q={query}")).await?;
        assert_eq!(&hit_ids(&v), want, "query {query} after reindex: {v}");
    }

    tracing::info!("phase: the CLI searches and reindexes too");
    let v = cli(
        &c,
        a.leader,
        &[
            "palace",
            "search",
            "lazy dog",
            "--wing",
            "agent-a",
            "--min-index",
            &at.to_string(),
        ],
    )?;
    assert_eq!(hit_ids(&v).first(), Some(&ids[0]), "{v}");
    let v = cli(&c, a.leader, &["palace", "reindex"])?;
    assert_eq!(v["documents"], CORPUS.len() - 1, "{v}");
    let v = cli(&c, a.leader, &["palace", "status"])?;
    assert_eq!(v["drawers"], CORPUS.len() - 1, "{v}");
    assert!(v["search"]["rebuilds"].as_u64() >= Some(1), "{v}");
    let _ = TIMEOUT;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cli_covers_drawers_taxonomy_tunnels_and_diaries() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, a) = cluster("pcli").await?;
    let f = (a.leader + 1) % 3;
    let g = (a.leader + 2) % 3;
    tracing::info!("phase: add, duplicate, update, list");
    let added = cli(
        &c,
        f,
        &[
            "palace",
            "add",
            "--wing",
            "w1",
            "--room",
            "r1",
            "--content",
            "remember the milk",
            "--metadata",
            "k=v",
        ],
    )?;
    let id = added["id"].as_str().expect("id").to_string();
    let at = index_of(&added).to_string();
    let again = cli(
        &c,
        g,
        &[
            "palace",
            "add",
            "--wing",
            "w1",
            "--room",
            "r1",
            "--content",
            "remember the milk",
        ],
    )?;
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["already_exists"], true);
    let dup = cli(
        &c,
        g,
        &[
            "palace",
            "duplicate",
            "--wing",
            "w1",
            "--room",
            "r1",
            "--content",
            "remember the milk",
            "--min-index",
            &at,
        ],
    )?;
    assert_eq!(dup["duplicate"], true, "{dup}");
    let upd = cli(
        &c,
        f,
        &[
            "palace",
            "update",
            &id,
            "--content",
            "remember the oat milk",
        ],
    )?;
    let at = index_of(&upd).to_string();
    let got = cli(&c, g, &["palace", "get", &id, "--min-index", &at])?;
    assert_eq!(got["content"], "remember the oat milk");
    let list = cli(
        &c,
        g,
        &["palace", "list", "--wing", "w1", "--min-index", &at],
    )?;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    let tax = cli(&c, g, &["palace", "taxonomy", "--min-index", &at])?;
    assert_eq!(
        tax["items"][0],
        json!({"wing": "w1", "room": "r1", "drawers": 1})
    );
    tracing::info!("phase: tunnels and diaries");
    let t = cli(
        &c,
        f,
        &[
            "palace",
            "tunnel",
            "create",
            "--from",
            "w1/r1",
            "--to",
            "w2/r9",
            "--label",
            "same topic",
        ],
    )?;
    let tid = t["id"].as_str().expect("tunnel id").to_string();
    let at = index_of(&t).to_string();
    let tl = cli(
        &c,
        g,
        &[
            "palace",
            "tunnel",
            "list",
            "--wing",
            "w2",
            "--min-index",
            &at,
        ],
    )?;
    assert_eq!(tl["items"][0]["id"], tid.as_str(), "{tl}");
    let bad = std::process::Command::new(chorus_testkit::bin_path("chorus")?)
        .arg("--data-dir")
        .arg(&c.nodes[f].data_dir)
        .args([
            "palace", "tunnel", "create", "--from", "w1/r1", "--to", "w1/r2",
        ])
        .output()?;
    assert_eq!(
        bad.status.code(),
        Some(65),
        "a tunnel inside one wing is bad data"
    );
    let d = cli(
        &c,
        f,
        &[
            "palace",
            "diary",
            "write",
            "agent-a",
            "first thought",
            "--topic",
            "plans",
        ],
    )?;
    let at = index_of(&d).to_string();
    let dr = cli(
        &c,
        g,
        &["palace", "diary", "read", "agent-a", "--min-index", &at],
    )?;
    assert_eq!(dr["items"][0]["text"], "first thought", "{dr}");
    let del = cli(&c, f, &["palace", "delete", &id])?;
    let at = index_of(&del).to_string();
    let st = cli(&c, g, &["palace", "status", "--min-index", &at])?;
    assert_eq!(
        (
            st["drawers"].as_u64(),
            st["tunnels"].as_u64(),
            st["diary_entries"].as_u64()
        ),
        (Some(0), Some(1), Some(1)),
        "{st}"
    );
    Ok(())
}
