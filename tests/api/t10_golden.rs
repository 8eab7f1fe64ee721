use std::{os::unix::fs::PermissionsExt, path::Path, time::Duration};

use chorus_testkit::{LocalNode, NodeOptions, wait_until};

use crate::golden::{Body, Target, Transcript};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A token for the TCP API, only to show that a request without it is refused.
const TOKEN: &str = "golden-token-0123456789";

/// The whole recorded scenario: health, status, every palace resource, fencing, members,
/// backup, records and roles, with the errors a client most often meets (unknown endpoint,
/// unknown field or parameter, missing item, stale token, bad token format).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_api_answers_a_recorded_scenario_as_it_did_before_the_split() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let work = tempfile::tempdir()?;
    let token_file = work.path().join("token");
    std::fs::write(&token_file, TOKEN)?;
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600))?;
    let node = LocalNode::start(
        NodeOptions::new("golden", "golden")
            .env("CHORUS_API_TOKEN_FILE", token_file.display().to_string()),
    )
    .await?;
    wait_until("the node to lead", TIMEOUT, || async {
        let s = node.status();
        (
            s.is_leader == Some(true) && s.applied_index == s.commit_index,
            format!("{s:?}"),
        )
    })
    .await?;
    let ports = node.handle.ports().clone();
    let sock = Target::Socket(ports.socket.clone());
    let health = Target::Tcp(ports.health);
    let api = Target::Tcp(ports.api.ok_or_else(|| anyhow::anyhow!("TCP API is off"))?);

    let mut t = Transcript::default();
    let s = node.status();
    t.tokens.add(s.peer_id.clone(), "peer-id");
    t.tokens
        .add(s.raft_id.unwrap_or_default().to_string(), "raft-id");
    for a in node.handle.p2p.listen_addrs() {
        t.tokens.add(a.to_string(), "p2p-addr");
    }
    t.tokens.add(chorus_telemetry::BUILD_SHA, "build-sha");
    t.tokens.add(chorus_telemetry::VERSION, "version");
    let admin =
        chorus_crypto::RoleIdentity::generate_file(&node.data_dir.join("keys/roles"), "admin")?.1;
    t.tokens
        .add(admin.recipient().to_string(), "admin-recipient");

    let recipient = admin.recipient().to_string();
    run(&mut t, &sock, &health, &api, &recipient).await?;
    node.stop().await;
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/api-golden.txt");
    t.check(&golden)
}

