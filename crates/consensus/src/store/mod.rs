//! Storage: the log and vote on sled, the state machine in memory with snapshots on sled.

mod log_store;
pub mod seed;
mod state_machine;

pub use log_store::LogStore;
pub use seed::Seed;
pub use state_machine::{MAX_SNAPSHOT_BYTES, SmData, StateMachine};
