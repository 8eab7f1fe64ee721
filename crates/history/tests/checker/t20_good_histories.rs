//! Hand-made histories that are linearizable: each must pass.

use chorus_history::{Checker, History, Op, Outcome, Recorder, check};

use crate::{accepted, done};

#[test]
fn overlapping_writes_with_reads_seeing_either() {
    let rec = Recorder::new();
    let w1 = rec.invoke(1, Op::write("k", 1));
    let w2 = rec.invoke(2, Op::write("k", 2));
    // Inside both writes, reads may see nothing, either value, and flip between them as long as
    // the writes can be ordered to match: absent, 1, then 2 (write 1 first, then write 2).
    done(&rec, 3, Op::read("k"), Outcome::read(None));
    done(&rec, 4, Op::read("k"), Outcome::read(Some(1)));
    done(&rec, 3, Op::read("k"), Outcome::read(Some(2)));
    rec.complete(w1, Outcome::written()).unwrap();
    rec.complete(w2, Outcome::written()).unwrap();
    done(&rec, 4, Op::read("k"), Outcome::read(Some(2)));
    accepted(&rec.history());

    // The other order of the same writes is fine too.
    let rec = Recorder::new();
    let w1 = rec.invoke(1, Op::write("k", 1));
    let w2 = rec.invoke(2, Op::write("k", 2));
    let r = rec.invoke(3, Op::read("k"));
    rec.complete(w2, Outcome::written()).unwrap();
    rec.complete(w1, Outcome::written()).unwrap();
    rec.complete(r, Outcome::read(Some(2))).unwrap();
    done(&rec, 4, Op::read("k"), Outcome::read(Some(1)));
    accepted(&rec.history());
}

#[test]
fn unknown_write_that_later_shows_up() {
    let rec = Recorder::new();
    done(&rec, 1, Op::write("k", 1), Outcome::written());
    // Times out after forwarding: the client gives up.
    done(&rec, 2, Op::write("k", 2), Outcome::Unknown);
    done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));
    done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));
    // The new leader applies it long after the client gave up.
    done(&rec, 3, Op::read("k"), Outcome::read(Some(2)));
    done(&rec, 1, Op::write("k", 3), Outcome::written());
    done(&rec, 3, Op::read("k"), Outcome::read(Some(3)));
    accepted(&rec.history());
}

#[test]
fn unknown_write_that_never_shows_up() {
    let rec = Recorder::new();
    done(&rec, 1, Op::write("k", 1), Outcome::written());
    done(&rec, 2, Op::write("k", 2), Outcome::Unknown);
    for _ in 0..5 {
        done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));
    }
    accepted(&rec.history());
}

#[test]
fn never_completed_operation_counts_as_unknown() {
    let rec = Recorder::new();
    let lost = rec.invoke(1, Op::write("k", 1));
    done(&rec, 2, Op::read("k"), Outcome::read(None));
    done(&rec, 2, Op::read("k"), Outcome::read(Some(1)));
    drop(lost); // the client task was cancelled
    accepted(&rec.history());
}

#[test]
fn failed_write_is_left_out() {
    let rec = Recorder::new();
    done(&rec, 1, Op::write("k", 1), Outcome::written());
    done(&rec, 2, Op::write("k", 2), Outcome::Failed);
    done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));
    accepted(&rec.history());
}

#[test]
fn concurrent_swaps_from_absent_let_exactly_one_win() {
    let rec = Recorder::new();
    let a = rec.invoke(1, Op::cas("k", None, 1));
    let b = rec.invoke(2, Op::cas("k", None, 2));
    rec.complete(b, Outcome::cas(false)).unwrap();
    rec.complete(a, Outcome::cas(true)).unwrap();
    done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));
    done(&rec, 3, Op::cas("k", Some(1), 3), Outcome::cas(true));
    done(&rec, 3, Op::cas("k", Some(1), 4), Outcome::cas(false));
    done(&rec, 3, Op::read("k"), Outcome::read(Some(3)));
    accepted(&rec.history());
}

#[test]
fn initial_value_is_what_a_first_read_may_see() {
    let rec = Recorder::new();
    done(&rec, 1, Op::read("k"), Outcome::read(Some(7)));
    assert!(check(&rec.history()).is_err());
    let report = Checker::new()
        .initial_value("k", 7)
        .check(&rec.history())
        .unwrap();
    assert_eq!((report.keys, report.ops), (1, 1));
}

#[test]
fn empty_history_passes() {
    accepted(&History::default());
}

#[test]
fn saved_history_checks_the_same_after_a_json_round_trip() {
    let rec = Recorder::new();
    done(&rec, 1, Op::write("k", 1), Outcome::written());
    done(&rec, 2, Op::write("k", 2), Outcome::Unknown);
    done(&rec, 3, Op::read("k"), Outcome::read(Some(2)));
    let history = rec.history();
    let json = serde_json::to_string(&history).unwrap();
    let back: History = serde_json::from_str(&json).unwrap();
    assert_eq!(back, history);
    accepted(&back);
}
