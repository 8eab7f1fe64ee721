//! Layers suite: the crate graph that `cargo metadata` reports matches the layer table in
//! `docs/architecture.md` (every crate listed once, every dependency pointing to a lower layer),
//! and the `chorus` CLI links none of the daemon's heavy machinery.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    process::Command,
};

use serde_json::Value;

/// Crates the CLI must not link (normal dependencies, transitively): the mesh, Raft, storage,
/// search and HTTP server the daemon is made of.
const NOT_IN_CLI: &[&str] = &[
    "libp2p",
    "libp2p-swarm",
    "openraft",
    "sled",
    "tantivy",
    "axum",
];

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
}

/// `cargo metadata` for this host, from the lock file and the local cache.
fn metadata() -> anyhow::Result<Value> {
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output()?.stdout)?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or_else(|| anyhow::anyhow!("rustc -vV printed no host"))?;
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", &host])
        .current_dir(workspace())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// The layer table of docs/architecture.md: crate (package) name to layer number. A table
/// name `x` is the package `chorus-x` when there is one, else `x`.
fn layers(packages: &BTreeSet<String>) -> anyhow::Result<BTreeMap<String, usize>> {
    let doc = std::fs::read_to_string(workspace().join("docs/architecture.md"))?;
    let table = doc
        .split("## Crates and their direction")
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("docs/architecture.md has no crate layer section"))?;
    let mut out = BTreeMap::new();
    for row in table.lines().filter(|l| l.starts_with("| ")) {
        let mut cells = row.split('|').map(str::trim).filter(|c| !c.is_empty());
        let (Some(layer), Some(crates)) = (cells.next(), cells.next()) else {
            continue;
        };
        let Some(n) = layer
            .split(' ')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        // Crate names are the backticked words before any parenthesis of explanation.
        let mut depth = 0;
        let mut names = Vec::new();
        let mut word = None::<String>;
        for ch in crates.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                '`' if depth == 0 => match word.take() {
                    Some(w) => names.push(w),
                    None => word = Some(String::new()),
                },
                c => {
                    if let Some(w) = word.as_mut() {
                        w.push(c);
                    }
                }
            }
        }
        for name in names {
            let prefixed = format!("chorus-{name}");
            let package = if packages.contains(&prefixed) {
                prefixed
            } else {
                name
            };
            anyhow::ensure!(
                out.insert(package.clone(), n).is_none(),
                "{package} is listed twice in the layer table"
            );
        }
    }
    Ok(out)
}

#[test]
fn every_crate_depends_only_on_lower_layers_and_the_cli_links_no_daemon() -> anyhow::Result<()> {
    let meta = metadata()?;
    let members: BTreeSet<String> = meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let packages: Vec<&Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(id)))
        .collect();
    let names: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    let layer = layers(&names)?;

    let unlisted: Vec<&String> = names.iter().filter(|n| !layer.contains_key(*n)).collect();
    assert!(
        unlisted.is_empty(),
        "docs/architecture.md's layer table does not list {unlisted:?}"
    );
    let stale: Vec<&String> = layer.keys().filter(|n| !names.contains(*n)).collect();
    assert!(
        stale.is_empty(),
        "docs/architecture.md's layer table lists {stale:?}, which are not workspace crates"
    );

    let mut upward = Vec::new();
    for p in &packages {
        let name = p["name"].as_str().unwrap_or_default();
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let dep = d["name"].as_str().unwrap_or_default();
            if let (Some(from), Some(to)) = (layer.get(name), layer.get(dep))
                && to >= from
            {
                let kind = d["kind"].as_str().unwrap_or("normal");
                upward.push(format!(
                    "{name} (layer {from}) -> {dep} (layer {to}, {kind})"
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "dependencies that do not point to a lower layer (docs/architecture.md):\n{}",
        upward.join("\n")
    );

    // The CLI's normal dependency tree, from the resolved graph.
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let id_name: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let cli = packages
        .iter()
        .find(|p| p["name"] == "chorus")
        .and_then(|p| p["id"].as_str())
        .ok_or_else(|| anyhow::anyhow!("no chorus package"))?;
    let mut seen = BTreeSet::new();
    let mut stack = vec![cli];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for d in nodes
            .get(id)
            .and_then(|n| n["deps"].as_array())
            .into_iter()
            .flatten()
        {
            let normal = d["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal && let Some(pkg) = d["pkg"].as_str() {
                stack.push(pkg);
            }
        }
    }
    let linked: BTreeSet<&str> = seen
        .iter()
        .filter_map(|id| id_name.get(id).copied())
        .collect();
    let found: Vec<&&str> = NOT_IN_CLI.iter().filter(|n| linked.contains(**n)).collect();
    assert!(
        found.is_empty(),
        "the chorus CLI links {found:?} (cargo tree -p chorus -e normal -i <crate> shows why)"
    );
    assert!(linked.contains("chorus-client"), "{linked:?}");
    Ok(())
}
