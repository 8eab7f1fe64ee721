use chorus_consensus::Consistency;
use chorus_testkit::wait_until;

use crate::{TIMEOUT, cluster, draft, files_contain, received};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_published_on_one_of_five_is_verified_everywhere_and_readable_only_by_its_roles()
-> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, keys) = cluster("rec-publish", 5).await?;
    let marker = "PLAINTEXT-MARKER-do-not-store-3f9a1c";
    tracing::info!("phase: publish on node 2");
    let receipt = c.nodes[2]
        .handle
        .records
        .publish(draft(
            "ucxl://alice:developer@chorus:t-1/*^/decisions/db.md",
            &format!("We choose sled. {marker}"),
        ))
        .await?;
    assert_eq!(receipt.version, 1);
    assert!(receipt.address.contains("/*1/"), "{}", receipt.address);
    assert!(receipt.announced, "announced on decisions/1");
    let cid: chorus_records::Cid = receipt.cid.parse()?;

    tracing::info!("phase: every other node receives, fetches and verifies it");
    wait_until(
        "4 nodes to verify the announced record",
        TIMEOUT,
        || async {
            let got: Vec<f64> = c.nodes.iter().map(received).collect();
            let others = got.iter().enumerate().filter(|(i, _)| *i != 2);
            (
                others.clone().all(|(_, v)| *v >= 1.0),
                format!("received {got:?}"),
            )
        },
    )
    .await?;

    tracing::info!("phase: holders of developer and admin decrypt; others cannot");
    let plain = |i: usize| {
        let r = c.nodes[i].handle.records.clone();
        async move { r.decrypt(cid).await }
    };
    let (_, dev) = plain(1).await?;
    assert!(String::from_utf8(dev)?.contains(marker));
    let (_, adm) = plain(0).await?;
    assert!(String::from_utf8(adm)?.contains(marker));
    for i in [2, 3, 4] {
        let err = plain(i).await.expect_err("no role identity on this node");
        assert!(
            err.to_string().contains("not a recipient"),
            "node {i}: {err}"
        );
    }
    let fetched = c.nodes[4].handle.records.get(cid, &[]).await?;
    let _ = &keys.developer;
    assert_eq!(
        chorus_records::decrypt(&fetched.record, std::slice::from_ref(&keys.developer))?,
        format!("We choose sled. {marker}").into_bytes()
    );

    tracing::info!("phase: the plaintext is in no palace, DHT store or data file");
    for (i, n) in c.nodes.iter().enumerate() {
        let (envelopes, _) = n
            .handle
            .consensus
            .read(Consistency::MinIndex(receipt.index), |d| {
                let page = d.palace.records("", 1000, None).expect("list");
                page.items
                    .iter()
                    .filter_map(|s| d.palace.record(&s.cid).map(|r| r.envelope.clone()))
                    .collect::<Vec<_>>()
            })
            .await?;
        assert_eq!(envelopes.len(), 1, "node {i} holds the record");
        let dht = n.handle.p2p.dht_local_values().await?;
        for blob in envelopes.iter().chain(dht.iter()) {
            assert!(
                !blob.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "node {i}: plaintext found in stored bytes"
            );
        }
        // The search is meaningful: the cid, stored in plaintext beside the envelope, is found.
        assert!(
            files_contain(&n.data_dir.join("raft"), receipt.cid.as_bytes()),
            "node {i}: cid in the raft files"
        );
        assert!(
            !files_contain(&n.data_dir.join("raft"), marker.as_bytes()),
            "node {i}: plaintext in the raft files"
        );
    }
    let in_dht =
        futures::future::join_all(c.nodes.iter().map(|n| n.handle.p2p.dht_local_values())).await;
    assert!(
        in_dht
            .iter()
            .flatten()
            .any(|vals| vals.iter().any(|v| v == fetched.record.as_bytes())),
        "the envelope is in the DHT"
    );
    c.stop().await;
    Ok(())
}
