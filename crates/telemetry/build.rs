//! Records the git commit the binary was built from, for `chorus_build_info` and `/status`.
use std::process::Command;

fn main() {
    let sha = std::env::var("CHORUS_BUILD_SHA")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .and_then(|o| String::from_utf8(o.stdout).ok())
                .map(|s| s.trim().to_string())
        });
    println!(
        "cargo:rustc-env=CHORUS_BUILD_SHA={}",
        sha.unwrap_or_else(|| "unknown".into())
    );
    println!("cargo:rerun-if-env-changed=CHORUS_BUILD_SHA");
    // Re-run when HEAD moves so the reported commit stays true.
    for path in ["../../.git/HEAD", "../../.git/refs/heads"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
