use chorus_decisions::Source;
use chorus_testkit::{LocalNode, NodeOptions, wait_for, wait_until};
use chorus_types::ucxl::Address;

use crate::{TIMEOUT, cluster, draft, received};

/// Stops a node but keeps its data directory; returns what restarts it on the same address.
async fn stop_keep(n: LocalNode) -> (NodeOptions, Option<tempfile::TempDir>) {
    let addr = n.handle.p2p.listen_addrs()[0].to_string();
    let LocalNode {
        handle,
        opts,
        data_dir,
        tmp,
    } = n;
    handle.shutdown().await;
    let mut opts = opts.env("CHORUS_LISTEN_ADDRS", addr);
    opts.data_dir = Some(data_dir);
    (opts, tmp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_survives_its_author_stopping_and_every_node_restarting() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (mut c, _keys) = cluster("rec-durable", 3).await?;
    let at = "ucxl://bob:developer@chorus:t-3/*^/adr.md";
    let receipt = c.nodes[2]
        .handle
        .records
        .publish(draft(at, "keep me"))
        .await?;
    let cid: chorus_records::Cid = receipt.cid.parse()?;
    wait_until("nodes 0 and 1 to verify the record", TIMEOUT, || async {
        let got = [received(&c.nodes[0]), received(&c.nodes[1])];
        (got.iter().all(|v| *v >= 1.0), format!("{got:?}"))
    })
    .await?;

    tracing::info!("phase: stop the author; the others still serve the record");
    let author = c.nodes.pop().expect("three nodes");
    let (author_opts, author_tmp) = stop_keep(author).await;
    for n in &c.nodes {
        n.handle
            .consensus
            .read(
                chorus_consensus::Consistency::MinIndex(receipt.index),
                |_| (),
            )
            .await?;
        let f = n.handle.records.get(cid, &[]).await?;
        assert_eq!(f.source, Source::Palace);
        assert_eq!(f.record.header().address.to_string(), receipt.address);
    }

    tracing::info!("phase: stop every node, then start them all again on the same files");
    let mut kept = Vec::new();
    for n in c.nodes.drain(..) {
        kept.push(stop_keep(n).await);
    }
    kept.push((author_opts, author_tmp));
    let mut tmps = Vec::new();
    for (opts, tmp) in kept {
        // sled releases its file lock from its flusher thread, shortly after the last handle
        // is dropped: start again once the lock is free.
        let node = wait_for("the data directory lock to be released", TIMEOUT, || {
            let opts = opts.clone();
            async move { LocalNode::start(opts).await.map_err(|e| e.to_string()) }
        })
        .await?;
        c.nodes.push(node);
        tmps.push(tmp);
    }
    c.wait_leader(TIMEOUT).await?;
    let latest: Address = at.parse()?;
    for (i, n) in c.nodes.iter().enumerate() {
        let r = n.handle.records.clone();
        wait_until(
            &format!("node {i} to serve the record after restart"),
            TIMEOUT,
            || {
                let r = r.clone();
                let latest = latest.clone();
                async move {
                    match r.get_address(&latest).await {
                        Ok(f) => (
                            f.record.cid() == cid && f.version == Some(1),
                            "found".into(),
                        ),
                        Err(e) => (false, e.to_string()),
                    }
                }
            },
        )
        .await?;
    }
    c.stop().await;
    drop(tmps);
    Ok(())
}
