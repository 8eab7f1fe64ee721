//! The Wing & Gong search with Lowe's memoization, over one key's sub-history.
//!
//! Completed operations become a doubly linked list of call and return events in time order. The
//! search walks it from the front: at a call it tries to take that operation's effect now (legal in
//! the model, and a configuration not known to fail), and if so removes the operation's events and
//! starts over from the front. Reaching the first return, it has tried every completed operation that
//! may go next; it then tries the unknown operations called before that return (they have no return
//! event: nothing forces them, so they may take effect at any point after their call, or never). When
//! those fail too, the configuration is a dead end: the search records it, undoes the last choice and
//! tries the next candidate after it. The history is linearizable once every completed operation has
//! been taken.
//!
//! A configuration is the set of operations taken plus the register value; two paths that reach the
//! same one have the same future, so each is explored once (see [`Failed`] for the stronger rule used
//! for unknown operations). Trying completed operations before unknown ones lets the configurations
//! with fewer unknown operations fail first, so that those with more are recognised as failing.
//!
//! Unknown operations are only taken where they can matter. If any linearization exists, one exists
//! in which no unknown compare-and-set is taken without swapping, and every unknown operation
//! taken is followed by an operation that notices it: a read or swap of its value, an unknown swap
//! from its value, or a "not swapped" answer whose expected value is the one it overwrote. Rewrite any
//! linearization until none of these apply: drop an unknown compare-and-set that does not swap; drop
//! an unknown store followed by a write (nothing saw it); move an unknown store after a following "not
//! swapped" answer expecting anything but the value it overwrote (the answer holds on either side);
//! drop unknown operations at the end. Each rewrite keeps the order valid (unknown operations have
//! no completion, so moving them later breaks no real-time order) and shortens the order or moves an
//! unknown operation later, so rewriting ends. The search therefore only takes an unknown operation
//! as the last step if the next step notices it ([`Register::after_unknown`]), which stops it from
//! trying every place for timed-out writes that nothing saw. Timed-out writes whose values nothing
//! can notice are interchangeable, so they are taken in call order only (see `anonymous_ranks`).

use std::collections::HashSet;

use crate::links::{Links, NIL};
use crate::memo::{Bits, Failed, Register};
use crate::model::Step;
use crate::op::Value;
use crate::partition::POp;

/// How many memo entries compared count as one step.
const COMPARISONS_PER_STEP: usize = 16;

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
    Call(usize),
    Return(usize),
}

/// Where the search is looking for the next candidate.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    /// At this node of the completed operations' events.
    Completed(usize),
    /// At this node of the unknown operations, by call order.
    Unknown(usize),
}

/// The first return event left: unknown operations called after it cannot go before it.
#[derive(Debug, Clone, Copy)]
struct Limit {
    seq: u64,
    /// The operation returning there, if any.
    blocker: Option<usize>,
}

/// A choice made: the operation taken and what to restore when undoing it.
#[derive(Debug, Clone, Copy)]
struct Frame {
    op: usize,
    before: Register,
    resume: Cursor,
    limit: Option<Limit>,
}

/// The mutable state of one search.
struct Search<'a> {
    ops: &'a [POp],
    /// Events of completed operations, node `k` being `events[k - 1]`.
    events: Vec<Event>,
    timeline: Links,
    /// Unknown operations by call order, node `k` being `ops[unknown[k - 1]]`.
    unknown: Vec<usize>,
    floating: Links,
    /// Per operation: its call node and return node in `timeline`, or its node in `floating`.
    nodes: Vec<(usize, usize)>,
    /// Per operation: its index in `done` (completed) or `taken_unknown` (unknown).
    slot: Vec<usize>,
    done: Bits,
    taken_unknown: Bits,
    /// Per operation: its rank among the anonymous unknown writes, by call order.
    anonymous_rank: Vec<Option<usize>>,
    /// How many anonymous unknown writes are taken; always the first ones by rank.
    anonymous_taken: usize,
    failed: Failed,
    steps: u64,
}

