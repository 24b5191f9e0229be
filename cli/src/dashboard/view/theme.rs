//! The dashboard's one set of styles, built from the state's `no_color`: with colours
//! off every style keeps only its modifiers (bold, reversed, underline), so selection
//! and emphasis stay visible on a monochrome terminal.

use ratatui::style::{Color, Modifier, Style};

use crate::dashboard::model::Tone;

/// Every style the screens use, by meaning rather than by colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: labels, weights, stale results.
    pub dim: Style,
    /// Titles and the challenge's name.
    pub title: Style,
    /// Keys, the current tier, the spinner.
    pub accent: Style,
    /// Passing, fixed, earned.
    pub good: Style,
    /// Failing, penalties, errors.
    pub bad: Style,
    /// Timeouts, leaks, previews: worth a look, not a failure of the code.
    pub warn: Style,
    /// The selected row.
    pub selected: Style,
    /// A panel's border.
    pub border: Style,
    /// The focused panel's border.
    pub border_focus: Style,
    /// The active tab.
    pub tab_active: Style,
    /// Text a failed assertion's left side has and the right side lacks.
    pub removed: Style,
    /// Text the right side has and the left side lacks.
    pub added: Style,
    /// Headings in the scenarios and the detail.
    pub heading: Style,
    /// Fenced code and inline code.
    pub code: Style,
    /// Quotes.
    pub quote: Style,
}

impl Theme {
    /// The theme, coloured unless `no_color`.
    pub fn new(no_color: bool) -> Self {
        let paint = |fg: Option<Color>, bg: Option<Color>, modifier: Modifier| {
            let style = Style::new().add_modifier(modifier);
            if no_color {
                return style;
            }
            let style = fg.map_or(style, |fg| style.fg(fg));
            bg.map_or(style, |bg| style.bg(bg))
        };
        let none = Modifier::empty();
        Self {
            text: Style::new(),
            dim: paint(Some(Color::DarkGray), None, none),
            title: paint(Some(Color::Cyan), None, Modifier::BOLD),
            accent: paint(Some(Color::Cyan), None, none),
            good: paint(Some(Color::Green), None, none),
            bad: paint(Some(Color::Red), None, none),
            warn: paint(Some(Color::Yellow), None, none),
            selected: if no_color {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
                    .bg(Color::DarkGray)
                    .add_modifier(Modifier::BOLD)
            },
            border: paint(Some(Color::DarkGray), None, none),
            border_focus: paint(Some(Color::Cyan), None, Modifier::BOLD),
            tab_active: paint(Some(Color::Black), Some(Color::Cyan), Modifier::BOLD)
                .add_modifier(if no_color { Modifier::REVERSED } else { none }),
            removed: paint(Some(Color::Red), None, Modifier::BOLD),
            added: paint(Some(Color::Green), None, Modifier::BOLD),
            heading: paint(Some(Color::Yellow), None, Modifier::BOLD),
            code: paint(Some(Color::LightBlue), None, none),
            quote: paint(Some(Color::Gray), None, Modifier::ITALIC),
        }
    }

    /// The style of a notice of `tone`.
    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Info => self.accent,
            Tone::Good => self.good,
            Tone::Bad => self.bad,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_no_style_has_a_foreground_or_background() {
        let theme = Theme::new(true);
        let styles = [
            theme.text,
            theme.dim,
            theme.title,
            theme.accent,
            theme.good,
            theme.bad,
            theme.warn,
            theme.selected,
            theme.border,
            theme.border_focus,
            theme.tab_active,
            theme.removed,
            theme.added,
            theme.heading,
            theme.code,
            theme.quote,
        ];
        for style in styles {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
