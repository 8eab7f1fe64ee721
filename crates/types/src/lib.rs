//! Shared vocabulary of Chorus: fencing tokens, status documents, UCXL addresses, node roles and
//! exit codes.
//!
//! This crate owns plain data types and their validation. It performs no IO, spawns no tasks and
//! depends on no other Chorus crate, so every other crate can use it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod exit;
pub mod fencing;
pub mod role;
pub mod status;
pub mod ucxl;
