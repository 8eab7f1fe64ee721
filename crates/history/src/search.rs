//! The Wing & Gong search with Lowe's memoization, over one key's sub-history.
//!
//! The history becomes a doubly linked list of call and return events in time order. The search walks
//! it from the front: at a call it tries to take that operation's effect now (legal in the model and a
//! configuration not seen before), and if so removes the operation's events and starts over from the
//! front; at a return it has run out of candidates for the operation returning there, so it undoes
//! the last choice and tries the next call after it. The history is linearizable when every operation
//! that completed has been taken. Operations with unknown outcomes have no return event: nothing ever
//! forces them, so they may take effect at any point after their call, or never.
//!
//! Memoization: a configuration is the set of operations taken plus the register value. Two paths that
//! reach the same configuration have the same future, so each configuration is explored once.

use std::collections::HashSet;

use crate::model::Step;
use crate::op::Value;
use crate::partition::POp;

/// Marks the end of the event list.
const NIL: usize = usize::MAX;

/// What a search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Every completed operation could be given a place.
    Linearizable {
        /// Steps spent.
        steps: u64,
    },
    /// No order works.
    NotLinearizable {
        /// Steps spent.
        steps: u64,
        /// The longest sequence of operations (indices into the searched slice) the search could
        /// order before getting stuck.
        deepest: Vec<usize>,
        /// The register value after `deepest`.
        state: Option<Value>,
        /// The operation whose completion the search could not get past after `deepest`.
        stuck: usize,
    },
    /// The step budget ran out first.
    Exhausted {
        /// Steps spent (the budget).
        steps: u64,
    },
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Head,
    Call(usize),
    Return(usize),
}

/// The event list with O(1) removal and re-insertion ("dancing links").
struct Events {
    kinds: Vec<Event>,
    next: Vec<usize>,
    prev: Vec<usize>,
    /// Per operation: its call node and its return node (`NIL` when it has none).
    nodes: Vec<(usize, usize)>,
}

impl Events {
    fn new(ops: &[POp]) -> Self {
        // Sort events by sequence number; on a tie a call goes first, which treats the two
        // operations as concurrent (the permissive reading of an ambiguous history).
        let mut order: Vec<(u64, u8, Event)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            order.push((op.call, 0, Event::Call(i)));
            if let Some(ret) = op.ret {
                order.push((ret, 1, Event::Return(i)));
            }
        }
        order.sort_by_key(|&(seq, tie, _)| (seq, tie));
        let mut kinds = vec![Event::Head];
        kinds.extend(order.iter().map(|&(_, _, e)| e));
        let n = kinds.len();
        let next = (0..n)
            .map(|i| if i + 1 < n { i + 1 } else { NIL })
            .collect();
        let prev = (0..n).map(|i| if i == 0 { NIL } else { i - 1 }).collect();
        let mut nodes = vec![(NIL, NIL); ops.len()];
        for (node, kind) in kinds.iter().enumerate() {
            match *kind {
                Event::Call(i) => nodes[i].0 = node,
                Event::Return(i) => nodes[i].1 = node,
                Event::Head => {}
            }
        }
        Events {
            kinds,
            next,
            prev,
            nodes,
        }
    }

    fn unlink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    /// Re-inserts a node removed by `unlink`; nodes must be re-inserted in reverse order of removal.
    fn relink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = node;
        if n != NIL {
            self.prev[n] = node;
        }
    }

    fn lift(&mut self, op: usize) {
        let (call, ret) = self.nodes[op];
        self.unlink(call);
        if ret != NIL {
            self.unlink(ret);
        }
    }

    fn unlift(&mut self, op: usize) {
        let (call, ret) = self.nodes[op];
        if ret != NIL {
            self.relink(ret);
        }
        self.relink(call);
    }
}

/// A set of operation indices.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    fn flip(&mut self, i: usize) {
        self.0[i / 64] ^= 1 << (i % 64);
    }
}

