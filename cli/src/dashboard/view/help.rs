//! The help overlay: every row of the key table in a centred popup.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::dashboard::keys::KEYS;

use super::panel::panel;
use super::theme::Theme;

/// Columns of the keys column.
const KEYS_WIDTH: usize = 13;

/// Draws the overlay centred in `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let widest = KEYS
        .iter()
        .map(|k| k.what.chars().count())
        .max()
        .unwrap_or(0);
    let width = u16::try_from(widest + KEYS_WIDTH + 5).unwrap_or(u16::MAX);
    let height = u16::try_from(KEYS.len() + 2).unwrap_or(u16::MAX);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(popup);
    let lines: Vec<Line<'_>> = KEYS
        .iter()
        .map(|key| {
            Line::from(vec![
                Span::styled(format!(" {:<KEYS_WIDTH$} ", key.keys), theme.accent),
                Span::raw(key.what),
            ])
        })
        .collect();
    let block = panel(" Keys — Esc closes ", true, theme);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
