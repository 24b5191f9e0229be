//! The footer: the latest notice in its tone, then the most used keys from the key
//! table (so the footer never names a key that does not work).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::dashboard::keys::KEYS;
use crate::dashboard::model::Dashboard;

use super::text::trim_right;
use super::theme::Theme;

/// Rows the footer takes.
pub const HEIGHT: u16 = 2;

/// Draws the notice row and the keys row into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let [notice_area, keys_area] = Layout::vertical([Constraint::Length(1); 2]).areas(area);
    if let Some(notice) = &state.notice {
        let width = usize::from(notice_area.width).saturating_sub(2);
        let text = trim_right(&notice.text, width);
        let line = Line::from(vec![
            Span::raw(" "),
            Span::styled(text.into_owned(), theme.tone(notice.tone)),
        ]);
        frame.render_widget(line, notice_area);
    }
    frame.render_widget(key_hints(theme), keys_area);
}

/// `r run  c category  …`: the footer entries of [`KEYS`], key then label.
pub fn key_hints(theme: &Theme) -> Line<'static> {
    // Exactly 80 columns with these entries: no margin to spare.
    let mut spans = Vec::new();
    for entry in KEYS {
        let Some(label) = entry.footer else {
            continue;
        };
        let key = entry.keys.split_whitespace().next().unwrap_or(entry.keys);
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(key, theme.accent));
        spans.push(Span::styled(format!(" {label}"), theme.dim));
    }
    Line::from(spans)
}
