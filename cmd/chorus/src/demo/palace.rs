//! Demo step: agents file memories in the palace and search them (issue #5).

use super::Ctx;

/// Runs the step.
pub async fn run(_ctx: &mut Ctx<'_>) -> anyhow::Result<()> {
    Ok(())
}
