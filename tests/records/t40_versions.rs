use chorus_types::ucxl::Address;

use crate::{cluster, draft};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn publishing_twice_gives_versions_one_and_two_resolved_by_selectors() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, _keys) = cluster("rec-versions", 3).await?;
    let at = "ucxl://alice:developer@chorus:t-4/*^/plan.md";
    let one = c.nodes[1]
        .handle
        .records
        .publish(draft(at, "first"))
        .await?;
    let two = c.nodes[2]
        .handle
        .records
        .publish(draft(at, "second"))
        .await?;
    assert_eq!((one.version, two.version), (1, 2));
    assert!(one.address.contains("/*1/") && two.address.contains("/*2/"));
    let r = &c.nodes[0].handle.records;
    // Read-your-writes on node 0 before resolving.
    c.nodes[0]
        .handle
        .consensus
        .read(chorus_consensus::Consistency::MinIndex(two.index), |_| ())
        .await?;
    let resolve = |sel: &str| -> Address { at.replace("*^", sel).parse().expect("address") };
    assert_eq!(r.resolve(&resolve("*^")).await?.0.to_string(), two.cid);
    assert_eq!(r.resolve(&resolve("~~1")).await?.0.to_string(), one.cid);
    assert_eq!(r.resolve(&resolve("*1")).await?.0.to_string(), one.cid);
    assert_eq!(r.resolve(&resolve("*2")).await?.0.to_string(), two.cid);
    for missing in ["*3", "~~2"] {
        let e = r.resolve(&resolve(missing)).await.expect_err(missing);
        assert!(e.to_string().contains("2 version(s)"), "{missing}: {e}");
    }
    let latest = r.get_address(&resolve("*^")).await?;
    assert_eq!(latest.version, Some(2));
    assert_eq!(latest.record.header().address.to_string(), two.address);
    // Both are listed under their project and task, and not under another.
    assert_eq!(r.list(Some("chorus"), Some("t-4"), 100).await?.len(), 2);
    assert!(r.list(Some("other"), None, 100).await?.is_empty());
    c.stop().await;
    Ok(())
}
