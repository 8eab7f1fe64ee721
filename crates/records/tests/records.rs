//! Decision records end to end through the public API: build, verify, tamper, decrypt, export.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use chorus_crypto::{NodeSigner, RoleIdentity};
use chorus_records::{
    ADMIN_ROLE, BuildError, DecryptError, Draft, Fencing, FileError, Limits, RoleRecipients,
    VerifiedRecord, armor, build, decrypt, decrypt_file, verify, verify_export, verify_file,
    verify_with,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// Offset of the header in an envelope: magic (4), version (1), header length (4).
const HEADER_AT: usize = 9;
const BODY: &[u8] = b"decision: rotate the cluster key every 30 days; owner: ops";

struct Fixture {
    signer: NodeSigner,
    dev: RoleIdentity,
    reviewer: RoleIdentity,
    human: RoleIdentity,
    admin: RoleIdentity,
    recipients: RoleRecipients,
}

fn fixture() -> Fixture {
    let dev = RoleIdentity::generate();
    let reviewer = RoleIdentity::generate();
    let human = RoleIdentity::generate();
    let admin = RoleIdentity::generate();
    let mut recipients = RoleRecipients::new();
    for (role, id) in [
        ("developer", &dev),
        ("reviewer", &reviewer),
        ("human", &human),
        (ADMIN_ROLE, &admin),
    ] {
        recipients.insert(role.to_owned(), vec![id.recipient().clone()]);
    }
    Fixture {
        signer: NodeSigner::from_seed(&[42; 32]),
        dev,
        reviewer,
        human,
        admin,
        recipients,
    }
}

fn draft(body: &[u8]) -> Draft<'_> {
    Draft {
        address: "ucxl://alice:developer@chorus:t-7/*1/decisions/keys.md"
            .parse()
            .unwrap(),
        created_at_ms: 1_700_000_000_000,
        task: Some("t-7".to_owned()),
        fencing: Some(Fencing { term: 3, index: 41 }),
        parents: vec![chorus_records::Cid::of(b"parent")],
        recipient_roles: vec!["reviewer".to_owned(), "developer".to_owned()],
        content_type: "text/markdown".to_owned(),
        body,
    }
}

fn built(f: &Fixture) -> VerifiedRecord {
    build(&draft(BODY), &f.signer, &f.recipients, &Limits::default()).unwrap()
}

fn header_len(bytes: &[u8]) -> usize {
    u32::from_be_bytes(bytes[5..9].try_into().unwrap()) as usize
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

fn reason(bytes: &[u8]) -> &'static str {
    verify(bytes).unwrap_err().reason()
}

#[test]
fn built_record_verifies_with_the_same_cid_and_header() {
    let f = fixture();
    let record = built(&f);
    let again = verify(record.as_bytes()).unwrap();
    assert_eq!(again, record);
    assert_eq!(again.cid(), chorus_records::Cid::of(record.as_bytes()));
    let h = again.header();
    assert_eq!(h.author_peer_id, f.signer.peer_id());
    assert_eq!(h.author_agent, "alice");
    assert_eq!(h.role, "developer");
    assert_eq!(h.recipient_roles, ["admin", "developer", "reviewer"]);
    assert_eq!(h.fencing, Some(Fencing { term: 3, index: 41 }));
    let ann = again.announcement();
    assert_eq!(
        (ann.cid, ann.author.as_str()),
        (record.cid(), f.signer.peer_id())
    );
    let json = serde_json::to_value(h).unwrap();
    assert_eq!(json["author_key"], f.signer.public_key().to_string());
    assert_eq!(json["address"], h.address.to_string());
}

