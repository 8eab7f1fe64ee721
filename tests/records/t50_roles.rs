use chorus_consensus::{Op, WriteError};
use chorus_palace::Command;

use crate::{cluster, draft, give_role};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_admin_holders_change_roles_and_records_need_registered_roles() -> anyhow::Result<()> {
    chorus_testkit::init_tracing();
    let (c, _keys) = cluster("rec-roles", 3).await?;
    let reviewer = chorus_crypto::RoleIdentity::generate();
    let rec = reviewer.recipient().to_string();

    // Node 2 holds no admin identity: the leader's challenge cannot be answered.
    let err = c.nodes[2]
        .handle
        .records
        .set_role("reviewer", std::slice::from_ref(&rec))
        .await
        .expect_err("not admin");
    assert!(err.to_string().contains("admin"), "{err}");
    // A raw role write, on any node, is refused by the leader's admission hook.
    for n in &c.nodes {
        let e = n
            .handle
            .consensus
            .write(
                Op::Palace(Command::RoleSet {
                    role: "reviewer".into(),
                    recipients: vec![rec.clone()],
                }),
                None,
            )
            .await
            .expect_err("unauthorised RoleSet");
        assert!(matches!(e, WriteError::Refused(_)), "{e}");
    }
    // A node holding another role is not admin either.
    give_role(&c.nodes[2], "developer2");
    assert!(
        c.nodes[2]
            .handle
            .records
            .set_role("reviewer", std::slice::from_ref(&rec))
            .await
            .is_err()
    );
    // A record for an unregistered role cannot be built.
    let mut d = draft("ucxl://alice:developer@chorus:t-5/*^/a.md", "x");
    d.roles = vec!["reviewer".into()];
    let e = c.nodes[1]
        .handle
        .records
        .publish(d.clone())
        .await
        .expect_err("no reviewer yet");
    assert!(e.to_string().contains("reviewer"), "{e}");
    // Node 0 holds admin: from a follower or the leader alike, the change commits.
    c.nodes[0]
        .handle
        .records
        .set_role("reviewer", &[rec])
        .await?;
    c.nodes[1].handle.records.publish(d).await?;
    c.stop().await;
    Ok(())
}