/// Searches for a linearization of `ops` from register value `initial`, spending at most `budget`
/// steps (one step per event visited).
pub(crate) fn search(ops: &[POp], initial: Option<Value>, budget: u64) -> Outcome {
    let mut events = Events::new(ops);
    let mut taken = Bits::new(ops.len());
    let mut seen: HashSet<(Bits, Option<Value>)> = HashSet::new();
    // The choices made so far: the operation taken and the value before it.
    let mut stack: Vec<(usize, Option<Value>)> = Vec::new();
    let mut state = initial;
    let mut completed_left = ops.iter().filter(|op| op.ret.is_some()).count();
    let mut deepest: Option<(Vec<usize>, Option<Value>, usize)> = None;
    let mut node = events.next[0];
    let mut steps = 0u64;
    loop {
        if completed_left == 0 {
            return Outcome::Linearizable { steps };
        }
        if steps >= budget {
            return Outcome::Exhausted { steps };
        }
        steps += 1;
        let blocked = match events.kinds.get(node).copied() {
            Some(Event::Call(i)) => {
                if let Some(after) = try_take(ops[i].step, state, i, &mut taken, &mut seen) {
                    stack.push((i, state));
                    state = after;
                    events.lift(i);
                    completed_left -= usize::from(ops[i].ret.is_some());
                    node = events.next[0];
                } else {
                    node = events.next[node];
                }
                continue;
            }
            Some(Event::Return(i)) => Some(i),
            // Only calls of unknown operations are left past here; a completed operation still
            // waits, so this path is a dead end too.
            None | Some(Event::Head) => None,
        };
        if let Some(stuck) = blocked
            && deepest
                .as_ref()
                .is_none_or(|(d, _, _)| d.len() < stack.len())
        {
            deepest = Some((stack.iter().map(|&(i, _)| i).collect(), state, stuck));
        }
        let Some((i, before)) = stack.pop() else {
            let (deepest, state, stuck) = deepest.unwrap_or((Vec::new(), initial, 0));
            return Outcome::NotLinearizable {
                steps,
                deepest,
                state,
                stuck,
            };
        };
        events.unlift(i);
        taken.flip(i);
        state = before;
        completed_left += usize::from(ops[i].ret.is_some());
        node = events.next[events.nodes[i].0];
    }
}

/// Takes operation `i` now if the model allows it and the resulting configuration is new; returns
/// the new register value. Leaves `taken` unchanged when it does not take the operation.
fn try_take(
    step: Step,
    state: Option<Value>,
    i: usize,
    taken: &mut Bits,
    seen: &mut HashSet<(Bits, Option<Value>)>,
) -> Option<Option<Value>> {
    let after = step.apply(state)?;
    taken.flip(i);
    if seen.insert((taken.clone(), after)) {
        Some(after)
    } else {
        taken.flip(i);
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::history::OpId;

    /// An operation from `call` to `ret` (`None`: unknown outcome).
    fn op(step: Step, call: u64, ret: Option<u64>) -> POp {
        POp {
            entry: 0,
            id: OpId(0),
            step,
            call,
            ret,
        }
    }

    fn linearizable(ops: &[POp]) -> bool {
        match search(ops, None, 1_000_000) {
            Outcome::Linearizable { .. } => true,
            Outcome::NotLinearizable { .. } => false,
            Outcome::Exhausted { .. } => panic!("exhausted"),
        }
    }

    #[test]
    fn empty_history_is_linearizable() {
        assert!(linearizable(&[]));
    }

    #[test]
    fn concurrent_write_may_be_seen_or_not() {
        let w = op(Step::Write(1), 0, Some(3));
        assert!(linearizable(&[w, op(Step::Read(Some(1)), 1, Some(2))]));
        assert!(linearizable(&[w, op(Step::Read(None), 1, Some(2))]));
    }

    #[test]
    fn stale_read_is_caught_and_explained() {
        let ops = [
            op(Step::Write(1), 0, Some(1)),
            op(Step::Write(2), 2, Some(3)),
            op(Step::Read(Some(1)), 4, Some(5)),
        ];
        match search(&ops, None, 1_000) {
            Outcome::NotLinearizable {
                deepest,
                state,
                stuck,
                ..
            } => {
                assert_eq!(deepest, vec![0, 1]);
                assert_eq!(state, Some(2));
                assert_eq!(stuck, 2);
            }
            other => panic!("expected a violation, got {other:?}"),
        }
    }

    #[test]
    fn unknown_write_may_land_late_or_never() {
        let unknown = op(Step::Write(7), 0, None);
        let w = op(Step::Write(1), 1, Some(2));
        // Seen long after its client gave up, after a later acknowledged write.
        assert!(linearizable(&[
            unknown,
            w,
            op(Step::Read(Some(7)), 10, Some(11))
        ]));
        // Never seen.
        assert!(linearizable(&[
            unknown,
            w,
            op(Step::Read(Some(1)), 10, Some(11))
        ]));
        // But not before it was invoked.
        let early = op(Step::Read(Some(7)), 0, Some(1));
        assert!(!linearizable(&[early, op(Step::Write(7), 2, None)]));
    }

    #[test]
    fn budget_is_enforced() {
        let ops: Vec<POp> = (0..20)
            .map(|i| op(Step::Write(i), 0, Some(100)))
            .chain([op(Step::Read(Some(99)), 0, Some(100))])
            .collect();
        assert_eq!(search(&ops, None, 50), Outcome::Exhausted { steps: 50 });
    }
}
