//! Log output: human text or one JSON object per line.

use std::{fmt, str::FromStr};

use tracing_subscriber::{EnvFilter, fmt as tfmt, prelude::*};

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Human-readable text (the default).
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// A log format name that is neither `text` nor `json`.
#[derive(Debug, thiserror::Error)]
#[error("{value:?}: expected `text` or `json`")]
pub struct LogFormatError {
    /// The rejected value.
    pub value: String,
}

impl FromStr for LogFormat {
    type Err = LogFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(LogFormatError {
                value: s.to_string(),
            }),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "text",
            Self::Json => "json",
        })
    }
}

/// Installs the global tracing subscriber writing to standard error.
///
/// `filter` uses the `EnvFilter` syntax (`info`, `chorus_p2p=debug,warn`). Only binaries and the
/// test kit call this; libraries only emit. Calling it twice is harmless (the second call is
/// ignored), which lets tests share one process.
pub fn init_tracing(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Text => registry
            .with(tfmt::layer().with_writer(std::io::stderr).with_target(true))
            .try_init(),
        LogFormat::Json => registry
            .with(
                tfmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_current_span(false),
            )
            .try_init(),
    };
    // An error only means a subscriber is already installed.
    let _ = result;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_formats_and_names_the_bad_one() {
        assert_eq!("JSON".parse::<LogFormat>().unwrap(), LogFormat::Json);
        assert_eq!("text".parse::<LogFormat>().unwrap(), LogFormat::Text);
        let err = "yaml".parse::<LogFormat>().unwrap_err();
        assert!(err.to_string().contains("\"yaml\""), "{err}");
    }
}
