//! Who may change the role registry, and how a node proves it (DESIGN §3).
//!
//! Only holders of an `admin` role identity may set a role's recipients. A node proves it holds
//! one by answering a challenge from the leader, the only node that proposes log entries:
//!
//! 1. the requesting node sends `RoleChallenge{role, recipients}` to the leader over
//!    `/chorus/<cluster>/records/1` (or calls itself when it leads);
//! 2. the leader draws a random 32-byte nonce and age-encrypts it to every recipient of `admin`
//!    in its palace; while no `admin` role exists (bootstrap), only `admin` itself may be set,
//!    and the nonce is encrypted to the recipients being registered, so the first admin
//!    proves it holds one of the keys it names;
//! 3. the requester decrypts the nonce with the role identities in its `<data>/keys/roles/`
//!    and sends `RoleProof{id, nonce}`;
//! 4. the leader checks the nonce (once, within [`CHALLENGE_TTL`]), marks the exact change
//!    (role and sorted recipients) as authorised for [`CHALLENGE_TTL`], and proposes it.
//!
//! The [`RoleGate`] consensus hook refuses every `RoleSet` the leader has not authorised this
//! way, whichever path it came by (API, a forwarded write, a hand-crafted request). A leader
//! change between proof and commit refuses the change; the operator runs the command again.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chorus_consensus::{Hooks, Op, Outcome};
use chorus_crypto::RoleRecipient;
use chorus_p2p::{PeerId, Protocol};
use chorus_palace::Command;
use chorus_records::ADMIN_ROLE;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
// tokio's clock, so tests can pause and advance it through the TTL.
use tokio::time::Instant;

use crate::{Error, Service, wire};

/// How long a challenge may be answered, and how long a proved change stays authorised.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(30);
/// Open challenges kept at once; the oldest is dropped beyond it.
pub const MAX_CHALLENGES: usize = 64;

struct Challenge {
    role: String,
    recipients: Vec<String>,
    nonce: [u8; 32],
    issued: Instant,
}

#[derive(Default)]
struct GateState {
    next_id: u64,
    challenges: HashMap<u64, Challenge>,
    authorised: Vec<([u8; 32], Instant)>,
}

/// The consensus hook that admits a role change only after its requester proved it holds an
/// `admin` identity (see the module documentation). Register the same gate with consensus and
/// with the records [`Service`].
#[derive(Clone, Default)]
pub struct RoleGate {
    state: Arc<Mutex<GateState>>,
}

impl std::fmt::Debug for RoleGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoleGate")
    }
}

/// Sorted, unique recipients: the canonical form a change is authorised under.
fn canonical(recipients: &[String]) -> Vec<String> {
    let mut r: Vec<String> = recipients.iter().map(|s| s.trim().to_owned()).collect();
    r.sort();
    r.dedup();
    r
}

fn digest(role: &str, recipients: &[String]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(role.as_bytes());
    for r in canonical(recipients) {
        h.update([0u8]);
        h.update(r.as_bytes());
    }
    h.finalize().into()
}

impl RoleGate {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn issue(&self, role: &str, recipients: &[String], nonce: [u8; 32]) -> u64 {
        let mut s = self.lock();
        s.challenges
            .retain(|_, c| c.issued.elapsed() < CHALLENGE_TTL);
        if s.challenges.len() >= MAX_CHALLENGES
            && let Some(oldest) = s
                .challenges
                .iter()
                .min_by_key(|(_, c)| c.issued)
                .map(|(k, _)| *k)
        {
            s.challenges.remove(&oldest);
        }
        s.next_id = s.next_id.wrapping_add(1);
        let id = s.next_id;
        s.challenges.insert(
            id,
            Challenge {
                role: role.to_owned(),
                recipients: canonical(recipients),
                nonce,
                issued: Instant::now(),
            },
        );
        id
    }

