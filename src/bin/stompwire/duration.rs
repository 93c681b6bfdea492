//! The one duration syntax of every time option: humantime's (`250ms`, `5s`, `2m`,
//! `1h 30m`). A bare number is refused with a hint, since the options once took different
//! units; `0` alone is accepted (it means the same in every unit).

use std::time::Duration;

/// Parses a duration option value.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        if t.bytes().all(|b| b == b'0' || b == b'.') {
            return Ok(Duration::ZERO);
        }
        return Err(format!(
            "a duration needs a unit: write {t}s for seconds or {t}ms for milliseconds"
        ));
    }
    humantime::parse_duration(t).map_err(|e| format!("{e} (write e.g. 250ms, 5s, 2m)"))
}

/// Parses `OUT,IN` heart-beat durations.
pub fn parse_heartbeat(s: &str) -> Result<(Duration, Duration), String> {
    let (out, inc) = s
        .split_once(',')
        .ok_or_else(|| "expected OUT,IN, e.g. 5s,5s (0,0 = none)".to_owned())?;
    Ok((parse_duration(out)?, parse_duration(inc)?))
}

/// Whole milliseconds, saturating at `u32::MAX` (what heart-beat headers carry).
pub fn millis_u32(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_required_except_for_zero() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        let err = parse_duration("8").unwrap_err();
        assert!(err.contains("8s") && err.contains("8ms"), "{err}");
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn heartbeats_are_two_durations() {
        assert_eq!(
            parse_heartbeat("1s,0"),
            Ok((Duration::from_secs(1), Duration::ZERO))
        );
        assert!(parse_heartbeat("1000").is_err());
    }
}