impl<'a> Search<'a> {
    fn new(ops: &'a [POp]) -> Self {
        // On equal sequence numbers a call goes first: the operations are then concurrent, the
        // permissive reading of an ambiguous history.
        let mut order: Vec<(u64, u8, Event)> = Vec::with_capacity(2 * ops.len());
        let mut unknown: Vec<usize> = Vec::new();
        let mut slot = vec![0; ops.len()];
        let mut completed = 0;
        for (i, op) in ops.iter().enumerate() {
            match op.ret {
                Some(ret) => {
                    order.push((op.call, 0, Event::Call(i)));
                    order.push((ret, 1, Event::Return(i)));
                    slot[i] = completed;
                    completed += 1;
                }
                None => unknown.push(i),
            }
        }
        order.sort_by_key(|&(seq, tie, _)| (seq, tie));
        unknown.sort_by_key(|&i| ops[i].call);
        let events: Vec<Event> = order.iter().map(|&(_, _, e)| e).collect();
        let mut nodes = vec![(NIL, NIL); ops.len()];
        for (k, event) in events.iter().enumerate() {
            match *event {
                Event::Call(i) => nodes[i].0 = k + 1,
                Event::Return(i) => nodes[i].1 = k + 1,
            }
        }
        for (k, &i) in unknown.iter().enumerate() {
            nodes[i].0 = k + 1;
            slot[i] = k;
        }
        let anonymous_rank = anonymous_ranks(ops, &unknown);
        Search {
            ops,
            timeline: Links::new(events.len()),
            events,
            floating: Links::new(unknown.len()),
            taken_unknown: Bits::new(unknown.len()),
            unknown,
            nodes,
            slot,
            done: Bits::new(completed),
            anonymous_rank,
            anonymous_taken: 0,
            failed: Failed::default(),
            steps: 0,
        }
    }

    fn is_completed(&self, op: usize) -> bool {
        self.ops[op].ret.is_some()
    }

    fn flip(&mut self, op: usize) {
        if self.is_completed(op) {
            self.done.flip(self.slot[op]);
        } else {
            self.taken_unknown.flip(self.slot[op]);
        }
    }

    fn lift(&mut self, op: usize) {
        let (a, b) = self.nodes[op];
        if self.is_completed(op) {
            self.timeline.unlink(a);
            self.timeline.unlink(b);
        } else {
            self.floating.unlink(a);
        }
        self.anonymous_taken += usize::from(self.anonymous_rank[op].is_some());
    }

    fn unlift(&mut self, op: usize) {
        self.anonymous_taken -= usize::from(self.anonymous_rank[op].is_some());
        let (a, b) = self.nodes[op];
        if self.is_completed(op) {
            self.timeline.relink(b);
            self.timeline.relink(a);
        } else {
            self.floating.relink(a);
        }
    }

    fn next(&self, cursor: Cursor) -> Cursor {
        match cursor {
            Cursor::Completed(node) => Cursor::Completed(self.timeline.next(node)),
            Cursor::Unknown(node) => Cursor::Unknown(self.floating.next(node)),
        }
    }

    /// Takes `op` now if the model and the rules for unknown operations allow it and the
    /// configuration after it is not known to fail; returns the register after it.
    fn try_take(&mut self, op: usize, register: Register) -> Option<Register> {
        if self.anonymous_rank[op].is_some_and(|rank| rank != self.anonymous_taken) {
            return None;
        }
        let after = next_register(self.ops[op].step, !self.is_completed(op), register)?;
        self.flip(op);
        let (dead, compared) = self.failed.covers(&self.done, after, &self.taken_unknown);
        self.steps += (compared / COMPARISONS_PER_STEP) as u64;
        if dead {
            self.flip(op);
            return None;
        }
        self.lift(op);
        Some(after)
    }

    /// The next candidate at `cursor`, moving the cursor to the unknown operations when it reaches
    /// the first return; `Err` when the configuration has no candidate left.
    fn candidate(&self, cursor: &mut Cursor, limit: &mut Option<Limit>) -> Result<usize, ()> {
        loop {
            match *cursor {
                Cursor::Completed(node) => {
                    match node.checked_sub(1).and_then(|k| self.events.get(k)) {
                        Some(&Event::Call(i)) => return Ok(i),
                        Some(&Event::Return(i)) => {
                            let seq = self.ops[i].ret.unwrap_or(u64::MAX);
                            *limit = Some(Limit {
                                seq,
                                blocker: Some(i),
                            });
                            *cursor = Cursor::Unknown(self.floating.first());
                        }
                        // No return left although a completed operation is still waiting cannot
                        // happen; treat it as "every unknown operation may go next".
                        None => {
                            *limit = Some(Limit {
                                seq: u64::MAX,
                                blocker: None,
                            });
                            *cursor = Cursor::Unknown(self.floating.first());
                        }
                    }
                }
                Cursor::Unknown(node) => {
                    let op = node
                        .checked_sub(1)
                        .and_then(|k| self.unknown.get(k))
                        .copied();
                    let bound = limit.map_or(u64::MAX, |l| l.seq);
                    return op.filter(|&i| self.ops[i].call <= bound).ok_or(());
                }
            }
        }
    }
}