    /// Checks a proof; on success the change is authorised and returned.
    fn prove(&self, id: u64, nonce: [u8; 32]) -> Result<(String, Vec<String>), String> {
        let mut s = self.lock();
        let c = s.challenges.remove(&id).ok_or_else(|| {
            format!("challenge {id}: unknown or expired (answer within {CHALLENGE_TTL:?})")
        })?;
        if c.issued.elapsed() >= CHALLENGE_TTL {
            return Err(format!("challenge {id}: expired"));
        }
        if c.nonce != nonce {
            return Err(format!(
                "challenge {id}: wrong answer: the requester holds no admin identity"
            ));
        }
        s.authorised.retain(|(_, t)| t.elapsed() < CHALLENGE_TTL);
        if s.authorised.len() >= MAX_CHALLENGES {
            s.authorised.remove(0);
        }
        s.authorised
            .push((digest(&c.role, &c.recipients), Instant::now()));
        Ok((c.role, c.recipients))
    }

    fn is_authorised(&self, role: &str, recipients: &[String]) -> bool {
        let d = digest(role, recipients);
        self.lock()
            .authorised
            .iter()
            .any(|(x, t)| *x == d && t.elapsed() < CHALLENGE_TTL)
    }
}

impl Hooks for RoleGate {
    fn admit(&self, op: &Op) -> Result<(), String> {
        let cmd = match op {
            Op::Palace(c) | Op::Fenced { command: c, .. } => c,
            _ => return Ok(()),
        };
        match cmd {
            Command::RoleSet { role, recipients } if !self.is_authorised(role, recipients) => {
                Err(format!(
                    "role {role:?}: only admin holders may change the role registry; run \
                     `chorus roles set` on a node holding an admin identity \
                     (<data>/keys/roles/admin.age)"
                ))
            }
            _ => Ok(()),
        }
    }
}

