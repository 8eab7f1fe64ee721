//! Checks the search, the pruning and the shrinking against a brute-force oracle on small random
//! sub-histories, including ones that are not linearizable and ones with repeated values.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use crate::history::OpId;
use crate::model::Step;
use crate::op::Value;
use crate::partition::{POp, never_written, prune_unobserved};
use crate::quick::obvious_violation;
use crate::search::{Outcome, search};
use crate::shrink::{explain, shrink};

/// Whether some subset of the unknown operations, plus every completed one, has an order that
/// respects real time (`a` before `b` when `a` returned before `b` was called) and the register.
fn brute_force(ops: &[POp], initial: Option<Value>) -> bool {
    let unknown: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].ret.is_none()).collect();
    (0u32..1 << unknown.len()).any(|mask| {
        let included: Vec<bool> = (0..ops.len())
            .map(|i| match unknown.iter().position(|&u| u == i) {
                Some(bit) => mask & (1 << bit) != 0,
                None => true,
            })
            .collect();
        let mut placed = vec![false; ops.len()];
        order_exists(ops, &included, &mut placed, initial)
    })
}

fn order_exists(ops: &[POp], included: &[bool], placed: &mut [bool], state: Option<Value>) -> bool {
    let todo: Vec<usize> = (0..ops.len())
        .filter(|&i| included[i] && !placed[i])
        .collect();
    if todo.is_empty() {
        return true;
    }
    todo.iter().any(|&c| {
        let ready = todo
            .iter()
            .all(|&a| ops[a].ret.is_none_or(|ret| ret >= ops[c].call));
        let Some(next) = ready.then(|| ops[c].step.apply(state)).flatten() else {
            return false;
        };
        placed[c] = true;
        let found = order_exists(ops, included, placed, next);
        placed[c] = false;
        found
    })
}

fn linearizable(ops: &[POp], initial: Option<Value>) -> bool {
    match search(ops, initial, 10_000_000) {
        Outcome::Linearizable { .. } => true,
        Outcome::NotLinearizable { .. } => false,
        Outcome::Exhausted { .. } => panic!("a small search exhausted its budget"),
    }
}

fn value() -> impl Strategy<Value = Value> + Clone {
    // Few values, so that operations often see each other's, and a few rare ones that nothing sees.
    prop_oneof![8 => 1u64..=3, 1 => 4u64..=9]
}

fn step(unknown: bool) -> BoxedStrategy<Step> {
    let maybe = proptest::option::of(value());
    if unknown {
        prop_oneof![
            value().prop_map(Step::Write),
            (maybe, value()).prop_map(|(expected, new)| Step::MaybeSwap { expected, new }),
        ]
        .boxed()
    } else {
        prop_oneof![
            3 => value().prop_map(Step::Write),
            4 => maybe.clone().prop_map(Step::Read),
            1 => (maybe.clone(), value()).prop_map(|(expected, new)| Step::Swap { expected, new }),
            1 => maybe.prop_map(|expected| Step::NoSwap { expected }),
        ]
        .boxed()
    }
}

fn pop(index: usize) -> impl Strategy<Value = POp> {
    (0u64..16, 1u64..8, proptest::bool::weighted(0.3)).prop_flat_map(move |(call, len, unknown)| {
        step(unknown).prop_map(move |step| POp {
            entry: index,
            id: OpId(index),
            step,
            call,
            ret: (!unknown).then_some(call + len),
        })
    })
}

fn history() -> impl Strategy<Value = (Vec<POp>, Option<Value>)> {
    (0usize..=8).prop_flat_map(|n| {
        let ops: Vec<_> = (0..n).map(pop).collect();
        (ops, proptest::option::weighted(0.2, value()))
    })
}

/// What a generated operation of a linearizable history does, before its result is known.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Write(Value),
    Read,
    Cas(Option<Value>, Value),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        3 => value().prop_map(Kind::Write),
        3 => Just(Kind::Read),
        2 => (proptest::option::of(value()), value()).prop_map(|(e, n)| Kind::Cas(e, n)),
    ]
}

/// Histories made by running the operations on a real register, each at an instant inside its
/// interval (an unknown write or swap: at any instant after its call, or never), so all are
/// linearizable.
fn linearizable_history() -> impl Strategy<Value = (Vec<POp>, Option<Value>)> {
    let op = (
        0u64..16,
        1u64..8,
        0u64..24,
        kind(),
        proptest::bool::weighted(0.35),
    );
    (
        proptest::collection::vec(op, 0..=8),
        proptest::option::weighted(0.2, value()),
    )
        .prop_map(|(ops, initial)| {
            // (instant it takes effect or None, index)
            let mut order: Vec<(u64, usize)> = ops
                .iter()
                .enumerate()
                .filter_map(|(i, &(call, len, at, kind, unknown))| {
                    let unknown = unknown && !matches!(kind, Kind::Read);
                    match (unknown, at) {
                        (true, at) if at >= 20 => None,
                        (true, at) => Some((call + at, i)),
                        (false, at) => Some((call + at % (len + 1), i)),
                    }
                })
                .collect();
            order.sort_unstable();
            let mut steps: Vec<Option<Step>> = vec![None; ops.len()];
            let mut state = initial;
            for &(_, i) in &order {
                let (_, _, _, kind, unknown) = ops[i];
                let unknown = unknown && !matches!(kind, Kind::Read);
                steps[i] = Some(match kind {
                    Kind::Write(v) => Step::Write(v),
                    Kind::Read => Step::Read(state),
                    Kind::Cas(expected, new) if unknown => Step::MaybeSwap { expected, new },
                    Kind::Cas(expected, new) if state == expected => Step::Swap { expected, new },
                    Kind::Cas(expected, _) => Step::NoSwap { expected },
                });
                state = steps[i].unwrap().apply(state).unwrap();
            }
            let history = ops
                .iter()
                .enumerate()
                .map(|(i, &(call, len, _, kind, unknown))| {
                    let unknown = unknown && !matches!(kind, Kind::Read);
                    let step = steps[i].unwrap_or_else(|| match kind {
                        Kind::Write(v) => Step::Write(v),
                        Kind::Cas(expected, new) => Step::MaybeSwap { expected, new },
                        Kind::Read => unreachable!("reads always take effect"),
                    });
                    POp {
                        entry: i,
                        id: OpId(i),
                        step,
                        call,
                        ret: (!unknown).then_some(call + len),
                    }
                })
                .collect();
            (history, initial)
        })
}

