//! API suite: the HTTP API's answers to a recorded scenario stay the same, byte for byte once
//! the fields that differ between runs (times, peer ids, content ids, ports) are normalised.
//!
//! The recording (`tests/fixtures/api-golden.txt`) was taken before the API crate was split by
//! resource (#9), so a refactor that changes a status code, a field, its order or its spelling
//! fails here. After a deliberate change of the API, re-record with `CHORUS_BLESS=1` and say
//! why in the commit.

mod golden;
mod t10_golden;