impl Service {
    /// Sets `role`'s recipients in the registry, proving to the leader that this node holds an
    /// `admin` identity (see the [module documentation](self)). An empty list removes the
    /// role. Returns the index and term of the committed change. Not cancel-safe past the
    /// proof: dropping the future may leave the change committed.
    pub async fn set_role(&self, role: &str, recipients: &[String]) -> Result<(u64, u64), Error> {
        // A leader change between proof and commit refuses the change; prove again to the new
        // leader, a bounded number of times.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.set_role_once(role, recipients).await {
                Err(e) if attempt < 4 && leader_moved(&e) => {
                    tracing::info!(error = %e, "the palace writer moved during a role change; retrying");
                    // Wait (bounded by the read timeout) until a leader is confirmed; if none is,
                    // the next attempt reports why.
                    let _ = self
                        .inner
                        .consensus
                        .read(chorus_consensus::Consistency::Linearizable, |_| ())
                        .await;
                }
                other => return other,
            }
        }
    }

    async fn set_role_once(&self, role: &str, recipients: &[String]) -> Result<(u64, u64), Error> {
        chorus_types::ucxl::validate_role(role)
            .map_err(|e| Error::invalid("role", role, e.to_string()))?;
        for r in recipients {
            r.parse::<RoleRecipient>()
                .map_err(|e| Error::invalid("recipients", r, e.to_string()))?;
        }
        let status = self.inner.consensus.status();
        if status.is_leader {
            let (id, ciphertext) = self.issue_challenge(role, recipients).await?;
            let nonce = self.answer_challenge(&ciphertext)?;
            return self.complete_challenge(id, nonce).await;
        }
        let leader = status
            .leader_peer_id
            .and_then(|p| p.parse::<PeerId>().ok())
            .ok_or_else(|| Error::Unavailable("no palace writer known".into()))?;
        let ask = wire::Request::RoleChallenge {
            role: role.to_owned(),
            recipients: recipients.to_vec(),
        };
        let (id, ciphertext) = match self.ask_leader(leader, &ask).await? {
            wire::Reply::Challenge { id, ciphertext } => (id, ciphertext),
            wire::Reply::Refused(why) => return Err(refused(why)),
            other => return Err(Error::Unavailable(format!("leader answered {other:?}"))),
        };
        let nonce = self.answer_challenge(&ciphertext)?;
        match self
            .ask_leader(leader, &wire::Request::RoleProof { id, nonce })
            .await?
        {
            wire::Reply::RoleSet { index, term } => Ok((index, term)),
            wire::Reply::Refused(why) => Err(refused(why)),
            other => Err(Error::Unavailable(format!("leader answered {other:?}"))),
        }
    }

    async fn ask_leader(&self, leader: PeerId, req: &wire::Request) -> Result<wire::Reply, Error> {
        let timeout = self.inner.config.fetch_timeout * 2;
        let call = self
            .inner
            .p2p
            .request(leader, Protocol::Records, wire::encode(req));
        match tokio::time::timeout(timeout, call).await {
            Ok(Ok(bytes)) => wire::decode(&bytes).map_err(Error::Unavailable),
            Ok(Err(e)) => Err(Error::Unavailable(e.to_string())),
            Err(_) => Err(Error::Unavailable(format!(
                "the leader did not answer within {timeout:?}"
            ))),
        }
    }

    /// Leader side: a fresh nonce encrypted to the admins (or, at bootstrap, to the proposed
    /// admin recipients).
    pub(crate) async fn issue_challenge(
        &self,
        role: &str,
        recipients: &[String],
    ) -> Result<(u64, Vec<u8>), Error> {
        if !self.inner.consensus.status().is_leader {
            return Err(Error::Refused("this node is not the palace writer".into()));
        }
        chorus_types::ucxl::validate_role(role)
            .map_err(|e| Error::invalid("role", role, e.to_string()))?;
        if recipients.len() > 64 {
            return Err(Error::invalid(
                "recipients",
                &recipients.len().to_string(),
                "at most 64",
            ));
        }
        let admins = self
            .read(|d| d.palace.role(ADMIN_ROLE).map(|r| r.recipients.clone()))
            .await?;
        let targets = match admins {
            Some(a) if !a.is_empty() => a,
            _ if role == ADMIN_ROLE && !recipients.is_empty() => recipients.to_vec(),
            _ => {
                return Err(Error::Refused(
                    "no admin role is registered yet: register it first with `chorus roles set \
                     admin <recipient>` on a node holding that identity"
                        .into(),
                ));
            }
        };
        let parsed: Vec<RoleRecipient> = targets
            .iter()
            .map(|r| r.parse::<RoleRecipient>())
            .collect::<Result<_, _>>()
            .map_err(|e| Error::invalid("recipients", "", e.to_string()))?;
        let mut nonce = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ciphertext = encrypt(&nonce, &parsed)?;
        let id = self.inner.gate.issue(role, recipients, nonce);
        Ok((id, ciphertext))
    }

    /// Requester side: the nonce, decrypted with this node's role identities.
    fn answer_challenge(&self, ciphertext: &[u8]) -> Result<[u8; 32], Error> {
        let ids = self.identities()?;
        let refused = || {
            Error::Refused(
                "this node holds no admin identity the leader accepts (<data>/keys/roles/admin.age)"
                    .into(),
            )
        };
        let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|_| refused())?;
        let mut reader = decryptor
            .decrypt(ids.iter().map(|(_, i)| i.as_age() as &dyn age::Identity))
            .map_err(|_| refused())?;
        let mut nonce = [0u8; 32];
        reader.read_exact(&mut nonce).map_err(|_| refused())?;
        Ok(nonce)
    }

    /// Leader side: checks the proof and commits the change.
    pub(crate) async fn complete_challenge(
        &self,
        id: u64,
        nonce: [u8; 32],
    ) -> Result<(u64, u64), Error> {
        let (role, recipients) = self.inner.gate.prove(id, nonce).map_err(Error::Refused)?;
        let reply = self
            .inner
            .consensus
            .write(Op::Palace(Command::RoleSet { role, recipients }), None)
            .await?;
        match reply.outcome {
            Outcome::Palace(Ok(_)) => Ok((reply.index, reply.term)),
            Outcome::Palace(Err(e)) => Err(Error::Palace(e.to_string())),
            other => Err(Error::Palace(format!("unexpected outcome {other:?}"))),
        }
    }
}

/// Whether a role change failed because leadership moved (a proof given to one leader is not
/// valid at the next), so proving again to the new leader may succeed.
fn leader_moved(e: &Error) -> bool {
    match e {
        Error::Refused(why) => {
            why.contains("not the palace writer") || why.contains("only admin holders")
        }
        Error::Unavailable(_) => true,
        Error::Write(w) => matches!(
            w,
            chorus_consensus::WriteError::NotLeader { .. }
                | chorus_consensus::WriteError::NoLeader { .. }
                | chorus_consensus::WriteError::Refused(_)
        ),
        _ => false,
    }
}