/// Histories of a real register with one read changed to a random value: often just not
/// linearizable, in the shapes replication bugs leave.
fn mutated_history() -> impl Strategy<Value = (Vec<POp>, Option<Value>)> {
    (
        linearizable_history(),
        any::<prop::sample::Index>(),
        proptest::option::of(value()),
    )
        .prop_map(|((mut ops, initial), pick, seen)| {
            let reads: Vec<usize> = (0..ops.len())
                .filter(|&i| matches!(ops[i].step, Step::Read(_)))
                .collect();
            if !reads.is_empty() {
                ops[reads[pick.index(reads.len())]].step = Step::Read(seen);
            }
            (ops, initial)
        })
}

fn any_history() -> impl Strategy<Value = (Vec<POp>, Option<Value>)> {
    prop_oneof![history(), linearizable_history(), mutated_history()]
}

/// Adds to `subset` every operation of `all` that may store a value something in `subset` saw.
fn close(all: &[POp], mut subset: Vec<POp>) -> Vec<POp> {
    loop {
        let missing: Vec<POp> = all
            .iter()
            .filter(|op| !subset.contains(op))
            .filter(|op| {
                op.step
                    .writes()
                    .is_some_and(|v| subset.iter().any(|s| s.step.observes() == Some(v)))
            })
            .copied()
            .collect();
        if missing.is_empty() {
            subset.sort_by_key(|op| op.id);
            return subset;
        }
        subset.extend(missing);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn search_agrees_with_brute_force((ops, initial) in any_history()) {
        prop_assert_eq!(linearizable(&ops, initial), brute_force(&ops, initial), "{:#?}", ops);
    }

    #[test]
    fn a_value_never_stored_is_only_reported_when_no_order_exists(
        (ops, initial) in any_history(),
    ) {
        if never_written(&ops, initial).is_some() {
            prop_assert!(!brute_force(&ops, initial), "{:#?}", ops);
        }
    }

    #[test]
    fn obvious_violations_are_real_and_closed(
        (ops, initial) in any_history(),
    ) {
        if let Some(set) = obvious_violation(&ops, initial) {
            prop_assert!(!brute_force(&set, initial), "{:#?}\nset {:#?}", ops, set);
            prop_assert!(!brute_force(&ops, initial), "{:#?}", ops);
            prop_assert_eq!(close(&ops, set.clone()), set);
        }
    }

    #[test]
    fn search_accepts_histories_of_a_real_register((ops, initial) in linearizable_history()) {
        prop_assert!(brute_force(&ops, initial), "generator made a bad history: {:#?}", ops);
        prop_assert!(linearizable(&ops, initial), "{:#?}", ops);
    }

    #[test]
    fn pruning_keeps_the_verdict(
        (ops, initial) in any_history(),
    ) {
        let pruned = prune_unobserved(&ops);
        prop_assert_eq!(linearizable(&pruned, initial), linearizable(&ops, initial), "{:#?}", ops);
    }

    #[test]
    fn subsets_kept_by_shrinking_of_linearizable_histories_are_linearizable(
        (ops, initial) in linearizable_history(),
        mask in any::<u8>(),
    ) {
        let no_swap = ops.iter().any(|op| matches!(op.step, Step::NoSwap { .. }));
        let chosen = |i: usize, op: &POp| {
            // Closure does not protect "not swapped" answers: with one, only leave out operations
            // that change nothing.
            let changes_nothing = matches!(op.step, Step::Read(_) | Step::NoSwap { .. });
            mask & (1 << i) != 0 || (no_swap && !changes_nothing)
        };
        let subset: Vec<POp> =
            ops.iter().enumerate().filter(|&(i, op)| chosen(i, op)).map(|(_, op)| *op).collect();
        let subset = if no_swap { subset } else { close(&ops, subset) };
        prop_assert!(brute_force(&subset, initial), "{:#?}\nsubset {:#?}", ops, subset);
    }

    #[test]
    fn shrunk_failing_sets_fail_and_are_minimal((ops, initial) in any_history()) {
        let mut spent = 0;
        let Some(failure) = explain(&ops, initial, 1_000_000, &mut spent).unwrap() else {
            return Ok(());
        };
        let small = shrink(failure, initial, 1_000_000);
        prop_assert!(!brute_force(&small.ops, initial));
        prop_assert!(small.ops.contains(&small.stuck));
        prop_assert!(small.deepest.iter().all(|op| small.ops.contains(op)));
        if small.minimal {
            for leave_out in &small.ops {
                let rest: Vec<POp> = small.ops.iter().filter(|op| *op != leave_out).copied().collect();
                let closed = leave_out.step.writes().is_none_or(|v| {
                    rest.iter().all(|op| op.step.observes() != Some(v))
                });
                if closed {
                    prop_assert!(brute_force(&rest, initial), "{:#?} without {:?}", small.ops, leave_out);
                }
            }
        }
    }
}
