//! The layers of configuration (defaults < file < environment < flags), each reduced to strings
//! keyed by setting, with where every value came from, and the errors that name it.

use std::{
    collections::{BTreeMap, HashMap},
    fmt,
    path::{Path, PathBuf},
};

use crate::settings::{SETTINGS, by_key};

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The built-in default.
    Default,
    /// The configuration file.
    File(PathBuf),
    /// An environment variable.
    Env,
    /// A command-line flag.
    Flag,
}

/// One bad setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// How the user named it: `CHORUS_P2P_PORT`, `--p2p-port`, `p2p_port in /etc/chorus.toml`.
    pub setting: String,
    /// The value given (secrets are never echoed: these settings hold file paths).
    pub value: String,
    /// What was expected.
    pub expected: String,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}: {}", self.setting, self.value, self.expected)
    }
}

/// Every bad setting found, one per line when displayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError(pub Vec<SettingError>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "configuration error: {e}")?;
        }
        Ok(())
    }
}

/// Raw string values with where each came from.
#[derive(Debug, Default, Clone)]
pub struct Layers {
    values: BTreeMap<&'static str, (String, Source)>,
    pub(crate) errors: Vec<SettingError>,
}

impl Layers {
    /// Collects the layers: the file (`--config` or `CHORUS_CONFIG`), then the environment,
    /// then flags given as `(key, value)` pairs using the file keys of the settings table.
    pub fn collect(
        env: &HashMap<String, String>,
        config_file: Option<&Path>,
        flags: &[(&str, String)],
    ) -> Self {
        let mut layers = Layers::default();
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| env.get("CHORUS_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            layers.read_file(&path);
        }
        for s in SETTINGS {
            if let Some(v) = env.get(s.env) {
                layers.values.insert(s.key, (v.clone(), Source::Env));
            }
        }
        for (key, value) in flags {
            match by_key(key) {
                Some(s) => {
                    layers.values.insert(s.key, (value.clone(), Source::Flag));
                }
                None => layers.errors.push(SettingError {
                    setting: (*key).to_string(),
                    value: value.clone(),
                    expected: "a known setting".into(),
                }),
            }
        }
        layers
    }

    fn read_file(&mut self, path: &Path) {
        let setting = "--config / CHORUS_CONFIG".to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(SettingError {
                    setting,
                    value: path.display().to_string(),
                    expected: format!("a readable TOML file ({e})"),
                });
                return;
            }
        };
        let table: toml::Table = match text.parse() {
            Ok(t) => t,
            Err(e) => {
                let msg = e.to_string().replace('\n', " ");
                self.errors.push(SettingError {
                    setting,
                    value: path.display().to_string(),
                    expected: format!("valid TOML ({})", msg.trim()),
                });
                return;
            }
        };
        for (k, v) in table {
            let Some(s) = by_key(&k) else {
                self.errors.push(SettingError {
                    setting: format!("{k} in {}", path.display()),
                    value: v.to_string(),
                    expected: "a known setting (see docs/configuration.md)".into(),
                });
                continue;
            };
            let value = match v {
                toml::Value::String(s) => s,
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            self.values
                .insert(s.key, (value, Source::File(path.to_path_buf())));
        }
    }

    /// The raw value of a setting and where it came from.
    pub(crate) fn get(&self, key: &'static str) -> Option<&(String, Source)> {
        self.values.get(key)
    }
}

/// How the user named a setting: the variable, the flag or the file key.
pub(crate) fn setting_name(key: &'static str, source: &Source) -> String {
    let s = by_key(key);
    match (source, s) {
        (Source::Env, Some(s)) => s.env.to_string(),
        (Source::Flag, Some(s)) => s.flag.unwrap_or(s.key).to_string(),
        (Source::File(p), _) => format!("{key} in {}", p.display()),
        _ => key.to_string(),
    }
}
