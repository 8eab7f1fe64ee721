use serde_json::{Value, json};

use crate::{cli, client, cluster, index_of};

fn facts(v: &Value) -> Vec<(String, String)> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {v}"))
        .iter()
        .map(|f| {
            (
                f["predicate"].as_str().unwrap_or_default().to_string(),
                f["object"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn knowledge_graph_answers_as_of_timelines_and_invalidation_on_every_node()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, a) = cluster("kg").await?;
    let w = client(&c, (a.leader + 1) % 3);
    let r = client(&c, (a.leader + 2) % 3);
    tracing::info!("phase: facts with validity windows through a follower");
    let f1: Value = w
        .post(
            "/v1/palace/kg/facts",
            &json!({"subject": "alice", "predicate": "works_on", "object": "search",
                    "valid_from": 1000, "valid_to": 2000}),
            &[],
        )
        .await?;
    let f2: Value = w
        .post(
            "/v1/palace/kg/facts",
            &json!({"subject": "alice", "predicate": "works_on", "object": "mcp",
                    "valid_from": 2000, "confidence": 0.8}),
            &[],
        )
        .await?;
    let again: Value = w
        .post(
            "/v1/palace/kg/facts",
            &json!({"subject": "alice", "predicate": "works_on", "object": "mcp",
                    "valid_from": 2000, "confidence": 0.8}),
            &[],
        )
        .await?;
    assert_eq!(again["already_exists"], true, "{again}");
    assert_eq!(again["id"], f2["id"]);
    let at = index_of(&f2);
    assert!(at > index_of(&f1));

    tracing::info!("phase: as_of on another node");
    let q = |as_of: u64| format!("/v1/palace/kg/query?entity=alice&as_of={as_of}&min_index={at}");
    let v: Value = r.get(&q(1500)).await?;
    assert_eq!(facts(&v), vec![("works_on".into(), "search".into())], "{v}");
    let v: Value = r.get(&q(2500)).await?;
    assert_eq!(facts(&v), vec![("works_on".into(), "mcp".into())], "{v}");
    let v: Value = r.get(&q(500)).await?;
    assert!(facts(&v).is_empty(), "{v}");
    let v: Value = r
        .get(&format!(
            "/v1/palace/kg/query?entity=mcp&direction=in&min_index={at}"
        ))
        .await?;
    assert_eq!(v["items"][0]["subject"], "alice", "{v}");

    tracing::info!("phase: invalidate closes the open fact");
    let inv: Value = w
        .post(
            "/v1/palace/kg/invalidate",
            &json!({"subject": "alice", "predicate": "works_on", "object": "mcp", "ended_at_ms": 3000}),
            &[],
        )
        .await?;
    assert_eq!(inv["invalidated"], json!([f2["id"]]), "{inv}");
    let at = index_of(&inv);
    let v: Value = r
        .get(&format!(
            "/v1/palace/kg/query?entity=alice&as_of=3500&min_index={at}"
        ))
        .await?;
    assert!(facts(&v).is_empty(), "closed at 3000: {v}");
    let v: Value = r
        .get(&format!(
            "/v1/palace/kg/query?entity=alice&as_of=2999&min_index={at}"
        ))
        .await?;
    assert_eq!(facts(&v).len(), 1, "{v}");

    tracing::info!("phase: timeline order and stats");
    let v: Value = r
        .get(&format!(
            "/v1/palace/kg/timeline?entity=alice&min_index={at}"
        ))
        .await?;
    assert_eq!(
        facts(&v),
        vec![
            ("works_on".into(), "search".into()),
            ("works_on".into(), "mcp".into())
        ],
        "{v}"
    );
    let s: Value = r
        .get(&format!("/v1/palace/kg/stats?min_index={at}"))
        .await?;
    assert_eq!(
        (s["facts"].as_u64(), s["open_facts"].as_u64()),
        (Some(2), Some(0)),
        "{s}"
    );

    tracing::info!("phase: bad input names the field");
    let err = w
        .post::<_, Value>(
            "/v1/palace/kg/facts",
            &json!({"subject": "alice", "predicate": "p", "object": "o", "confidence": 2.0}),
            &[],
        )
        .await
        .expect_err("confidence 2 must be refused");
    assert!(err.to_string().contains("confidence"), "{err}");
    let err = r
        .get::<Value>("/v1/palace/kg/query?entity=alice&direction=up")
        .await
        .expect_err("a bad direction must be refused");
    assert!(err.to_string().contains("direction"), "{err}");

    tracing::info!("phase: the CLI reads the same");
    let v = cli(
        &c,
        a.leader,
        &[
            "palace",
            "kg",
            "query",
            "alice",
            "--as-of",
            "1500",
            "--min-index",
            &at.to_string(),
        ],
    )?;
    assert_eq!(facts(&v), vec![("works_on".into(), "search".into())], "{v}");
    let v = cli(
        &c,
        a.leader,
        &[
            "palace",
            "kg",
            "add",
            "bob",
            "reviews",
            "search",
            "--valid-from",
            "10",
        ],
    )?;
    assert_eq!(v["already_exists"], false, "{v}");
    Ok(())
}
