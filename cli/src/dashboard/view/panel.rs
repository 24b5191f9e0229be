//! The bordered panel every screen is built from; the focused one stands out.

use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders};

use super::theme::Theme;

/// A panel titled `title`; its border is highlighted (and thick) when `focused`.
pub fn panel<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    let (style, kind) = if focused {
        (theme.border_focus, BorderType::Thick)
    } else {
        (theme.border, BorderType::Rounded)
    };
    Block::new()
        .borders(Borders::ALL)
        .border_type(kind)
        .border_style(style)
        .title(title)
}
