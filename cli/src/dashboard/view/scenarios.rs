//! The scenarios screen: the incident write-ups.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::dashboard::model::Dashboard;

use super::panel::panel;
use super::theme::Theme;

/// Draws the screen into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, _state: &Dashboard, theme: &Theme) {
    frame.render_widget(panel(" Scenarios ", true, theme), area);
}