/// Ranks the anonymous unknown writes (`unknown` is in call order): those storing a value nothing
/// can notice, as no operation reads it, swaps from it or answers "not swapped" expecting it. Two of
/// them are interchangeable: swapping which one goes where changes only values nobody looks at, and
/// both may go anywhere after the later call. So the search takes them in call order only.
fn anonymous_ranks(ops: &[POp], unknown: &[usize]) -> Vec<Option<usize>> {
    let noticed: HashSet<Value> = ops
        .iter()
        .filter_map(|op| match op.step {
            Step::NoSwap { expected } => expected,
            step => step.observes(),
        })
        .collect();
    let mut ranks = vec![None; ops.len()];
    let anonymous = unknown.iter().filter(|&&i| match ops[i].step {
        Step::Write(v) => !noticed.contains(&v),
        _ => false,
    });
    for (rank, &i) in anonymous.enumerate() {
        ranks[i] = Some(rank);
    }
    ranks
}

/// The register after `step` (of an unknown operation if `unknown`), or `None` if the step cannot be
/// taken now: the model forbids it, or it cannot matter here (see the module documentation).
fn next_register(step: Step, unknown: bool, register: Register) -> Option<Register> {
    if let Step::MaybeSwap { expected, .. } = step
        && register.value != expected
    {
        return None;
    }
    if let Some(before) = register.after_unknown {
        match step {
            Step::Write(_) => return None,
            Step::NoSwap { expected } if expected != before => return None,
            _ => {}
        }
    }
    let value = step.apply(register.value)?;
    Some(Register {
        value,
        after_unknown: unknown.then_some(register.value),
    })
}

/// Searches for a linearization of `ops` from register value `initial`, spending at most `budget`
/// steps (about one per candidate tried).
pub(crate) fn search(ops: &[POp], initial: Option<Value>, budget: u64) -> Outcome {
    let mut s = Search::new(ops);
    let mut stack: Vec<Frame> = Vec::new();
    let mut state = Register {
        value: initial,
        after_unknown: None,
    };
    let mut completed_left = ops.iter().filter(|op| op.ret.is_some()).count();
    let mut deepest: Option<(Vec<usize>, Option<Value>, usize)> = None;
    let mut cursor = Cursor::Completed(s.timeline.first());
    let mut limit: Option<Limit> = None;
    loop {
        if completed_left == 0 {
            return Outcome::Linearizable { steps: s.steps };
        }
        if s.steps >= budget {
            return Outcome::Exhausted { steps: s.steps };
        }
        s.steps += 1;
        if let Ok(op) = s.candidate(&mut cursor, &mut limit) {
            if let Some(after) = s.try_take(op, state) {
                stack.push(Frame {
                    op,
                    before: state,
                    resume: cursor,
                    limit,
                });
                state = after;
                completed_left -= usize::from(s.is_completed(op));
                cursor = Cursor::Completed(s.timeline.first());
                limit = None;
            } else {
                cursor = s.next(cursor);
            }
            continue;
        }
        // A dead end: remember it, then undo the last choice.
        if let Some(blocker) = limit.and_then(|l| l.blocker)
            && deepest
                .as_ref()
                .is_none_or(|(d, _, _)| d.len() < stack.len())
        {
            deepest = Some((stack.iter().map(|f| f.op).collect(), state.value, blocker));
        }
        s.failed.insert(&s.done, state, &s.taken_unknown);
        let Some(frame) = stack.pop() else {
            let (deepest, state, stuck) = deepest.unwrap_or((Vec::new(), initial, 0));
            return Outcome::NotLinearizable {
                steps: s.steps,
                deepest,
                state,
                stuck,
            };
        };
        s.unlift(frame.op);
        s.flip(frame.op);
        state = frame.before;
        completed_left += usize::from(s.is_completed(frame.op));
        cursor = s.next(frame.resume);
        limit = frame.limit;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::history::OpId;
    use crate::model::Step;

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
