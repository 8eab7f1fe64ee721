//! The sequential specification of one register, as the search sees each operation.

use crate::history::Entry;
use crate::op::{Op, Outcome, Reply, Value};

/// What one operation does to a single register whose value is `Option<Value>` (`None`: absent).
///
/// Each variant folds an operation together with its outcome, so the search only asks "may this step
/// happen in this state, and what state follows?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A write, acknowledged or not: always possible; the value becomes `.0`.
    Write(Value),
    /// A read that returned `.0`: possible only in that state; changes nothing.
    Read(Option<Value>),
    /// A compare-and-set that swapped: possible only from `expected`; the value becomes `new`.
    Swap {
        /// The value it found.
        expected: Option<Value>,
        /// The value it stored.
        new: Value,
    },
    /// A compare-and-set that answered "not swapped": possible in any state but `expected`.
    NoSwap {
        /// The value it did not find.
        expected: Option<Value>,
    },
    /// A compare-and-set whose answer is unknown: always possible; swaps if the state is `expected`.
    MaybeSwap {
        /// The value it swaps from.
        expected: Option<Value>,
        /// The value it stores when it swaps.
        new: Value,
    },
}

impl Step {
    /// The step an entry contributes, or `None` when it cannot constrain the register: a failed
    /// operation did not happen, and a read with an unknown answer observed nothing anyone saw.
    pub(crate) fn of(entry: &Entry) -> Option<Step> {
        match (&entry.op, entry.outcome) {
            (_, Outcome::Failed) => None,
            (Op::Read { .. }, Outcome::Unknown) => None,
            (Op::Write { value, .. }, Outcome::Unknown | Outcome::Ok(Reply::Written)) => {
                Some(Step::Write(*value))
            }
            (Op::Read { .. }, Outcome::Ok(Reply::Read(v))) => Some(Step::Read(v)),
            (Op::Cas { expected, new, .. }, Outcome::Ok(Reply::Cas(true))) => Some(Step::Swap {
                expected: *expected,
                new: *new,
            }),
            (Op::Cas { expected, .. }, Outcome::Ok(Reply::Cas(false))) => Some(Step::NoSwap {
                expected: *expected,
            }),
            (Op::Cas { expected, new, .. }, Outcome::Unknown) => Some(Step::MaybeSwap {
                expected: *expected,
                new: *new,
            }),
            // Reply kinds that do not fit the operation are rejected before partitioning.
            (_, Outcome::Ok(_)) => None,
        }
    }

    /// The state after this step from `state`, or `None` if the step cannot happen in `state`.
    pub(crate) fn apply(self, state: Option<Value>) -> Option<Option<Value>> {
        match self {
            Step::Write(v) => Some(Some(v)),
            Step::Read(v) => (state == v).then_some(state),
            Step::Swap { expected, new } => (state == expected).then_some(Some(new)),
            Step::NoSwap { expected } => (state != expected).then_some(state),
            Step::MaybeSwap { expected, new } => {
                Some(if state == expected { Some(new) } else { state })
            }
        }
    }

    /// The value this step may store.
    pub(crate) fn writes(self) -> Option<Value> {
        match self {
            Step::Write(v) | Step::Swap { new: v, .. } | Step::MaybeSwap { new: v, .. } => Some(v),
            Step::Read(_) | Step::NoSwap { .. } => None,
        }
    }

    /// The value this step certainly saw in the register, if it saw a present value: a read's answer
    /// or a swap's expected value. An unknown compare-and-set may not have happened, so it is not
    /// proof that its expected value was ever stored.
    pub(crate) fn saw(self) -> Option<Value> {
        match self {
            Step::Read(v) | Step::Swap { expected: v, .. } => v,
            Step::Write(_) | Step::NoSwap { .. } | Step::MaybeSwap { .. } => None,
        }
    }

    /// The value this step may have seen in the register (only when it saw a present value).
    ///
    /// A `NoSwap` saw "anything but `expected`", which names no value; callers treat it separately.
    pub(crate) fn observes(self) -> Option<Value> {
        match self {
            Step::Read(v)
            | Step::Swap { expected: v, .. }
            | Step::MaybeSwap { expected: v, .. } => v,
            Step::Write(_) | Step::NoSwap { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn steps_follow_the_register_specification() {
        assert_eq!(Step::Write(2).apply(Some(1)), Some(Some(2)));
        assert_eq!(Step::Read(Some(1)).apply(Some(1)), Some(Some(1)));
        assert_eq!(Step::Read(Some(1)).apply(None), None);
        assert_eq!(Step::Read(None).apply(None), Some(None));
        assert_eq!(
            Step::Swap {
                expected: None,
                new: 3
            }
            .apply(None),
            Some(Some(3))
        );
        assert_eq!(
            Step::Swap {
                expected: None,
                new: 3
            }
            .apply(Some(1)),
            None
        );
        assert_eq!(Step::NoSwap { expected: Some(1) }.apply(Some(1)), None);
        assert_eq!(
            Step::NoSwap { expected: Some(1) }.apply(Some(2)),
            Some(Some(2))
        );
        assert_eq!(
            Step::MaybeSwap {
                expected: Some(1),
                new: 5
            }
            .apply(Some(1)),
            Some(Some(5))
        );
        assert_eq!(
            Step::MaybeSwap {
                expected: Some(1),
                new: 5
            }
            .apply(Some(2)),
            Some(Some(2))
        );
    }
}
