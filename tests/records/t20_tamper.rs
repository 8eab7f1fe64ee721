use std::process::Command;

use chorus_crypto::NodeSigner;
use chorus_p2p::Topic;
use chorus_records::{Announcement, Cid, Limits};
use chorus_testkit::{bin_path, wait_until};
use sha2::{Digest, Sha256};

use crate::{TIMEOUT, cluster, draft, rejected};

/// magic (4) + version (1) + header length (4).
const HEADER_AT: usize = 9;

fn header_len(bytes: &[u8]) -> usize {
    u32::from_be_bytes(bytes[5..9].try_into().expect("4 bytes")) as usize
}

fn sign_envelope(header: &[u8], ciphertext: &[u8], signer: &NodeSigner) -> Vec<u8> {
    let mut msg = b"chorus/record/v1/signature\n".to_vec();
    msg.extend_from_slice(header);
    msg.extend_from_slice(&Sha256::digest(ciphertext));
    let mut out = b"CHRD\x01".to_vec();
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(signer.sign(&msg).as_bytes());
    out.extend_from_slice(&(ciphertext.len() as u32).to_be_bytes());
    out.extend_from_slice(ciphertext);
    out
}

/// Each forgery of `bytes` and the reason it must be rejected for.
fn forgeries(
    bytes: &[u8],
    author_key: &[u8; 32],
    oversized: Vec<u8>,
) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let hlen = header_len(bytes);
    let sig_at = HEADER_AT + hlen;
    let mut header = bytes.to_vec();
    // The last letter of the content type, the header's last field ("text/plain"): the header
    // still decodes and passes the schema, only the signature no longer covers it.
    let at = HEADER_AT + hlen - 1;
    assert_eq!(header[at], b'n');
    header[at] = b'x';
    let mut ciphertext = bytes.to_vec();
    let last = ciphertext.len() - 1;
    ciphertext[last] ^= 0x01;
    let mut signature = bytes.to_vec();
    signature[sig_at + 10] ^= 0x80;
    let mallory = NodeSigner::from_seed(&[9; 32]);
    let mut h = bytes[HEADER_AT..HEADER_AT + hlen].to_vec();
    let key_at = h
        .windows(32)
        .position(|w| w == author_key)
        .expect("author key in header");
    h[key_at..key_at + 32].copy_from_slice(&mallory.public_key().to_bytes());
    let resigned = sign_envelope(&h, &bytes[sig_at + 64 + 4..], &mallory);
    vec![
        ("header", "bad_signature", header),
        ("ciphertext", "bad_signature", ciphertext),
        ("signature", "bad_signature", signature),
        ("resigned", "author_mismatch", resigned),
        ("oversized", "too_large", oversized),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tampered_records_are_rejected_with_their_reason_on_gossip_and_by_the_cli()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, _keys) = cluster("rec-tamper", 3).await?;
    let node = &c.nodes[0].handle;
    let good = node
        .records
        .publish(draft(
            "ucxl://alice:developer@chorus:t-2/*^/x.md",
            "original",
        ))
        .await?;
    let fetched = node.records.get(good.cid.parse()?, &[]).await?;
    let bytes = fetched.record.as_bytes().to_vec();
    let author_key = fetched.record.header().author_key.to_bytes();

    // A correctly signed record just over the 1 MiB receivers accept.
    let big = vec![7u8; 1024 * 1024 + 1000];
    let mut p = draft("ucxl://alice:developer@chorus:t-2/*1/big.bin", "");
    p.body = big;
    let recipients = node
        .consensus
        .read(chorus_consensus::Consistency::Local, |d| {
            ["admin", "developer"]
                .iter()
                .map(|r| {
                    let list = d
                        .palace
                        .role(r)
                        .expect("role")
                        .recipients
                        .iter()
                        .map(|x| x.parse().expect("recipient"))
                        .collect();
                    (r.to_string(), list)
                })
                .collect::<chorus_records::RoleRecipients>()
        })
        .await?
        .0;
    let signer = NodeSigner::from_seed(&[3; 32]);
    let oversized = chorus_records::build(
        &chorus_records::Draft {
            address: p.address.clone(),
            created_at_ms: 1,
            task: None,
            fencing: None,
            parents: vec![],
            recipient_roles: p.roles.clone(),
            content_type: "application/octet-stream".into(),
            body: &p.body,
        },
        &signer,
        &recipients,
        &Limits {
            max_record_bytes: 2 * 1024 * 1024,
        },
    )?
    .into_bytes();

    let dir = tempfile::tempdir()?;
    let chorus = bin_path("chorus")?;
    for (what, reason, forged) in forgeries(&bytes, &author_key, oversized) {
        tracing::info!(what, reason, "phase: announce a forged record");
        let before: Vec<f64> = c.nodes.iter().map(|n| rejected(n, reason)).collect();
        let cid = Cid::of(&forged);
        node.p2p.dht_put(forged.clone()).await?;
        let a = Announcement {
            cid,
            address: fetched.record.header().address.clone(),
            author: fetched.record.header().author_peer_id.clone(),
        };
        node.p2p
            .publish(Topic::Decisions, serde_json::to_vec(&a)?)
            .await?;
        wait_until(
            &format!("{what}: counted as {reason} on nodes 1 and 2"),
            TIMEOUT,
            || async {
                let now: Vec<f64> = c.nodes.iter().map(|n| rejected(n, reason)).collect();
                (
                    (1..3).all(|i| now[i] > before[i]),
                    format!("before {before:?} now {now:?}"),
                )
            },
        )
        .await?;
        // Nothing forged is kept: no palace holds it.
        for n in &c.nodes {
            let held = n
                .handle
                .consensus
                .read(chorus_consensus::Consistency::Local, |d| {
                    d.palace.record(&cid.to_string()).is_some()
                })
                .await?
                .0;
            assert!(!held, "{what}: a palace kept the forged record");
        }

        tracing::info!(what, "phase: chorus record verify refuses the file");
        let file = dir.path().join(format!("{what}.rec"));
        std::fs::write(&file, &forged)?;
        let out = Command::new(&chorus)
            .args(["record", "verify"])
            .arg(&file)
            .output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(65), "{what}: {stderr}");
        assert!(
            stderr.contains(reason),
            "{what}: expected {reason} in {stderr}"
        );
    }

    tracing::info!("phase: a genuine cid announced under another address is refused");
    let before: Vec<f64> = c
        .nodes
        .iter()
        .map(|n| rejected(n, "announcement"))
        .collect();
    let lie = Announcement {
        cid: fetched.record.cid(),
        address: "ucxl://mallory:developer@chorus:t-2/*1/x.md".parse()?,
        author: fetched.record.header().author_peer_id.clone(),
    };
    node.p2p
        .publish(Topic::Decisions, serde_json::to_vec(&lie)?)
        .await?;
    wait_until(
        "a misleading announcement counted on nodes 1 and 2",
        TIMEOUT,
        || async {
            let now: Vec<f64> = c
                .nodes
                .iter()
                .map(|n| rejected(n, "announcement"))
                .collect();
            (
                (1..3).all(|i| now[i] > before[i]),
                format!("before {before:?} now {now:?}"),
            )
        },
    )
    .await?;

    tracing::info!("phase: the genuine export verifies and decrypts offline");
    let file = dir.path().join("good.rec");
    std::fs::write(&file, chorus_records::armor(&fetched.record))?;
    let out = Command::new(&chorus)
        .args(["record", "verify"])
        .arg(&file)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&good.cid));
    let id_file = c.nodes[1].data_dir.join("keys/roles/developer.age");
    let out = Command::new(&chorus)
        .args(["record", "decrypt"])
        .arg(&file)
        .arg("--identity")
        .arg(&id_file)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"original");
    let other = dir.path().join("reviewer.age");
    chorus_crypto::RoleIdentity::generate().write_new(&other, "reviewer")?;
    let out = Command::new(&chorus)
        .args(["record", "decrypt"])
        .arg(&file)
        .arg("--identity")
        .arg(&other)
        .output()?;
    assert_eq!(out.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a recipient"));
    c.stop().await;
    Ok(())
}
