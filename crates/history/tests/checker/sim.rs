//! A simulated key–value register with concurrent clients, recording what they see.
//!
//! Each operation takes effect at one instant inside its recorded interval, on a real sequential
//! register, so every history it produces is linearizable. Timed-out operations (Unknown) take effect
//! inside their interval, later (after the client gave up), or never; failed operations never do.

use std::collections::BTreeMap;

use chorus_history::{History, Op, Outcome, Pending, Recorder, Reply, Value};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What to simulate.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Concurrent clients.
    pub clients: usize,
    /// Distinct keys, named `k0`, `k1`, ….
    pub keys: usize,
    /// Operations in total.
    pub ops: usize,
    /// Chance in 1000 that an operation's outcome is Unknown.
    pub unknown_permille: u32,
    /// Chance in 1000 that an operation fails (and does not take effect).
    pub failed_permille: u32,
    /// Chance in 1000 that an operation is a compare-and-set.
    pub cas_permille: u32,
    /// Seed of every random choice.
    pub seed: u64,
}

/// The fate of an operation, chosen when it is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Ok,
    Failed,
    Unknown,
}

enum Client {
    Idle,
    Busy {
        pending: Pending,
        op: Op,
        fate: Fate,
        reply: Option<Reply>,
    },
}

struct World {
    rng: StdRng,
    registers: BTreeMap<String, Option<Value>>,
    /// Operations whose clients gave up but which will still take effect at some later step.
    floating: Vec<Op>,
    next_value: Value,
}

impl World {
    fn apply(&mut self, op: &Op) -> Reply {
        let register = self.registers.entry(op.key().to_owned()).or_default();
        match op {
            Op::Write { value, .. } => {
                *register = Some(*value);
                Reply::Written
            }
            Op::Read { .. } => Reply::Read(*register),
            Op::Cas { expected, new, .. } => {
                let swap = *register == *expected;
                if swap {
                    *register = Some(*new);
                }
                Reply::Cas(swap)
            }
        }
    }

    fn fresh_value(&mut self) -> Value {
        self.next_value += 1;
        self.next_value
    }

    fn new_op(&mut self, cfg: &Config) -> Op {
        let key = format!("k{}", self.rng.gen_range(0..cfg.keys));
        let roll = self.rng.gen_range(0..1000);
        if roll < cfg.cas_permille {
            let current = self.registers.get(&key).copied().flatten();
            // Usually expect the current value so that some swaps succeed.
            let expected = match self.rng.gen_range(0..4) {
                0 => None,
                1 => Some(self.rng.gen_range(1..=self.next_value.max(1))),
                _ => current,
            };
            let new = self.fresh_value();
            Op::cas(key, expected, new)
        } else if roll < cfg.cas_permille + (1000 - cfg.cas_permille) / 2 {
            let value = self.fresh_value();
            Op::write(key, value)
        } else {
            Op::read(key)
        }
    }

    fn fate(&mut self, cfg: &Config) -> Fate {
        let roll = self.rng.gen_range(0..1000);
        if roll < cfg.unknown_permille {
            Fate::Unknown
        } else if roll < cfg.unknown_permille + cfg.failed_permille {
            Fate::Failed
        } else {
            Fate::Ok
        }
    }
}

/// Runs the simulation and returns the recorded history.
pub fn simulate(cfg: &Config) -> History {
    let rec = Recorder::new();
    let mut world = World {
        rng: StdRng::seed_from_u64(cfg.seed),
        registers: BTreeMap::new(),
        floating: Vec::new(),
        next_value: 0,
    };
    let mut clients: Vec<Client> = (0..cfg.clients).map(|_| Client::Idle).collect();
    let mut issued = 0;
    loop {
        let all_idle = clients.iter().all(|c| matches!(c, Client::Idle));
        if issued == cfg.ops && all_idle {
            break;
        }
        if !world.floating.is_empty() && world.rng.gen_ratio(1, 10) {
            let i = world.rng.gen_range(0..world.floating.len());
            let op = world.floating.swap_remove(i);
            world.apply(&op);
            continue;
        }
        let c = world.rng.gen_range(0..clients.len());
        let client = std::mem::replace(&mut clients[c], Client::Idle);
        clients[c] = match client {
            Client::Idle if issued < cfg.ops => {
                issued += 1;
                let op = world.new_op(cfg);
                let fate = world.fate(cfg);
                let pending = rec.invoke(c as u64, op.clone());
                Client::Busy {
                    pending,
                    op,
                    fate,
                    reply: None,
                }
            }
            Client::Idle => Client::Idle,
            Client::Busy {
                pending,
                op,
                fate,
                reply: None,
            } => match fate {
                Fate::Failed => {
                    rec.complete(pending, Outcome::Failed).unwrap();
                    Client::Idle
                }
                Fate::Ok => {
                    let reply = world.apply(&op);
                    Client::Busy {
                        pending,
                        op,
                        fate,
                        reply: Some(reply),
                    }
                }
                Fate::Unknown => match world.rng.gen_range(0..4) {
                    0 => {
                        let reply = world.apply(&op);
                        Client::Busy {
                            pending,
                            op,
                            fate,
                            reply: Some(reply),
                        }
                    }
                    1 => {
                        world.floating.push(op);
                        give_up(&rec, pending, &mut world.rng);
                        Client::Idle
                    }
                    _ => {
                        give_up(&rec, pending, &mut world.rng);
                        Client::Idle
                    }
                },
            },
            Client::Busy {
                pending,
                fate,
                reply: Some(reply),
                ..
            } => {
                if fate == Fate::Unknown {
                    give_up(&rec, pending, &mut world.rng);
                } else {
                    rec.complete(pending, Outcome::Ok(reply)).unwrap();
                }
                Client::Idle
            }
        };
    }
    rec.history()
}

/// Records an Unknown outcome, or leaves the operation never completed; both mean Unknown.
fn give_up(rec: &Recorder, pending: Pending, rng: &mut StdRng) {
    if rng.gen_bool(0.5) {
        rec.complete(pending, Outcome::Unknown).unwrap();
    }
}