#[test]
fn flipped_header_ciphertext_or_signature_byte_is_a_bad_signature() {
    let f = fixture();
    let bytes = built(&f).into_bytes();
    let hlen = header_len(&bytes);

    let mut header = bytes.clone();
    let at = find(&header, b"text/markdown") + 12;
    header[at] ^= 0x02; // "markdown" -> "markdowl": still a valid content type
    assert_eq!(reason(&header), "bad_signature");

    let mut ciphertext = bytes.clone();
    let last = ciphertext.len() - 1;
    ciphertext[last] ^= 0x01;
    assert_eq!(reason(&ciphertext), "bad_signature");

    let mut signature = bytes.clone();
    signature[HEADER_AT + hlen + 10] ^= 0x80;
    assert_eq!(reason(&signature), "bad_signature");
}

/// Lays out and signs an envelope by hand, as DESIGN and the crate docs specify it, so tests
/// can forge what an attacker could.
fn sign_envelope(header: &[u8], ciphertext: &[u8], signer: &NodeSigner) -> Vec<u8> {
    let mut msg = b"chorus/record/v1/signature\n".to_vec();
    msg.extend_from_slice(header);
    msg.extend_from_slice(&Sha256::digest(ciphertext));
    let mut out = b"CHRD\x01".to_vec();
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(signer.sign(&msg).as_bytes());
    out.extend_from_slice(&(ciphertext.len() as u32).to_be_bytes());
    out.extend_from_slice(ciphertext);
    out
}

fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
    let hlen = header_len(bytes);
    let header = &bytes[HEADER_AT..HEADER_AT + hlen];
    (header, &bytes[HEADER_AT + hlen + 64 + 4..])
}

#[test]
fn hand_signed_envelope_matches_the_documented_format() {
    let f = fixture();
    let record = built(&f);
    let (header, ciphertext) = split(record.as_bytes());
    // ed25519 is deterministic, so following the spec reproduces the bytes exactly.
    assert_eq!(
        sign_envelope(header, ciphertext, &f.signer),
        record.as_bytes()
    );
}

#[test]
fn resigned_with_another_key_claiming_the_author_is_an_author_mismatch() {
    let f = fixture();
    let bytes = built(&f).into_bytes();
    let (header, ciphertext) = split(&bytes);
    let mallory = NodeSigner::from_seed(&[9; 32]);
    let mut header = header.to_vec();
    let key_at = find(&header, &f.signer.public_key().to_bytes());
    header[key_at..key_at + 32].copy_from_slice(&mallory.public_key().to_bytes());
    let forged = sign_envelope(&header, ciphertext, &mallory);
    let err = verify(&forged).unwrap_err();
    assert_eq!(err.reason(), "author_mismatch", "{err}");
    assert!(err.to_string().contains(f.signer.peer_id()), "{err}");
    assert!(err.to_string().contains(mallory.peer_id()), "{err}");
}

#[test]
fn oversized_records_are_rejected_before_anything_else() {
    let f = fixture();
    let bytes = built(&f).into_bytes();
    let tight = Limits {
        max_record_bytes: bytes.len() - 1,
    };
    assert_eq!(
        verify_with(&bytes, &tight).unwrap_err().reason(),
        "too_large"
    );
    verify_with(
        &bytes,
        &Limits {
            max_record_bytes: bytes.len(),
        },
    )
    .unwrap();
    let garbage = vec![0u8; chorus_records::MAX_RECORD_BYTES + 1];
    assert_eq!(reason(&garbage), "too_large");

    let body = vec![7u8; 2048];
    let err = build(&draft(&body), &f.signer, &f.recipients, &tight).unwrap_err();
    assert!(matches!(err, BuildError::TooLarge { .. }), "{err}");
}

#[test]
fn framing_errors_are_malformed_or_unsupported() {
    let f = fixture();
    let bytes = built(&f).into_bytes();
    let mut version = bytes.clone();
    version[4] = 2;
    assert_eq!(reason(&version), "unsupported_version");
    let mut magic = bytes.clone();
    magic[0] = b'X';
    assert_eq!(reason(&magic), "malformed");
    assert_eq!(reason(&bytes[..bytes.len() - 1]), "malformed");
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(reason(&trailing), "malformed");
    assert_eq!(reason(b""), "malformed");
}

