//! A history the size of a real randomized run: 5 keys, 10 clients, 2,000 operations.

use std::time::Instant;

use chorus_history::{Checker, Error};
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::mutate::{Why, mutate_as};
use crate::sim::{Config, simulate};

const LARGE: Config = Config {
    clients: 10,
    keys: 5,
    ops: 2_000,
    unknown_permille: 30,
    failed_permille: 20,
    cas_permille: 100,
    seed: 0x5eed,
};

#[test]
fn large_history_is_decided_within_the_default_budget() {
    let history = simulate(&LARGE);
    let started = Instant::now();
    let report = Checker::new().check(&history).unwrap();
    // Information only; timings are never asserted.
    println!(
        "checked {} ops on {} keys ({} recorded) in {:?} with {} steps",
        report.ops,
        report.keys,
        history.len(),
        started.elapsed(),
        report.steps
    );
    assert_eq!(report.keys, 5);
}

#[test]
fn large_history_with_one_impossible_read_is_rejected_within_the_default_budget() {
    let history = simulate(&LARGE);
    // Values going backwards between two reads usually need the search, not the quick pass.
    let m = mutate_as(
        &history,
        &mut StdRng::seed_from_u64(7),
        Some(Why::Backwards),
    )
    .unwrap();
    let started = Instant::now();
    let err = Checker::new().check(&m.history).unwrap_err();
    println!("rejected in {:?} ({:?}):\n{err}", started.elapsed(), m.why);
    match err {
        Error::Violation(v) => {
            assert_eq!(v.key, m.key);
            assert!(v.ops.iter().any(|e| e.id == m.read));
        }
        other => panic!("expected a violation, got {other:?}"),
    }
}
