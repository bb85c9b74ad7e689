//! Timestamps are stored as fixed-width RFC 3339 UTC text so they sort correctly as text on
//! both backends.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

use crate::StoreError;

/// The current time at the precision we store (microseconds), so a value read back equals
/// the value written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatted_times_sort_like_the_times_and_round_trip() {
        let a = now();
        let b = a + chrono::Duration::microseconds(1);
        assert!(format_time(a) < format_time(b));
        assert_eq!(parse_time(&format_time(a)).ok(), Some(a));
    }

    #[test]
    fn garbage_is_reported_as_corrupt() {
        assert!(matches!(
            parse_time("yesterday"),
            Err(StoreError::Corrupt(_))
        ));
    }
}
