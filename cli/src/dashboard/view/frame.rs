//! The whole frame: header, the active screen, footer, and the help overlay on top —
//! or, on a terminal smaller than the layout needs, a message saying so.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::dashboard::model::{Dashboard, Screen};

use super::theme::Theme;
use super::{footer, header, help, reward, scenarios, tests_screen};

/// The smallest terminal the layout is made for.
pub const MIN_WIDTH: u16 = 80;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole dashboard for `state` into `frame`. Reads the state only: no IO.
pub fn draw(frame: &mut Frame<'_>, state: &Dashboard) {
    let theme = Theme::new(state.no_color);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, &theme);
        return;
    }
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(header::HEIGHT),
        Constraint::Fill(1),
        Constraint::Length(footer::HEIGHT),
    ])
    .areas(area);
    header::draw(frame, top, state, &theme);
    match state.screen {
        Screen::Tests => tests_screen::draw(frame, body, state, &theme),
        Screen::Scenarios => scenarios::draw(frame, body, state, &theme),
        Screen::Reward => reward::draw(frame, body, state, &theme),
    }
    footer::draw(frame, bottom, state, &theme);
    if state.help {
        help::draw(frame, area, &theme);
    }
}

fn too_small(frame: &mut Frame<'_>, theme: &Theme) {
    let area = frame.area();
    let text = format!(
        "terminal too small: {MIN_WIDTH}×{MIN_HEIGHT} needed, this is {}×{}",
        area.width, area.height
    );
    let [middle] = Layout::vertical([Constraint::Length(3)])
        .flex(Flex::Center)
        .areas(area);
    let paragraph = Paragraph::new(vec![
        Line::styled(text, theme.bad),
        Line::styled("enlarge the window, or q to quit", theme.dim),
    ])
    .centered()
    .wrap(Wrap { trim: true });
    frame.render_widget(paragraph, middle);
}
