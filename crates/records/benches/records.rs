//! Record throughput against Debian's `age` command, side by side in one run.
//!
//! Run: `cargo bench -p chorus-records --bench records`
//!
//! For 1 KiB and 1 MiB bodies with 3 recipient roles plus admin (one recipient each), measures
//! build (validate + encrypt + sign + encode) and verify + decrypt, then `age` encrypting the
//! same body to the same 4 recipients and decrypting it with one identity file. The `age` figures
//! include starting a process per operation, which is what a shell pipeline pays; the startup
//! cost alone (`age --version`) is printed so it can be set aside. Each figure is the mean of
//! the fastest of 5 batches.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chorus_crypto::{NodeSigner, RoleIdentity};
use chorus_records::{Draft, Limits, RoleRecipients, build, decrypt, verify};

const ROLES: [&str; 3] = ["developer", "reviewer", "human"];
const BUDGET: Duration = Duration::from_secs(3);
const BATCHES: u32 = 5;

/// Mean time per call of `f`, from the fastest of `BATCHES` batches. Each batch runs `f` at
/// least `min` times and until its share of `BUDGET` has passed (at most `max` times). Taking the
/// best batch keeps the figure steady when other processes share the cores.
fn measure(min: u32, max: u32, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            let mut n = 0;
            while n < min || (start.elapsed() < BUDGET / BATCHES && n < max) {
                f();
                n += 1;
            }
            start.elapsed() / n
        })
        .min()
        .unwrap_or_default()
}

fn body(len: usize) -> Vec<u8> {
    // Deterministic, incompressible enough: xorshift64.
    let mut x = 0x9E37_79B9_7F4A_7C15_u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn run(cmd: &mut Command) {
    let status = cmd.stdout(Stdio::null()).status().unwrap();
    assert!(status.success(), "{cmd:?} failed");
}

fn age_installed() -> bool {
    Command::new("age")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn fmt(d: Duration, len: usize) -> String {
    let secs = d.as_secs_f64();
    format!(
        "{:>10.1} µs/op {:>9.1} MiB/s",
        secs * 1e6,
        len as f64 / secs / (1 << 20) as f64
    )
}

fn main() {
    let signer = NodeSigner::from_seed(&[1; 32]);
    let dir = tempfile::tempdir().unwrap();
    let mut recipients = RoleRecipients::new();
    let mut identities = Vec::new();
    for role in ROLES.iter().chain(&["admin"]) {
        let (path, id) = RoleIdentity::generate_file(dir.path(), role).unwrap();
        recipients.insert(role.to_string(), vec![id.recipient().clone()]);
        identities.push((path, id));
    }
    let (dev_path, dev) = &identities[0];
    let limits = Limits::default();
    let have_age = age_installed();
    println!("chorus-records vs age CLI: 3 recipient roles + admin, one recipient each");
    if !have_age {
        println!("`age` is NOT installed: only chorus figures are shown (apt-get install -y age)");
    } else {
        let spawn = measure(20, 500, || run(Command::new("age").arg("--version")));
        println!(
            "age process startup alone (age --version): {:.1} µs",
            spawn.as_secs_f64() * 1e6
        );
    }
    println!();
    for (label, len) in [("1 KiB", 1 << 10), ("1 MiB", 1 << 20)] {
        let body = body(len);
        let draft = Draft {
            address: "ucxl://bench:developer@chorus:bench/*1/results/out.bin"
                .parse()
                .unwrap(),
            created_at_ms: 1,
            task: None,
            fencing: None,
            parents: vec![],
            recipient_roles: ROLES.iter().map(|r| r.to_string()).collect(),
            content_type: "application/octet-stream".to_owned(),
            body: &body,
        };
        let record = build(&draft, &signer, &recipients, &limits).unwrap();
        let bytes = record.as_bytes().to_vec();
        let ours_build = measure(3, 100_000, || {
            std::hint::black_box(build(&draft, &signer, &recipients, &limits).unwrap());
        });
        let ours_open = measure(3, 100_000, || {
            let r = verify(&bytes).unwrap();
            std::hint::black_box(decrypt(&r, std::slice::from_ref(dev)).unwrap());
        });
        println!("{label} body ({} byte record)", bytes.len());
        println!("  chorus build+sign+encrypt   {}", fmt(ours_build, len));
        println!("  chorus verify+decrypt       {}", fmt(ours_open, len));
        if have_age {
            compare_with_age(
                dir.path(),
                &body,
                &record,
                &recipients,
                dev_path,
                ours_build,
                ours_open,
            );
        }
        println!();
    }
}

fn compare_with_age(
    dir: &Path,
    body: &[u8],
    record: &chorus_records::VerifiedRecord,
    recipients: &RoleRecipients,
    identity: &Path,
    ours_build: Duration,
    ours_open: Duration,
) {
    let plain = dir.join("body");
    let sealed = dir.join("body.age");
    let opened = dir.join("body.out");
    std::fs::write(&plain, body).unwrap();
    let mut encrypt = Command::new("age");
    for r in recipients.values().flatten() {
        encrypt.arg("-r").arg(r.to_string());
    }
    encrypt.arg("-o").arg(&sealed).arg(&plain);
    let mut decrypt = Command::new("age");
    decrypt
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg("-o")
        .arg(&opened)
        .arg(&sealed);

    let age_enc = measure(3, 2_000, || run(&mut encrypt));
    let age_dec = measure(3, 2_000, || run(&mut decrypt));
    assert_eq!(std::fs::read(&opened).unwrap(), body, "age round trip");
    // Interoperability: the age CLI opens the ciphertext inside a chorus record.
    std::fs::write(&sealed, record.ciphertext()).unwrap();
    run(&mut decrypt);
    let interop = std::fs::read(&opened).unwrap() == body;

    let len = body.len();
    println!("  age CLI encrypt             {}", fmt(age_enc, len));
    println!("  age CLI decrypt             {}", fmt(age_dec, len));
    println!(
        "  ratio age/chorus: encrypt {:.2}x, decrypt {:.2}x (above 1: chorus faster)",
        age_enc.as_secs_f64() / ours_build.as_secs_f64(),
        age_dec.as_secs_f64() / ours_open.as_secs_f64()
    );
    println!(
        "  age CLI decrypts the record's ciphertext: {}",
        if interop { "yes" } else { "NO" }
    );
}
