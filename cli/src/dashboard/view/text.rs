//! Small text helpers the screens share: fitting a string to a width, durations as a
//! person reads them, the spinner's frame, rates as percentages.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

/// The spinner's frames, one per tenth of a second.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// `text` fitted to `width` columns by dropping its start (`…ice::the_end`): the end of
/// a test path is what tells tests apart. Counts chars, which test names are made of.
pub fn trim_left(text: &str, width: usize) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let skip = count - (width - 1);
    let start = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("…{}", &text[start..]))
}

/// `text` fitted to `width` columns by dropping its end (`the start…`).
pub fn trim_right(text: &str, width: usize) -> Cow<'_, str> {
    if text.chars().count() <= width {
        return Cow::Borrowed(text);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let end = text
        .char_indices()
        .nth(width - 1)
        .map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("{}…", &text[..end]))
}

/// Time from `from` to `to` as `2h 14m` (`3d 4h` past a day, `45s` under a minute).
pub fn elapsed(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let seconds = (to - from).num_seconds().max(0);
    let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// The spinner's frame at `now` (moves every tenth of a second).
pub fn spinner(now: DateTime<Utc>) -> char {
    let tenths = now.timestamp_subsec_millis() / 100;
    let index = (now.timestamp().rem_euclid(10) as u32 * 10 + tenths) as usize % SPINNER.len();
    SPINNER[index]
}

/// A rate (0..=1) as `72.4%`.
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// A bar of `width` cells, `filled` of them full.
pub fn bar(filled: usize, width: usize) -> (String, String) {
    let filled = filled.min(width);
    ("█".repeat(filled), "░".repeat(width - filled))
}

/// How many of `width` cells `part` of `whole` fills (a part above zero fills at
/// least one cell, a part short of the whole leaves at least one empty).
pub fn cells(part: usize, whole: usize, width: usize) -> usize {
    if whole == 0 || width == 0 {
        return 0;
    }
    let exact = (part * width + whole / 2) / whole;
    match part {
        0 => 0,
        p if p >= whole => width,
        _ => exact.clamp(1, width - 1),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn long_names_keep_their_end_behind_an_ellipsis() {
        assert_eq!(trim_left("billing::the_end", 16), "billing::the_end");
        assert_eq!(trim_left("billing::the_end", 8), "…the_end");
        assert_eq!(trim_left("abc", 0), "");
        assert_eq!(trim_right("a long title", 7), "a long…");
    }

    #[test]
    fn elapsed_time_reads_like_a_person_says_it() {
        let start = Utc.with_ymd_and_hms(2026, 11, 3, 14, 0, 0).unwrap();
        let cases = [
            (42, "42s"),
            (14 * 60, "14m"),
            (2 * 3600 + 14 * 60 + 5, "2h 14m"),
            (3 * 86_400 + 4 * 3600, "3d 4h"),
            (-5, "0s"),
        ];
        for (seconds, expected) in cases {
            let now = start + chrono::Duration::seconds(seconds);
            assert_eq!(elapsed(start, now), expected, "{seconds}");
        }
    }

    #[test]
    fn gauge_cells_show_any_progress_and_any_shortfall() {
        assert_eq!(cells(0, 10, 8), 0);
        assert_eq!(cells(1, 500, 8), 1);
        assert_eq!(cells(499, 500, 8), 7);
        assert_eq!(cells(10, 10, 8), 8);
        assert_eq!(cells(5, 10, 8), 4);
        assert_eq!(cells(3, 0, 8), 0);
    }

    #[test]
    fn the_spinner_moves_every_tenth_of_a_second() {
        let start = Utc.with_ymd_and_hms(2026, 11, 3, 14, 0, 0).unwrap();
        let later = start + chrono::Duration::milliseconds(100);
        assert_ne!(spinner(start), spinner(later));
    }
}
