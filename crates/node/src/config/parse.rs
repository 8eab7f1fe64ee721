//! Parsing settings: each value is parsed once, whatever layer it came from, and a bad one is
//! recorded (naming the setting as the user wrote it) while parsing goes on, so every problem is
//! reported together.

use std::time::Duration;

use chorus_p2p::Multiaddr;

use super::layers::{Layers, SettingError, setting_name};
use crate::settings::by_key;

pub(crate) struct Parser<'a> {
    pub(crate) layers: &'a Layers,
    pub(crate) errors: Vec<SettingError>,
}

impl Parser<'_> {
    /// The setting parsed with `f`, or `default` when unset (or bad, after recording why).
    pub(crate) fn parse<T>(
        &mut self,
        key: &'static str,
        default: T,
        f: impl Fn(&str) -> Result<T, String>,
    ) -> T {
        debug_assert!(
            by_key(key).is_some(),
            "setting {key} is missing from the settings table"
        );
        let Some((raw, source)) = self.layers.get(key) else {
            return default;
        };
        match f(raw.trim()) {
            Ok(v) => v,
            Err(expected) => {
                self.errors.push(SettingError {
                    setting: setting_name(key, source),
                    value: raw.clone(),
                    expected,
                });
                default
            }
        }
    }

    /// The raw value of a setting, trimmed, when set and not empty.
    pub(crate) fn raw(&self, key: &'static str) -> Option<String> {
        self.layers
            .get(key)
            .map(|(v, _)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

pub(crate) fn parse_port(s: &str) -> Result<u16, String> {
    s.parse::<u16>()
        .map_err(|_| "a port number from 0 to 65535 (0 picks a free port)".to_string())
}

pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err("true or false".into()),
    }
}

pub(crate) fn parse_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !s.starts_with('.');
    if ok {
        Ok(s.to_string())
    } else {
        Err("1 to 64 characters of letters, digits, '-', '_' and '.', not starting with '.'".into())
    }
}

pub(crate) fn parse_list<T>(
    s: &str,
    item: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(item)
        .collect()
}

pub(crate) fn parse_multiaddr(s: &str) -> Result<Multiaddr, String> {
    s.parse::<Multiaddr>()
        .map_err(|_| format!("multiaddrs like /ip4/10.0.0.5/tcp/9000 (bad item {s:?})"))
}

/// Parses a duration like `1500ms`, `30s`, `5m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let expected = || "a duration like 1500ms, 30s or 5m".to_string();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(expected)?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| expected())?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(expected()),
    }
}