#[test]
fn listed_roles_and_admin_decrypt_others_cannot() {
    let f = fixture();
    let record = built(&f);
    for id in [&f.dev, &f.reviewer, &f.admin] {
        assert_eq!(decrypt(&record, std::slice::from_ref(id)).unwrap(), BODY);
    }
    let stranger = RoleIdentity::generate();
    for ids in [vec![f.human.clone()], vec![stranger], vec![]] {
        let err = decrypt(&record, &ids).unwrap_err();
        assert!(matches!(err, DecryptError::NotARecipient { .. }), "{err}");
        assert!(err.to_string().contains("not a recipient"), "{err}");
    }
    // A node holding several roles passes them all.
    let both = [f.human.clone(), f.reviewer.clone()];
    assert_eq!(decrypt(&record, &both).unwrap(), BODY);
}

#[test]
fn admin_is_always_a_recipient() {
    let f = fixture();
    let mut d = draft(BODY);
    d.recipient_roles = vec![];
    let record = build(&d, &f.signer, &f.recipients, &Limits::default()).unwrap();
    assert_eq!(record.header().recipient_roles, [ADMIN_ROLE]);
    assert_eq!(
        decrypt(&record, std::slice::from_ref(&f.admin)).unwrap(),
        BODY
    );
    assert!(decrypt(&record, std::slice::from_ref(&f.dev)).is_err());
}

#[test]
fn build_refuses_roles_without_recipients_and_bad_fields() {
    let f = fixture();
    let mut no_admin = f.recipients.clone();
    no_admin.remove(ADMIN_ROLE);
    let err = build(&draft(BODY), &f.signer, &no_admin, &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, BuildError::NoRecipients { role } if role == "admin"),
        "{err}"
    );

    let mut d = draft(BODY);
    d.recipient_roles.push("ghost".to_owned());
    let err = build(&d, &f.signer, &f.recipients, &Limits::default()).unwrap_err();
    assert!(
        matches!(&err, BuildError::NoRecipients { role } if role == "ghost"),
        "{err}"
    );

    for (field, edit) in [
        (
            "content_type",
            (|d: &mut Draft| d.content_type = "markdown".into()) as fn(&mut Draft),
        ),
        ("task", |d| d.task = Some("has space".into())),
        ("recipient_roles", |d| {
            d.recipient_roles = vec!["Dev".into()]
        }),
        ("parents", |d| d.parents = vec![d.parents[0]; 2]),
    ] {
        let mut d = draft(BODY);
        edit(&mut d);
        let err = build(&d, &f.signer, &f.recipients, &Limits::default()).unwrap_err();
        assert!(
            matches!(&err, BuildError::Invalid { field: got, .. } if *got == field),
            "{err}"
        );
    }
}

#[test]
fn plaintext_never_appears_in_the_envelope() {
    let f = fixture();
    let body: Vec<u8> = b"TOP-SECRET-MARKER-".repeat(500);
    let record = build(&draft(&body), &f.signer, &f.recipients, &Limits::default()).unwrap();
    let bytes = record.as_bytes();
    assert!(bytes.windows(18).all(|w| w != b"TOP-SECRET-MARKER-"));
    assert!(bytes.windows(8).all(|w| w != b"-MARKER-"));
    assert!(!armor(&record).contains("MARKER"));
    assert_eq!(
        decrypt(&record, std::slice::from_ref(&f.dev)).unwrap(),
        body
    );
}