/// The leader's refusal, without a second `refused:` prefix.
fn refused(why: String) -> Error {
    match why.strip_prefix("refused: ") {
        Some(rest) => Error::Refused(rest.to_owned()),
        None => Error::Refused(why),
    }
}

fn encrypt(nonce: &[u8; 32], to: &[RoleRecipient]) -> Result<Vec<u8>, Error> {
    let enc = age::Encryptor::with_recipients(to.iter().map(|r| r.as_age() as &dyn age::Recipient))
        .map_err(|e| Error::Unavailable(format!("challenge encryption: {e}")))?;
    let mut out = Vec::new();
    let mut w = enc
        .wrap_output(&mut out)
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    w.write_all(nonce)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| Error::Unavailable(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role_set(role: &str, recipients: &[&str]) -> Op {
        Op::Palace(Command::RoleSet {
            role: role.into(),
            recipients: recipients.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn an_unproved_role_change_is_refused_and_other_ops_pass() {
        let gate = RoleGate::default();
        let err = gate.admit(&role_set("dev", &["age1x"])).unwrap_err();
        assert!(err.contains("only admin holders"), "{err}");
        let fenced = Op::Fenced {
            resource: "r".into(),
            token: chorus_types::fencing::FencingToken { term: 1, index: 1 },
            command: Command::RoleSet {
                role: "dev".into(),
                recipients: vec![],
            },
        };
        assert!(gate.admit(&fenced).is_err());
        assert!(
            gate.admit(&Op::Fence {
                resource: "r".into()
            })
            .is_ok()
        );
    }

    #[test]
    fn a_proved_change_is_admitted_exactly_as_proved() {
        let gate = RoleGate::default();
        let recipients = vec![
            "age1b".to_string(),
            "age1a".to_string(),
            "age1a".to_string(),
        ];
        let id = gate.issue("dev", &recipients, [7; 32]);
        assert!(
            gate.prove(id, [8; 32])
                .unwrap_err()
                .contains("wrong answer")
        );
        // A wrong answer spends the challenge.
        assert!(gate.prove(id, [7; 32]).unwrap_err().contains("unknown"));
        let id = gate.issue("dev", &recipients, [7; 32]);
        let (role, canon) = gate.prove(id, [7; 32]).unwrap();
        assert_eq!(
            (role.as_str(), canon.as_slice()),
            ("dev", &["age1a".to_string(), "age1b".to_string()][..])
        );
        // Order and duplicates do not matter; another role or another list does.
        assert!(gate.admit(&role_set("dev", &["age1a", "age1b"])).is_ok());
        assert!(gate.admit(&role_set("dev", &["age1b", "age1a"])).is_ok());
        assert!(gate.admit(&role_set("admin", &["age1a", "age1b"])).is_err());
        assert!(gate.admit(&role_set("dev", &["age1a"])).is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn challenges_and_proved_changes_expire_after_the_ttl() {
        let gate = RoleGate::default();
        let id = gate.issue("dev", &[], [3; 32]);
        tokio::time::advance(CHALLENGE_TTL).await;
        let err = gate.prove(id, [3; 32]).unwrap_err();
        assert!(err.contains("expired"), "{err}");
        let id = gate.issue("dev", &[], [4; 32]);
        gate.prove(id, [4; 32]).unwrap();
        assert!(gate.admit(&role_set("dev", &[])).is_ok());
        tokio::time::advance(CHALLENGE_TTL - Duration::from_millis(1)).await;
        assert!(
            gate.admit(&role_set("dev", &[])).is_ok(),
            "still within the TTL"
        );
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(
            gate.admit(&role_set("dev", &[])).is_err(),
            "the proof expired"
        );
    }

    #[test]
    fn open_challenges_are_bounded() {
        let gate = RoleGate::default();
        let first = gate.issue("dev", &[], [1; 32]);
        for _ in 0..MAX_CHALLENGES {
            gate.issue("dev", &[], [2; 32]);
        }
        assert_eq!(gate.lock().challenges.len(), MAX_CHALLENGES);
        assert!(
            gate.prove(first, [1; 32]).is_err(),
            "the oldest was dropped"
        );
    }
}