async fn run(
    t: &mut Transcript,
    sock: &Target,
    health: &Target,
    api: &Target,
    recipient: &str,
) -> anyhow::Result<()> {
    use Body::{Opaque, Text};
    tracing::info!("phase: health port and status");
    t.call(health, "GET", "/healthz", &[], None, Text).await?;
    t.call(health, "GET", "/readyz", &[], None, Text).await?;
    t.call(health, "GET", "/status", &[], None, Text).await?;
    t.call(sock, "GET", "/v1/status", &[], None, Text).await?;
    t.call(sock, "GET", "/v1/peers", &[], None, Text).await?;
    t.call(sock, "GET", "/v1/nope", &[], None, Text).await?;
    t.call(api, "GET", "/v1/status", &[], None, Text).await?;
    let bearer = format!("Bearer {TOKEN}");
    t.tokens.add(TOKEN, "token");
    t.call(
        api,
        "GET",
        "/v1/peers",
        &[("Authorization", &bearer)],
        None,
        Text,
    )
    .await?;

    tracing::info!("phase: drawers");
    let added = t
        .call(
            sock,
            "POST",
            "/v1/palace/drawers",
            &[],
            Some(r#"{"wing":"alice","room":"design","content":"we chose sled","metadata":{"k":"v"}}"#),
            Text,
        )
        .await?
        .json();
    let id = added["id"].as_str().unwrap_or_default().to_string();
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &[],
        Some(r#"{"wing":"alice","room":"design","content":"we chose sled","metadata":{"k":"v"}}"#),
        Text,
    )
    .await?;
    for _ in 0..2 {
        t.call(
            sock,
            "POST",
            "/v1/palace/drawers",
            &[("Idempotency-Key", "golden-key-1")],
            Some(r#"{"wing":"bob","room":"ops","content":"restart the mesh on tuesdays","added_by":"bob","source":"notes.md","hall":"events"}"#),
            Text,
        )
        .await?;
    }
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &[],
        Some(r#"{"wing":"alice","room":"design","content":"x","colour":"red"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &[],
        Some("{not json"),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &[],
        Some(r#"{"wing":"../etc","room":"design","content":"x"}"#),
        Text,
    )
    .await?;
    let get = format!("/v1/palace/drawers/{id}");
    t.call(sock, "GET", &get, &[], None, Text).await?;
    t.call(sock, "GET", &format!("{get}?min_index=1"), &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        &format!("{get}?consistency=bogus"),
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        &format!("{get}?consistency=linearizable"),
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/drawers/nope", &[], None, Text)
        .await?;
    t.call(
        sock,
        "PATCH",
        &get,
        &[],
        Some(r#"{"content":"we chose sled, then kept it"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "PATCH",
        &get,
        &[],
        Some(r#"{"metadata":{"a":"b"}}"#),
        Text,
    )
    .await?;
    t.call(sock, "PATCH", &get, &[], Some(r#"{"colour":"red"}"#), Text)
        .await?;
    t.call(
        sock,
        "PATCH",
        "/v1/palace/drawers/nope",
        &[],
        Some(r#"{"content":"y"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers/batch",
        &[],
        Some(
            r#"{"drawers":[{"wing":"carol","room":"notes","content":"one"},{"wing":"carol","room":"notes","content":"two","metadata":{"n":"2"}},{"wing":"bad/wing","room":"notes","content":"three"},{"wing":"alice","room":"design","content":"we chose sled, then kept it"}]}"#,
        ),
        Text,
    )
    .await?;
    let page = t
        .call(sock, "GET", "/v1/palace/drawers?limit=2", &[], None, Text)
        .await?
        .json();
    if let Some(c) = page["next_cursor"].as_str() {
        t.call(
            sock,
            "GET",
            &format!("/v1/palace/drawers?limit=2&cursor={c}"),
            &[],
            None,
            Text,
        )
        .await?;
    }
    t.call(
        sock,
        "GET",
        "/v1/palace/drawers?wing=carol&room=notes",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/drawers?room=notes",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/drawers?colour=red",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/drawers?limit=x", &[], None, Text)
        .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/duplicate",
        &[],
        Some(r#"{"wing":"carol","room":"notes","content":"one"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/duplicate",
        &[],
        Some(r#"{"wing":"carol","room":"notes","content":"never filed","min_index":1}"#),
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/taxonomy", &[], None, Text)
        .await?;
    t.call(sock, "GET", "/v1/palace/taxonomy?limit=1", &[], None, Text)
        .await?;

    tracing::info!("phase: search");
    // Searches wait for the last write to be indexed, so the answers do not depend on how
    // fast the index follows.
    let status = crate::golden::send(sock, "GET", "/v1/status", &[], None)
        .await?
        .json();
    let applied = status["applied_index"].as_u64().unwrap_or(0);
    let wait = format!("min_index={applied}");
    t.call(
        sock,
        "GET",
        &format!("/v1/palace/search?q=sled&wing=alice&limit=5&{wait}"),
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        &format!("/v1/palace/search?q=%22restart%20the%20mesh%22&{wait}"),
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/search?wing=alice", &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/search?q=sled&limit=1000",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "POST", "/v1/palace/reindex", &[], Some("{}"), Text)
        .await?;
    t.call(
        sock,
        "GET",
        &format!("/v1/palace/status?{wait}"),
        &[],
        None,
        Text,
    )
    .await?;

    tracing::info!("phase: knowledge graph");
    let fact = r#"{"subject":"alice","predicate":"works_on","object":"chorus","valid_from":1000,"confidence":0.5,"source_drawer":"d1"}"#;
    t.call(sock, "POST", "/v1/palace/kg/facts", &[], Some(fact), Text)
        .await?;
    t.call(sock, "POST", "/v1/palace/kg/facts", &[], Some(fact), Text)
        .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/kg/facts",
        &[],
        Some(r#"{"subject":"bob","predicate":"reviews","object":"alice","valid_from":2000,"valid_to":3000}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/kg/facts",
        &[],
        Some(r#"{"subject":"bob","predicate":"reviews","object":"alice","valid_from":5000,"valid_to":3000}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/kg/entities",
        &[],
        Some(r#"{"name":"alice","kind":"person"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/kg/entities",
        &[],
        Some(r#"{"name":"alice","kind":"person"}"#),
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/kg/entities/alice", &[], None, Text)
        .await?;
    t.call(sock, "GET", "/v1/palace/kg/entities/zed", &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/kg/query?entity=alice",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/kg/query?entity=alice&direction=out&as_of=1500",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/kg/query?entity=alice&direction=sideways",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/kg/query", &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/kg/timeline?entity=alice&limit=1",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/kg/timeline?entity=alice&as_of=5",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/kg/invalidate",
        &[],
        Some(r#"{"subject":"alice","predicate":"works_on","object":"chorus","ended_at_ms":4000}"#),
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/kg/stats", &[], None, Text)
        .await?;

    tracing::info!("phase: tunnels and diaries");
    let tunnel = r#"{"a":{"wing":"alice","room":"design"},"b":{"wing":"bob","room":"ops"},"label":"same system"}"#;
    let created = t
        .call(sock, "POST", "/v1/palace/tunnels", &[], Some(tunnel), Text)
        .await?
        .json();
    t.call(sock, "POST", "/v1/palace/tunnels", &[], Some(tunnel), Text)
        .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/tunnels",
        &[],
        Some(r#"{"a":{"wing":"alice","room":"design"},"b":{"wing":"alice","room":"other"}}"#),
        Text,
    )
    .await?;
    let tid = created["id"].as_str().unwrap_or_default().to_string();
    t.call(sock, "GET", "/v1/palace/tunnels", &[], None, Text)
        .await?;
    t.call(sock, "GET", "/v1/palace/tunnels?wing=bob", &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        &format!("/v1/palace/tunnels/{tid}"),
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "DELETE",
        &format!("/v1/palace/tunnels/{tid}"),
        &[],
        None,
        Text,
    )
    .await?;
    t.call(
        sock,
        "GET",
        &format!("/v1/palace/tunnels/{tid}"),
        &[],
        None,
        Text,
    )
    .await?;
    for text in ["first day", "second day"] {
        t.call(
            sock,
            "POST",
            "/v1/palace/diaries/alice",
            &[],
            Some(&format!(r#"{{"text":"{text}","topic":"work"}}"#)),
            Text,
        )
        .await?;
    }
    t.call(sock, "GET", "/v1/palace/diaries/alice", &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        "/v1/palace/diaries/alice?limit=1",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/palace/diaries/nobody", &[], None, Text)
        .await?;

    tracing::info!("phase: fencing and members");
    let body = r#"{"resource":"task-7"}"#;
    let first = t
        .call(sock, "POST", "/v1/fencing/authorize", &[], Some(body), Text)
        .await?
        .json();
    let first_token = format!("{}.{}", first["term"], first["index"]);
    let fenced = [
        ("Fencing-Resource", "task-7"),
        ("Fencing-Token", first_token.as_str()),
    ];
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &fenced,
        Some(r#"{"wing":"alice","room":"tasks","content":"task 7 result"}"#),
        Text,
    )
    .await?;
    t.call(sock, "POST", "/v1/fencing/authorize", &[], Some(body), Text)
        .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &fenced,
        Some(r#"{"wing":"alice","room":"tasks","content":"late result"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &[("Fencing-Resource", "task-7"), ("Fencing-Token", "three")],
        Some(r#"{"wing":"alice","room":"tasks","content":"x"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/palace/drawers",
        &[("Fencing-Resource", "task-7")],
        Some(r#"{"wing":"alice","room":"tasks","content":"x"}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/fencing/check",
        &[],
        Some(&format!(
            r#"{{"resource":"task-7","term":{},"index":{}}}"#,
            first["term"], first["index"]
        )),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/fencing/check",
        &[],
        Some(r#"{"resource":"task-7","term":999,"index":999}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/fencing/check",
        &[],
        Some(r#"{"resource":"task-7","term":1,"index":1}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/fencing/authorize",
        &[],
        Some(r#"{"resource":""}"#),
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/members", &[], None, Text).await?;
    t.call(sock, "POST", "/v1/members/nobody/promote", &[], None, Text)
        .await?;
    t.call(sock, "DELETE", "/v1/members/nobody", &[], None, Text)
        .await?;
    t.call(sock, "DELETE", &get, &[], None, Text).await?;
    t.call(sock, "DELETE", &get, &[], None, Text).await?;

    tracing::info!("phase: backup");
    t.call(sock, "POST", "/v1/backup", &[], None, Opaque)
        .await?;
    t.call(sock, "POST", "/v1/backup?consistency=nope", &[], None, Text)
        .await?;

    tracing::info!("phase: roles and records");
    t.call(sock, "GET", "/v1/roles", &[], None, Text).await?;
    t.call(
        sock,
        "POST",
        "/v1/roles/admin",
        &[],
        Some(&format!(r#"{{"recipients":["{recipient}"]}}"#)),
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/roles", &[], None, Text).await?;
    t.call(
        sock,
        "POST",
        "/v1/roles/admin",
        &[],
        Some(r#"{"recipients":["not-a-recipient"]}"#),
        Text,
    )
    .await?;
    let published = crate::golden::send(
        sock,
        "POST",
        "/v1/records",
        &[],
        Some(br#"{"address":"ucxl://golden:admin@proj:t1/*^/notes.md","roles":["admin"],"text":"we keep the old data readable","task":"t1"}"#),
    )
    .await?;
    let cid = published.json()["cid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    t.tokens.add(cid.clone(), "cid");
    t.record_answer("POST /v1/records (the publication itself)", &published);
    t.call(
        sock,
        "POST",
        "/v1/records",
        &[],
        Some(r#"{"address":"ucxl://golden:admin@proj:t1/*^/notes.md","roles":["admin"]}"#),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        "/v1/records",
        &[],
        Some(r#"{"address":"not-an-address","roles":["admin"],"text":"x"}"#),
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/records", &[], None, Text).await?;
    t.call(
        sock,
        "GET",
        "/v1/records?project=proj&task=t1&limit=5",
        &[],
        None,
        Text,
    )
    .await?;
    t.call(sock, "GET", "/v1/records?limit=0", &[], None, Text)
        .await?;
    t.call(sock, "GET", &format!("/v1/records/{cid}"), &[], None, Text)
        .await?;
    t.call(sock, "GET", "/v1/records/not-a-cid", &[], None, Text)
        .await?;
    t.call(
        sock,
        "GET",
        "/v1/records/by-address?address=ucxl%3A%2F%2Fgolden%3Aadmin%40proj%3At1%2F*%5E%2Fnotes.md",
        &[],
        None,
        Text,
    )
    .await?;
    let export = t
        .call(
            sock,
            "GET",
            &format!("/v1/records/{cid}/export"),
            &[],
            None,
            Opaque,
        )
        .await?;
    let armored = String::from_utf8_lossy(&export.body).into_owned();
    let verified = crate::golden::send(
        sock,
        "POST",
        "/v1/records/verify",
        &[],
        Some(armored.as_bytes()),
    )
    .await?;
    t.record_answer("POST /v1/records/verify (the exported record)", &verified);
    t.call(
        sock,
        "POST",
        "/v1/records/verify",
        &[],
        Some("garbage"),
        Text,
    )
    .await?;
    t.call(
        sock,
        "POST",
        &format!("/v1/records/{cid}/decrypt"),
        &[],
        None,
        Text,
    )
    .await?;
    Ok(())
}
