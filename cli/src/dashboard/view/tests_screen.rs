//! The tests screen: categories above failures on the left, the selected failure's
//! detail on the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::dashboard::model::Dashboard;

use super::theme::Theme;
use super::{categories, detail, failures};

/// The left column's share of the width, and the fewest columns it gets.
const LEFT_PERCENT: u16 = 45;
const LEFT_MIN: u16 = 40;

/// Draws the screen into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let left_width = (area.width * LEFT_PERCENT / 100)
        .max(LEFT_MIN)
        .min(area.width);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(area);
    let [top, bottom] = Layout::vertical([
        Constraint::Length(categories::height(state)),
        Constraint::Fill(1),
    ])
    .areas(left);
    categories::draw(frame, top, state, theme);
    failures::draw(frame, bottom, state, theme);
    detail::draw(frame, right, state, theme);
}
