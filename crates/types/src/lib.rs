//! Shared vocabulary of Chorus: identifiers, fencing tokens, UCXL addresses and size limits.
//!
//! This crate owns plain data types and their validation. It performs no IO, spawns no tasks and
//! depends on no other Chorus crate, so every other crate can use it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod status;
pub mod ucxl;
