use std::collections::{BTreeMap, BTreeSet};

use chorus_node::settings::{SETTINGS, Setting};

use super::*;

/// The long flags `chorus-agent` accepts, without `--config`, `--help` and `--version`.
fn flags() -> BTreeSet<String> {
    command()
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|l| !["config", "help", "version"].contains(l))
        .map(|l| format!("--{l}"))
        .collect()
}

#[test]
fn every_setting_with_a_flag_is_a_flag_and_there_are_no_others() {
    let table: BTreeSet<String> = SETTINGS
        .iter()
        .filter_map(|s| s.flag.map(str::to_string))
        .collect();
    assert_eq!(flags(), table);
    for a in command().get_arguments() {
        assert!(
            a.get_help().is_some_and(|h| !h.to_string().is_empty()),
            "--{:?} has no help",
            a.get_long()
        );
    }
}

#[test]
fn flags_become_overrides_and_an_unknown_flag_is_refused() {
    let m = command()
        .try_get_matches_from([
            "chorus-agent",
            "--p2p-port",
            "0",
            "--no-mdns",
            "--role",
            "portal",
        ])
        .unwrap();
    let o = overrides(&m);
    assert!(o.contains(&("p2p_port", "0".to_string())), "{o:?}");
    assert!(o.contains(&("mdns", "false".to_string())), "{o:?}");
    assert!(o.contains(&("role", "portal".to_string())), "{o:?}");
    assert_eq!(o.len(), 3, "{o:?}");
    let e = command()
        .try_get_matches_from(["chorus-agent", "--p2p-prot", "0"])
        .unwrap_err();
    assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
}

/// One row of the settings table in docs/configuration.md.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    env: String,
    flag: Option<String>,
    default: String,
}

fn docs_rows() -> BTreeMap<String, Row> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/configuration.md"
    ))
    .expect("docs/configuration.md exists");
    let header = "| file key | environment | flag | default | meaning |";
    let start = doc.find(header).expect("the settings table's header");
    doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
            let flag = (!cells[3].is_empty()).then(|| cells[3].to_string());
            let default = match cells[4] {
                "none" => "-".to_string(),
                d => d.to_string(),
            };
            (
                cells[1].to_string(),
                Row {
                    env: cells[2].to_string(),
                    flag,
                    default,
                },
            )
        })
        .collect()
}

fn table_row(s: &Setting) -> Row {
    Row {
        env: s.env.to_string(),
        flag: s.flag.map(str::to_string),
        default: s.default.to_string(),
    }
}

/// The flags, the settings table and docs/configuration.md agree: the same settings, each with
/// the same variable, flag and default.
#[test]
fn the_docs_list_the_same_settings_variables_flags_and_defaults() {
    let docs = docs_rows();
    let table: BTreeMap<String, Row> = SETTINGS
        .iter()
        .map(|s| (s.key.to_string(), table_row(s)))
        .collect();
    let only_docs: Vec<&String> = docs.keys().filter(|k| !table.contains_key(*k)).collect();
    let only_table: Vec<&String> = table.keys().filter(|k| !docs.contains_key(*k)).collect();
    assert!(
        only_docs.is_empty() && only_table.is_empty(),
        "docs/configuration.md lists {only_docs:?} the table lacks; the table has {only_table:?} the docs lack"
    );
    for (key, row) in &table {
        assert_eq!(
            &docs[key], row,
            "docs/configuration.md's row for {key} disagrees with the settings table"
        );
    }
    let documented_flags: BTreeSet<String> = docs.values().filter_map(|r| r.flag.clone()).collect();
    assert_eq!(documented_flags, flags());
}
