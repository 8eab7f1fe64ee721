//! The flags, built from the settings table so that each setting's flag, help, variable and
//! default are written once.

use std::path::PathBuf;

use chorus_node::settings::SETTINGS;
use clap::{Arg, ArgAction, ArgMatches, Command};

/// The flags: `--config`, and one per setting that has a flag.
pub fn command() -> Command {
    let mut cmd = Command::new("chorus-agent")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Chorus node daemon")
        .after_help(
            "Every flag is also a CHORUS_* variable and a file key: see docs/configuration.md.",
        )
        .arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("TOML configuration file (also CHORUS_CONFIG)"),
        );
    for s in SETTINGS {
        let Some(flag) = s.flag else { continue };
        let help = if s.flag_is_switch() {
            format!(
                "Sets {} to false (default {}): {} [env: {}=false]",
                s.key, s.default, s.doc, s.env
            )
        } else {
            format!("{} [env: {}] [default: {}]", s.doc, s.env, s.default)
        };
        let arg = Arg::new(s.key)
            .long(flag.trim_start_matches("--"))
            .help(help);
        cmd = cmd.arg(if s.flag_is_switch() {
            arg.action(ArgAction::SetTrue)
        } else {
            arg.value_name("VALUE")
        });
    }
    cmd
}

/// The `(file key, value)` pairs the flags set.
pub fn overrides(m: &ArgMatches) -> Vec<(&'static str, String)> {
    SETTINGS
        .iter()
        .filter(|s| s.flag.is_some())
        .filter_map(|s| {
            if s.flag_is_switch() {
                m.get_flag(s.key).then(|| (s.key, "false".to_string()))
            } else {
                m.get_one::<String>(s.key).map(|v| (s.key, v.clone()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
