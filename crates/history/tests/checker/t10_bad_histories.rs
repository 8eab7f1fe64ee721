//! Hand-made histories that are not linearizable: each must be caught on the right key.

use chorus_history::{Cause, Checker, Error, Op, OpId, Outcome, Recorder};

use crate::{done, ids, violation};

/// Linearizable traffic on key "other", so that a report must single out the guilty key.
fn noise(rec: &Recorder, value: u64) {
    done(rec, 9, Op::write("other", value), Outcome::written());
    done(rec, 9, Op::read("other"), Outcome::read(Some(value)));
}

#[test]
fn stale_read_after_a_completed_write_is_caught() {
    let rec = Recorder::new();
    noise(&rec, 100);
    let w1 = done(&rec, 1, Op::write("k", 1), Outcome::written());
    noise(&rec, 101);
    let w2 = done(&rec, 1, Op::write("k", 2), Outcome::written());
    // Begins after write 2 completed, yet returns the value write 2 replaced.
    let r = done(&rec, 2, Op::read("k"), Outcome::read(Some(1)));
    noise(&rec, 102);

    let v = violation(&rec.history());
    println!("{v}");
    assert_eq!(v.key, "k");
    assert_eq!(v.cause, Cause::NoLinearization);
    assert_eq!(v.stuck.id, r);
    assert_eq!(ids(&v), vec![w1, w2, r]);
    assert!(v.minimal);
    assert_eq!(v.deepest, vec![w1, w2]);
    assert_eq!(v.value, Some(2));
}

#[test]
fn read_of_a_value_never_written_is_caught() {
    let rec = Recorder::new();
    noise(&rec, 100);
    done(&rec, 1, Op::write("k", 1), Outcome::written());
    let r = done(&rec, 2, Op::read("k"), Outcome::read(Some(42)));

    let v = violation(&rec.history());
    println!("{v}");
    assert_eq!(v.key, "k");
    assert_eq!(v.cause, Cause::NeverWritten { value: 42 });
    assert_eq!(v.stuck.id, r);
    assert_eq!(ids(&v), vec![r]);
}

#[test]
fn read_of_a_failed_writes_value_is_caught() {
    let rec = Recorder::new();
    done(&rec, 1, Op::write("k", 1), Outcome::written());
    done(&rec, 1, Op::write("k", 7), Outcome::Failed);
    let r = done(&rec, 2, Op::read("k"), Outcome::read(Some(7)));

    let v = violation(&rec.history());
    assert_eq!(v.key, "k");
    assert_eq!(v.cause, Cause::NeverWritten { value: 7 });
    assert_eq!(v.stuck.id, r);
}

#[test]
fn sequential_reads_going_backwards_are_caught() {
    let rec = Recorder::new();
    noise(&rec, 100);
    let w1 = done(&rec, 1, Op::write("k", 1), Outcome::written());
    // Write 2 is slow: both reads below run inside it, so each alone could see 1 or 2.
    let slow = rec.invoke(1, Op::write("k", 2));
    let w2 = slow.id();
    let r_new = done(&rec, 2, Op::read("k"), Outcome::read(Some(2)));
    noise(&rec, 101);
    // Begins after the read of 2 completed, yet sees the older 1.
    let r_old = done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));
    rec.complete(slow, Outcome::written()).unwrap();

    let v = violation(&rec.history());
    println!("{v}");
    assert_eq!(v.key, "k");
    assert_eq!(v.cause, Cause::NoLinearization);
    assert_eq!(v.stuck.id, r_old);
    assert_eq!(ids(&v), vec![w1, w2, r_new, r_old]);
    assert!(v.minimal);
}

