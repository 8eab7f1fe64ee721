//! Storage: the log and vote on sled, the state machine in memory with snapshots on sled.

mod log_store;
mod state_machine;

pub use log_store::LogStore;
pub use state_machine::{SmData, StateMachine, seed};