#[test]
fn export_files_verify_and_decrypt_offline() {
    let f = fixture();
    let record = built(&f);
    let dir = tempfile::tempdir().unwrap();
    let armored = dir.path().join("rec.txt");
    let raw = dir.path().join("rec.bin");
    std::fs::write(&armored, armor(&record).replace('\n', "\r\n")).unwrap();
    std::fs::write(&raw, record.as_bytes()).unwrap();
    for path in [&armored, &raw] {
        assert_eq!(
            verify_file(path, &Limits::default()).unwrap().cid(),
            record.cid()
        );
    }
    let (_, identity) = RoleIdentity::generate_file(dir.path(), "reviewer").unwrap();
    let id_path = dir.path().join("reviewer.age");
    let mut r = f.recipients.clone();
    r.insert("reviewer".into(), vec![identity.recipient().clone()]);
    let record = build(&draft(BODY), &f.signer, &r, &Limits::default()).unwrap();
    std::fs::write(&armored, armor(&record)).unwrap();
    let (got, plaintext) = decrypt_file(&armored, &id_path, &Limits::default()).unwrap();
    assert_eq!((got.cid(), plaintext.as_slice()), (record.cid(), BODY));

    std::fs::set_permissions(&id_path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let err = decrypt_file(&armored, &id_path, &Limits::default()).unwrap_err();
    assert!(matches!(err, FileError::Identity(_)), "{err}");
    assert!(err.to_string().contains("0640"), "{err}");

    let text = armor(&record).replace("CHORUS RECORD", "PGP MESSAGE");
    assert_eq!(
        verify_export(text.as_bytes(), &Limits::default())
            .unwrap_err()
            .reason(),
        "malformed"
    );
    let mut tampered = armor(&record).into_bytes();
    let at = tampered.len() / 2;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    assert!(verify_export(&tampered, &Limits::default()).is_err());
    std::fs::write(&armored, b"nonsense").unwrap();
    let err = verify_file(&armored, &Limits::default()).unwrap_err();
    assert!(matches!(err, FileError::Rejected { .. }), "{err}");
}

#[test]
fn rejection_reasons_are_stable_labels() {
    assert_eq!(
        chorus_records::Rejection::REASONS,
        [
            "too_large",
            "unsupported_version",
            "malformed",
            "bad_signature",
            "author_mismatch"
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = verify(&bytes);
        let _ = verify_export(&bytes, &Limits::default());
        let mut framed = b"CHRD\x01".to_vec();
        framed.extend_from_slice(&bytes);
        prop_assert!(verify(&framed).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_single_byte_change_is_rejected(seed in any::<usize>(), xor in 1u8..=255) {
        static RECORD: std::sync::OnceLock<(Vec<u8>, RoleIdentity)> = std::sync::OnceLock::new();
        let (bytes, admin) = RECORD.get_or_init(|| {
            let f = fixture();
            (built(&f).into_bytes(), f.admin.clone())
        });
        let mut bytes = bytes.clone();
        let at = seed % bytes.len();
        bytes[at] ^= xor;
        match verify(&bytes) {
            Err(_) => {}
            Ok(record) => {
                // Unreachable if the format is sound; decrypting must still not panic.
                let _ = decrypt(&record, std::slice::from_ref(admin));
                prop_assert!(false, "changed byte {} verified", at);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A validly signed record may still carry garbage instead of an age body: decrypting it is
    /// an error, never a panic.
    #[test]
    fn signed_garbage_ciphertext_fails_to_decrypt_cleanly(
        tail in prop::collection::vec(any::<u8>(), 0..512),
        keep in 0usize..400,
    ) {
        static BASE: std::sync::OnceLock<(Vec<u8>, NodeSigner, RoleIdentity)> =
            std::sync::OnceLock::new();
        let (bytes, signer, admin) = BASE.get_or_init(|| {
            let f = fixture();
            (built(&f).into_bytes(), NodeSigner::from_seed(&[42; 32]), f.admin.clone())
        });
        let (header, ciphertext) = split(bytes);
        let mut garbage = ciphertext[..keep.clamp(22, ciphertext.len())].to_vec();
        garbage.extend_from_slice(&tail);
        let record = verify(&sign_envelope(header, &garbage, signer)).unwrap();
        prop_assert!(decrypt(&record, std::slice::from_ref(admin)).is_err());
    }
}
