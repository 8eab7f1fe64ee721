//! Generated histories: a simulated register is always accepted; one impossible read is rejected.

use chorus_history::{Error, check};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::mutate::{Why, mutate, mutate_as};
use crate::sim::{Config, simulate};

fn config() -> impl Strategy<Value = Config> {
    (
        1usize..=6,
        1usize..=3,
        1usize..=120,
        0u32..=300,
        0u32..=100,
        0u32..=300,
        any::<u64>(),
    )
        .prop_map(
            |(clients, keys, ops, unknown_permille, failed_permille, cas_permille, seed)| Config {
                clients,
                keys,
                ops,
                unknown_permille,
                failed_permille,
                cas_permille,
                seed,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn simulated_register_histories_are_accepted(cfg in config()) {
        let history = simulate(&cfg);
        let result = check(&history);
        prop_assert!(result.is_ok(), "{cfg:?} rejected:\n{}\nhistory:\n{history}", result.unwrap_err());
    }

    #[test]
    fn one_read_of_an_unobservable_value_is_rejected(
        cfg in config(),
        pick in any::<u64>(),
        backwards in any::<bool>(),
    ) {
        let history = simulate(&cfg);
        let mut rng = StdRng::seed_from_u64(pick);
        // Half the time insist on values going backwards, the kind that exercises the search.
        let mutation = if backwards {
            mutate_as(&history, &mut rng, Some(Why::Backwards)).or_else(|| mutate(&history, &mut rng))
        } else {
            mutate(&history, &mut rng)
        };
        prop_assume!(mutation.is_some(), "no acknowledged read to change");
        let m = mutation.unwrap();
        match check(&m.history) {
            Err(Error::Violation(v)) => {
                prop_assert_eq!(&v.key, &m.key, "{:?} {:?}\n{}", m.why, m.read, v);
                // A failing set leaves out nothing that could have been stored where its
                // operations saw it, so it must hold the one read that changed.
                prop_assert!(v.ops.iter().any(|e| e.id == m.read), "{:?} {:?}\n{}", m.why, m.read, v);
                let again = check(&v.history());
                prop_assert!(
                    matches!(again, Err(Error::Violation(_))),
                    "the failing set alone passed: {:?}\n{}", again, v
                );
            }
            other => prop_assert!(
                false,
                "{:?}: read {:?} changed to {} ({:?}) but got {:?}\nhistory:\n{}",
                cfg, m.read, m.value, m.why, other, m.history
            ),
        }
    }
}
