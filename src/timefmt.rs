//! Durations and times as people read and type them.

use crate::csms::model::Millis;

/// The wall clock in milliseconds, the unit CSMS uses.
pub fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// Parses `90s`, `15m`, `2h30m`, `7d`, `1w` (units may be combined; a bare
/// number is seconds) into milliseconds.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let t = text.trim();
    let bad = || format!("invalid duration '{text}': use a number with s, m, h, d or w, e.g. 36h or 2d12h");
    let out_of_range = || format!("duration '{text}' is out of range");
    if t.is_empty() {
        return Err(bad());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        // Overflow is an error, never a wrapped (negative) window.
        return t.parse::<i64>().ok().and_then(|secs| secs.checked_mul(1000)).ok_or_else(out_of_range);
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        if digits.is_empty() {
            return Err(bad());
        }
        let n: i64 = digits.parse().map_err(|_| out_of_range())?;
        total = n.checked_mul(unit * 1000).and_then(|v| total.checked_add(v)).ok_or_else(out_of_range)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// Time left as a countdown: `6d 23:59:58`, or `23:59:58` under a day, or
/// `due` once it has passed.
pub fn countdown(remaining_ms: Millis) -> String {
    if remaining_ms <= 0 {
        return "due".to_string();
    }
    let secs = (remaining_ms + 999) / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = format!("{:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    if days > 0 { format!("{days}d {hms}") } else { hms }
}

/// The time zone times are shown in: the machine's (`TZ` chooses another),
/// or a fixed offset, so that a screen reads the same on every machine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Local,
    Fixed(chrono::FixedOffset),
}

impl Zone {
    /// A timestamp in this zone, to the second, with the zone's offset from
    /// UTC (`2027-01-15 16:00:00 +08:00`): a time read elsewhere, or off a
    /// machine in another zone, is not misread.
    pub fn time(self, ms: Millis) -> String {
        self.format(ms, "%Y-%m-%d %H:%M:%S %:z")
    }

    /// A timestamp in this zone without its offset, for a list whose heading
    /// names the zone once (`name`): its columns stay narrow.
    pub fn clock(self, ms: Millis) -> String {
        self.format(ms, "%Y-%m-%d %H:%M:%S")
    }

    /// The zone's offset from UTC at `ms`: `UTC+08:00`.
    pub fn name(self, ms: Millis) -> String {
        self.format(ms, "UTC%:z")
    }

    fn format(self, ms: Millis, format: &str) -> String {
        use chrono::TimeZone;
        let t = match self {
            Zone::Local => chrono::Local.timestamp_millis_opt(ms).single().map(|t| t.format(format).to_string()),
            Zone::Fixed(offset) => offset.timestamp_millis_opt(ms).single().map(|t| t.format(format).to_string()),
        };
        t.unwrap_or_else(|| format!("{ms} ms"))
    }

    /// A short age for the UPDATED column: `5m ago`, `3h ago`, `12d ago`, or
    /// a date in this zone.
    pub fn age(self, now: Millis, then: Millis) -> String {
        let secs = (now - then) / 1000;
        match secs {
            s if s < 0 => self.clock(then),
            s if s < 60 => "just now".to_string(),
            s if s < 3600 => format!("{}m ago", s / 60),
            s if s < 86_400 => format!("{}h ago", s / 3600),
            s if s < DATED_AFTER_SECS => format!("{}d ago", s / 86_400),
            _ => self.clock(then)[..10].to_string(),
        }
    }
}

/// How old a time is before its age reads as its date.
const DATED_AFTER_SECS: i64 = 60 * 86_400;

/// Whether `Zone::age` gives `then` as a date rather than an age.
pub fn age_is_a_date(now: Millis, then: Millis) -> bool {
    (now - then) / 1000 >= DATED_AFTER_SECS
}

/// A timestamp in the local time zone, to the second.
pub fn local_time(ms: Millis) -> String {
    Zone::Local.time(ms)
}

/// `Zone::age` in the local time zone.
pub fn age(now: Millis, then: Millis) -> String {
    Zone::Local.age(now, then)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), 90_000);
        assert_eq!(parse_duration("15m").unwrap(), 900_000);
        assert_eq!(parse_duration("2h30m").unwrap(), 9_000_000);
        assert_eq!(parse_duration("7d").unwrap(), 7 * 86_400_000);
        assert_eq!(parse_duration("1w").unwrap(), 7 * 86_400_000);
        for bad in ["", "h", "3x", "5m3", "-", "-5", "+5", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        for huge in ["9223372036854775807", "9223372036854775807s", "99999999999999999999", "300000000000000w"] {
            assert!(parse_duration(huge).unwrap_err().contains("out of range"), "{huge}");
        }
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(7 * 86_400_000 - 2000), "6d 23:59:58");
        assert_eq!(countdown(86_399_000), "23:59:59");
        assert_eq!(countdown(1), "00:00:01");
        assert_eq!(countdown(0), "due");
        assert_eq!(countdown(-5), "due");
    }

    #[test]
    fn times_say_their_zone() {
        let east = Zone::Fixed(chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        assert_eq!(east.time(1_800_000_000_000), "2027-01-15 16:00:00 +08:00");
        assert_eq!(east.name(1_800_000_000_000), "UTC+08:00");
        let west = Zone::Fixed(chrono::FixedOffset::west_opt(5 * 3600 + 1800).unwrap());
        assert_eq!(west.time(1_800_000_000_000), "2027-01-15 02:30:00 -05:30");
        let utc = Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap());
        assert_eq!(utc.time(1_800_000_000_000), "2027-01-15 08:00:00 +00:00");
    }

    #[test]
    fn ages() {
        assert_eq!(age(1_000_000_000, 1_000_000_000 - 5 * 60_000), "5m ago");
        assert_eq!(age(1_000_000_000, 1_000_000_000 - 3 * 3_600_000), "3h ago");
    }

    #[test]
    fn a_fixed_zone_shows_its_own_wall_clock() {
        let utc = Zone::Fixed(chrono::FixedOffset::east_opt(0).unwrap());
        let tokyo = Zone::Fixed(chrono::FixedOffset::east_opt(9 * 3600).unwrap());
        assert_eq!(utc.clock(1_800_000_000_000), "2027-01-15 08:00:00");
        assert_eq!(tokyo.clock(1_800_000_000_000), "2027-01-15 17:00:00");
        assert_eq!(tokyo.age(1_800_000_000_000, 1_800_000_000_000 - 90 * 86_400_000), "2026-10-17");
    }
}
