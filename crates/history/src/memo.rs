//! The table of configurations the search has proved to be dead ends.

use std::collections::HashMap;

use crate::op::Value;

/// A set of small integers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    /// An empty set able to hold `0..n`.
    pub(crate) fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    /// Adds `i` if absent, removes it if present.
    pub(crate) fn flip(&mut self, i: usize) {
        self.0[i / 64] ^= 1 << (i % 64);
    }

    /// Whether every member of `self` is in `other` (both sized alike).
    fn is_subset_of(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }
}

/// What the search knows about the register at a point of a partial linearization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Register {
    /// The register's value.
    pub(crate) value: Option<Value>,
    /// `Some(before)` right after an unknown operation stored `value` over `before`: the next
    /// operation must then be one that could notice the store (see `search`).
    pub(crate) after_unknown: Option<Option<Value>>,
}

impl Register {
    /// The same value, with no pending obligation.
    fn relaxed(self) -> Register {
        Register {
            value: self.value,
            after_unknown: None,
        }
    }
}

/// Dead-end configurations: (completed operations taken, register, unknown operations taken).
///
/// Lowe's memoization keeps each configuration once. This table goes further for unknown operations:
/// if a configuration failed, the same one with *more* unknown operations already taken fails too,
/// since taking an unknown operation only removes choices (nothing forces it, and the real-time order
/// that constrains the rest depends only on completed operations). So a lookup asks whether some
/// failed configuration with the same completed set and value took a subset of the unknown ones.
/// That stops the search from retrying every combination of timed-out writes that a later write
/// overwrote anyway. Likewise a configuration owing an observation has fewer choices than the same
/// one owing none, so a failure of the latter covers the former.
#[derive(Debug, Default)]
pub(crate) struct Failed {
    table: HashMap<Register, HashMap<Bits, Vec<Bits>>>,
}

impl Failed {
    /// Whether the configuration is known to fail; also returns how many entries it compared.
    pub(crate) fn covers(&self, done: &Bits, register: Register, unknown: &Bits) -> (bool, usize) {
        let (hit, compared) = self.covers_exactly(done, register, unknown);
        if hit || register.after_unknown.is_none() {
            return (hit, compared);
        }
        let (hit, more) = self.covers_exactly(done, register.relaxed(), unknown);
        (hit, compared + more)
    }

    fn covers_exactly(&self, done: &Bits, register: Register, unknown: &Bits) -> (bool, usize) {
        let Some(failed) = self
            .table
            .get(&register)
            .and_then(|by_done| by_done.get(done))
        else {
            return (false, 0);
        };
        match failed.iter().position(|f| f.is_subset_of(unknown)) {
            Some(at) => (true, at + 1),
            None => (false, failed.len()),
        }
    }

    /// Records a failed configuration, dropping entries it makes redundant.
    pub(crate) fn insert(&mut self, done: &Bits, register: Register, unknown: &Bits) {
        let failed = self
            .table
            .entry(register)
            .or_default()
            .entry(done.clone())
            .or_default();
        failed.retain(|f| !unknown.is_subset_of(f));
        failed.push(unknown.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(members: &[usize]) -> Bits {
        let mut b = Bits::new(70);
        for &m in members {
            b.flip(m);
        }
        b
    }

    fn reg(value: u64) -> Register {
        Register {
            value: Some(value),
            after_unknown: None,
        }
    }

    #[test]
    fn a_failure_covers_the_same_configuration_with_more_unknowns_taken() {
        let mut failed = Failed::default();
        failed.insert(&bits(&[1]), reg(3), &bits(&[65]));
        assert!(failed.covers(&bits(&[1]), reg(3), &bits(&[65])).0);
        assert!(failed.covers(&bits(&[1]), reg(3), &bits(&[2, 65])).0);
        assert!(!failed.covers(&bits(&[1]), reg(3), &bits(&[])).0);
        assert!(!failed.covers(&bits(&[1]), reg(4), &bits(&[65])).0);
        assert!(!failed.covers(&bits(&[1, 2]), reg(3), &bits(&[65])).0);
    }

    #[test]
    fn a_failure_owing_nothing_covers_the_same_configuration_owing_an_observation() {
        let mut failed = Failed::default();
        let owing = Register {
            value: Some(3),
            after_unknown: Some(None),
        };
        failed.insert(&bits(&[1]), reg(3), &bits(&[]));
        assert!(failed.covers(&bits(&[1]), owing, &bits(&[])).0);
        let mut failed = Failed::default();
        failed.insert(&bits(&[1]), owing, &bits(&[]));
        assert!(!failed.covers(&bits(&[1]), reg(3), &bits(&[])).0);
    }

    #[test]
    fn redundant_failures_are_dropped() {
        let mut failed = Failed::default();
        failed.insert(&bits(&[]), reg(1), &bits(&[1, 2]));
        failed.insert(&bits(&[]), reg(1), &bits(&[1]));
        assert_eq!(failed.table[&reg(1)][&bits(&[])], vec![bits(&[1])]);
    }
}
