//! A failed assertion's `left` and `right` as an inline diff: what only the left side
//! has in bold red on the left line, what only the right side has in bold green on the
//! right line, what both share plain.

use std::time::Duration;

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use similar::{ChangeTag, TextDiffConfig};

use super::theme::Theme;

/// Below this similarity a character diff is confetti; whole words read better.
const CHAR_DIFF_MIN_RATIO: f32 = 0.5;

/// A pathological pair must not stall a frame: the diff gives up and coarsens.
const DIFF_TIMEOUT: Duration = Duration::from_millis(5);

/// The `left:` and `right:` lines, changed parts emphasised.
pub fn sides(left: &str, right: &str, theme: &Theme) -> [Line<'static>; 2] {
    let mut config = TextDiffConfig::default();
    config.timeout(DIFF_TIMEOUT);
    let chars = config.diff_chars(left, right);
    let words;
    let diff = if chars.ratio() >= CHAR_DIFF_MIN_RATIO {
        &chars
    } else {
        words = config.diff_words(left, right);
        &words
    };
    let mut old = vec![Span::styled(" left: ", theme.bad)];
    let mut new = vec![Span::styled("right: ", theme.good)];
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut old, text, theme.text);
                push(&mut new, text, theme.text);
            }
            ChangeTag::Delete => push(&mut old, text, theme.removed),
            ChangeTag::Insert => push(&mut new, text, theme.added),
        }
    }
    [Line::from(old), Line::from(new)]
}

/// Appends `text` in `style`, joined to the last span when it has the same style (a
/// character diff would otherwise make a span per character).
fn push(spans: &mut Vec<Span<'static>>, text: &str, style: Style) {
    // The first span is the `left: ` label, never joined.
    let joinable = spans.len() > 1;
    match spans.last_mut() {
        Some(last) if joinable && last.style == style => {
            last.content.to_mut().push_str(text);
        }
        _ => spans.push(Span::styled(text.to_owned(), style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styled(line: &Line<'_>, style: Style) -> String {
        line.spans
            .iter()
            .skip(1)
            .filter(|span| span.style == style)
            .map(|span| span.content.as_ref())
            .collect()
    }

    #[test]
    fn only_the_differing_characters_are_emphasised() {
        let theme = Theme::new(false);
        let [left, right] = sides("Money(240)", "Money(250)", &theme);
        assert_eq!(styled(&left, theme.removed), "4");
        assert_eq!(styled(&right, theme.added), "5");
        assert_eq!(styled(&left, theme.text), "Money(20)");
    }

    #[test]
    fn very_different_sides_are_compared_word_by_word() {
        let theme = Theme::new(false);
        let [left, right] = sides("active", "canceled", &theme);
        assert_eq!(styled(&left, theme.removed), "active");
        assert_eq!(styled(&right, theme.added), "canceled");
    }
}
