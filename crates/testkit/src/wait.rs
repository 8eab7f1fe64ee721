//! Waiting on observable state with a deadline and a reason.

use std::{future::Future, time::Duration};

/// How often a condition is re-checked while waiting.
const POLL: Duration = Duration::from_millis(25);

/// Re-checks `check` until it yields `Some`, or fails after `timeout` with a message naming
/// `what` was expected and the last observation.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        let last = match check().await {
            Ok(v) => return Ok(v),
            Err(observed) => observed,
        };
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!("timed out after {timeout:?} waiting for {what}; last observed: {last}");
        }
    }
}

/// Like [`wait_for`] for a boolean condition with a description of what was seen.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (bool, String)>,
{
    wait_for(what, timeout, || {
        let f = check();
        async move {
            let (ok, seen) = f.await;
            if ok { Ok(()) } else { Err(seen) }
        }
    })
    .await
}
