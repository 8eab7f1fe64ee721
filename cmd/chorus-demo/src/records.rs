//! Demo step: a decision record published by one node, verified on another, decrypted only
//! where the role key exists (issue #6).

use std::{
    path::Path,
    time::{Duration, Instant},
};

use chorus_client::types::records::{NewRecord, RoleRecipients};
use chorus_crypto::RoleIdentity;

use super::Ctx;

/// The identity of `role` in a node's data directory, created if missing.
fn role_key(dir: &Path, role: &str) -> anyhow::Result<RoleIdentity> {
    let roles = dir.join("keys/roles");
    let path = chorus_crypto::role_key_path(&roles, role)?;
    if path.exists() {
        return Ok(RoleIdentity::load(&path)?);
    }
    Ok(RoleIdentity::generate_file(&roles, role)?.1)
}

/// Runs the step.
pub async fn run(ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    let alive: Vec<usize> = (0..ctx.nodes.len())
        .filter(|i| matches!(ctx.nodes[*i].child.try_wait(), Ok(None)))
        .collect();
    let [author, reader, ..] = alive[..] else {
        println!("\nrecords: skipped (needs two live nodes)");
        return Ok(());
    };
    let (a, r) = (&ctx.clients[author], &ctx.clients[reader]);
    let (an, rn) = (
        ctx.nodes[author].name.clone(),
        ctx.nodes[reader].name.clone(),
    );
    println!("\nrecords: {an} holds the admin and developer role keys; {rn} holds none");
    for role in ["admin", "developer"] {
        let id = role_key(&ctx.nodes[author].dir, role)?;
        let recipients = RoleRecipients {
            recipients: vec![id.recipient().to_string()],
        };
        match a.set_role(role, &recipients).await {
            Ok(v) => println!(
                "roles: {role} registered at index {} (admin proved by challenge)",
                v.index
            ),
            Err(e) => println!("roles: {role} not registered: {e}"),
        }
    }
    let t = Instant::now();
    let record = NewRecord {
        address: "ucxl://demo:developer@chorus:demo/*^/decisions/storage.md".into(),
        roles: vec!["developer".into()],
        text: Some("Decision: keep the palace in sled, one writer elected by Raft.".into()),
        ..NewRecord::default()
    };
    let receipt = a.publish_record(&record).await?;
    let cid = receipt["cid"].as_str().unwrap_or_default().to_string();
    println!(
        "publish: {an} signed and encrypted {} -> cid {}… (palace index {}, dht {}, announced {}) in {:.1} ms",
        receipt["address"].as_str().unwrap_or_default(),
        &cid[..cid.len().min(16)],
        receipt["index"],
        receipt["dht"],
        receipt["announced"],
        t.elapsed().as_secs_f64() * 1000.0
    );
    let got = loop {
        match r.record(&cid).await {
            Ok(v) => break v,
            Err(_) if t.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => return Err(e.into()),
        }
    };
    println!(
        "verify: {rn} fetched it from its {} and verified the signature of {}",
        got["source"].as_str().unwrap_or("?"),
        got["record"]["author"].as_str().unwrap_or("?")
    );
    match r.decrypt_record(&cid).await {
        Ok(_) => println!("decrypt: {rn} decrypted it (unexpected: it holds no role key)"),
        Err(e) => println!("decrypt: {rn} cannot read it: {e}"),
    }
    let plain = a.decrypt_record(&cid).await?;
    println!(
        "decrypt: {an} (developer key) reads: {}",
        plain["text"].as_str().unwrap_or("?")
    );
    Ok(())
}
