//! How long one dashboard frame takes to draw: a state with 531 tests and 300 failures
//! (the size issue 6 names), each screen at 120×40 and 80×24, 1000 frames each into a
//! `TestBackend` (drawing plus the terminal's buffer diff; no terminal IO). The
//! selection moves and the clock ticks between frames, so no two frames are alike.
//! Prints mean, median and p95 µs per frame; the target is ≤ 2 ms. On a machine busy
//! with other work the p95 measures the scheduler more than the drawing: the median
//! says what a frame costs.

use std::io::Write;
use std::time::{Duration, Instant};

use mediaflow::dashboard::fixture::{self, Universe};
use mediaflow::dashboard::model::{Dashboard, Screen};
use mediaflow::dashboard::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Frames measured per screen and size.
const FRAMES: usize = 1000;
/// Frames drawn first and not measured.
const WARM_UP: usize = 50;
/// The target, per frame.
const TARGET: Duration = Duration::from_millis(2);

fn main() -> std::io::Result<()> {
    let universe = Universe::new(531);
    let attempts = fixture::history(&universe, &[320, 310, 290, 300, 280]);
    let state = fixture::dashboard(attempts, universe.suite(300));
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "dashboard frame: {} tests, {} failures, {FRAMES} frames per case (target ≤ {} µs)",
        universe.failure_order.len(),
        state.failures.rows.len(),
        TARGET.as_micros()
    )?;
    let mut worst = Duration::ZERO;
    for (screen, name) in [
        (Screen::Tests, "tests"),
        (Screen::Scenarios, "scenarios"),
        (Screen::Reward, "reward"),
    ] {
        for (width, height) in [(80, 24), (120, 40)] {
            let mut state = state.clone();
            state.screen = screen;
            let mut times = measure(&mut state, width, height);
            times.sort_unstable();
            let mean = times.iter().sum::<Duration>() / u32::try_from(times.len()).unwrap_or(1);
            let median = times[times.len() / 2];
            let p95 = times[times.len() * 95 / 100];
            worst = worst.max(p95);
            writeln!(
                out,
                "{name:<10} {width:>3}×{height:<3} mean {:>6.1} µs   median {:>6.1} µs   p95 {:>6.1} µs",
                mean.as_secs_f64() * 1e6,
                median.as_secs_f64() * 1e6,
                p95.as_secs_f64() * 1e6
            )?;
        }
    }
    let verdict = if worst <= TARGET { "within" } else { "OVER" };
    writeln!(
        out,
        "worst p95 {:.1} µs: {verdict} the {} µs target",
        worst.as_secs_f64() * 1e6,
        TARGET.as_micros()
    )
}

/// Draws `WARM_UP + FRAMES` frames; the time of each measured one.
fn measure(state: &mut Dashboard, width: u16, height: u16) -> Vec<Duration> {
    // A test backend cannot fail (its error type is `Infallible`).
    let Ok(mut terminal) = Terminal::new(TestBackend::new(width, height));
    let visible = state.failures.visible.len().max(1);
    let mut times = Vec::with_capacity(FRAMES);
    for frame in 0..WARM_UP + FRAMES {
        // A selection moving through the whole list (and the scroll with it), a ticking
        // spinner: every frame differs from the one before.
        state.failures.selected = frame * 7 % visible;
        state.scenario_scroll = u16::try_from(frame % 40).unwrap_or(0);
        state.reward_scroll = u16::try_from(frame % 20).unwrap_or(0);
        state.now += chrono::Duration::milliseconds(100);
        let started = Instant::now();
        let Ok(_) = terminal.draw(|f| view::draw(f, state));
        if frame >= WARM_UP {
            times.push(started.elapsed());
        }
    }
    times
}