#[test]
fn lost_acknowledged_write_is_caught() {
    let rec = Recorder::new();
    let w1 = done(&rec, 1, Op::write("k", 1), Outcome::written());
    done(&rec, 2, Op::read("k"), Outcome::read(Some(1)));
    // Acknowledged, then lost (say, by a leader that never replicated it): no write is concurrent,
    // and every later read returns the older value.
    let w2 = done(&rec, 1, Op::write("k", 2), Outcome::written());
    noise(&rec, 100);
    let r1 = done(&rec, 2, Op::read("k"), Outcome::read(Some(1)));
    let r2 = done(&rec, 3, Op::read("k"), Outcome::read(Some(1)));

    let v = violation(&rec.history());
    println!("{v}");
    assert_eq!(v.key, "k");
    // Either later read alone, with the two writes, proves the loss.
    assert!([r1, r2].contains(&v.stuck.id), "{v}");
    assert_eq!(ids(&v), vec![w1, w2, v.stuck.id]);
    assert!(v.minimal);
}

#[test]
fn swap_from_a_value_already_replaced_is_caught() {
    let rec = Recorder::new();
    let w = done(&rec, 1, Op::write("k", 1), Outcome::written());
    let cas = done(&rec, 2, Op::cas("k", None, 2), Outcome::cas(true));

    let v = violation(&rec.history());
    assert_eq!(v.key, "k");
    assert_eq!(v.stuck.id, cas);
    assert_eq!(ids(&v), vec![w, cas]);
}

#[test]
fn unknown_write_cannot_be_seen_before_it_was_invoked() {
    let rec = Recorder::new();
    let r = done(&rec, 1, Op::read("k"), Outcome::read(Some(5)));
    let w = done(&rec, 2, Op::write("k", 5), Outcome::Unknown);

    let v = violation(&rec.history());
    assert_eq!(v.key, "k");
    assert_eq!(v.stuck.id, r);
    assert_eq!(ids(&v), vec![r, w]);
}

#[test]
fn violation_on_a_later_key_is_found_and_named() {
    let rec = Recorder::new();
    for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
        let value = i as u64 + 1;
        done(&rec, 1, Op::write(key, value), Outcome::written());
        done(&rec, 2, Op::read(key), Outcome::read(Some(value)));
    }
    done(&rec, 3, Op::read("c"), Outcome::read(None));

    let v = violation(&rec.history());
    assert_eq!(v.key, "c");
    assert_eq!(v.stuck.id, OpId(6));
}

#[test]
fn search_past_its_budget_is_inconclusive() {
    let rec = Recorder::new();
    // Twenty concurrent writes and a concurrent read: a search with memoization still has to try
    // many subsets of writes before deciding.
    let writes: Vec<_> = (0..20).map(|i| rec.invoke(i, Op::write("k", i))).collect();
    let r = rec.invoke(99, Op::read("k"));
    rec.complete(r, Outcome::read(Some(19))).unwrap();
    for w in writes {
        rec.complete(w, Outcome::written()).unwrap();
    }
    let err = Checker::new()
        .step_budget(10)
        .check(&rec.history())
        .unwrap_err();
    println!("{err}");
    match err {
        Error::Inconclusive(i) => {
            assert_eq!(i.key, "k");
            assert_eq!(i.ops, 21);
            assert_eq!(i.budget, 10);
        }
        other => panic!("expected Inconclusive, got {other:?}"),
    }
    // The same history is decided with the default budget.
    assert!(Checker::new().check(&rec.history()).is_ok());
}

#[test]
fn violation_message_names_key_operations_and_times() {
    let rec = Recorder::new();
    done(&rec, 1, Op::write("palace/k", 1), Outcome::written());
    done(&rec, 1, Op::write("palace/k", 2), Outcome::written());
    done(&rec, 2, Op::read("palace/k"), Outcome::read(Some(1)));
    let text = violation(&rec.history()).to_string();
    assert!(text.contains("key \"palace/k\""), "{text}");
    assert!(text.contains("=> op 2"), "{text}");
    assert!(text.contains("write \"palace/k\" := 2 -> ok"), "{text}");
    assert!(text.contains("t4 (+"), "{text}");
    assert!(text.contains(".. t5 (+"), "{text}");
    assert!(text.contains("value then: 2"), "{text}");
}
