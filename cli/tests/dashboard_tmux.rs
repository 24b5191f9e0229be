//! The dashboard in a real terminal: `mediaflow` runs under tmux in a freshly generated
//! workspace (bugs K1 and G2 planted) and is played the way a person would — wait for
//! the results, search a failure, take a hint, read a scenario, look at the reward,
//! score, turn on watch mode, fix G2 in an "editor", see the tests flip, score again
//! and see the reward move — then quit, and the shell must be usable again (cooked
//! mode, echo on). A second session leaves with Ctrl-C.
//!
//! The workspace builds into the target directory shared by the tests that build
//! generated workspaces (the registry crates compile once); they are all in the
//! `workspace-builds` test group.

mod player_support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use player_support::{init_workspace, patch_bug, repo, shared_target};

const BIN: &str = env!("CARGO_BIN_EXE_mediaflow");

/// The pane's size: the dashboard's roomy layout.
const SIZE: (u16, u16) = (120, 40);

/// A cold build of the generated workspace on a busy two-core machine.
const FIRST_RUN: Duration = Duration::from_secs(480);
/// Rebuilding the crates one fix touches, and running every category.
const RERUN: Duration = Duration::from_secs(300);
/// Anything the dashboard answers without cargo.
const QUICK: Duration = Duration::from_secs(15);

/// A tmux server of the test's own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path, env: &[(&str, String)]) -> Self {
        let tmux = Self {
            socket: format!("mediaflow-test-{}", std::process::id()),
        };
        let mut args: Vec<String> = ["-f", "/dev/null", "new-session", "-d", "-s", "play"]
            .map(str::to_owned)
            .to_vec();
        args.extend([
            "-x".into(),
            SIZE.0.to_string(),
            "-y".into(),
            SIZE.1.to_string(),
        ]);
        args.extend(["-c".into(), dir.display().to_string()]);
        for (name, value) in env {
            args.extend(["-e".into(), format!("{name}={value}")]);
        }
        args.push("bash --norc --noprofile".into());
        let output = tmux.command(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            output.status.success(),
            "tmux starts: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        tmux
    }

    fn command(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux is installed (apt-get install tmux)")
    }

    /// Presses keys (tmux key names: `Enter`, `Escape`, `C-c`, or a character).
    fn keys(&self, keys: &[&str]) {
        for key in keys {
            let output = self.command(&["send-keys", "-t", "play", key]);
            assert!(output.status.success(), "send-keys {key}");
        }
    }

    /// Types `text` literally.
    fn type_text(&self, text: &str) {
        let output = self.command(&["send-keys", "-t", "play", "-l", text]);
        assert!(output.status.success(), "send-keys -l {text}");
    }

    /// What the pane shows now.
    fn screen(&self) -> String {
        let output = self.command(&["capture-pane", "-p", "-t", "play"]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Waits until the pane shows `text`; returns the screen. On time-out the test
    /// fails showing the last screen.
    fn wait_for(&self, text: &str, limit: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < limit,
                "waited {limit:?} for `{text}`; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command(&["kill-server"]);
    }
}

/// The reward in "attempt N recorded: reward X".
fn recorded_reward(screen: &str, attempt: u32) -> f64 {
    let marker = format!("attempt {attempt} recorded: reward ");
    let start = screen.find(&marker).expect("the notice") + marker.len();
    let number: String = screen[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number
        .parse()
        .unwrap_or_else(|_| panic!("a reward in:\n{screen}"))
}

/// The terminal is back in cooked mode with echo: what a usable shell needs.
fn assert_shell_usable(tmux: &Tmux, round: u32) {
    let done = format!("shell-ok-{round}");
    tmux.type_text(&format!(
        "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo {done}"
    ));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(&format!("icanon echo {done}"), QUICK);
    assert!(
        !screen.contains("Tests") || screen.contains(&done),
        "the dashboard is gone:\n{screen}"
    );
}

#[test]
fn a_person_plays_from_the_dashboard_and_the_terminal_is_restored() {
    let workspace = repo().join("target/dashboard-e2e/workspace");
    init_workspace(BIN, &workspace, "K1,G2");
    let target = shared_target();
    let tmux = Tmux::start(
        &workspace,
        &[
            ("PS1", "$ ".to_owned()),
            ("TERM", "xterm-256color".to_owned()),
            ("CARGO_TARGET_DIR", target.display().to_string()),
        ],
    );
    tmux.type_text(BIN);
    tmux.keys(&["Enter"]);

    // The first run builds the workspace and ends with a summary in the status line.
    let screen = tmux.wait_for(" pass — ", FIRST_RUN);
    for category in [
        "unit",
        "integration",
        "contract",
        "chaos",
        "security",
        "performance",
        "system",
    ] {
        assert!(screen.contains(category), "{category} shown:\n{screen}");
    }

    // Search a failure by name: K1's unit test is listed and its detail shown.
    tmux.keys(&["/"]);
    tmux.type_text("truthy");
    tmux.keys(&["Enter"]);
    tmux.wait_for("not_silently_truthy", QUICK);

    // A hint for it.
    tmux.keys(&["h"]);
    tmux.wait_for("hint 1/", QUICK);

    // The scenarios, the reward, the help.
    tmux.keys(&["2"]);
    tmux.wait_for("Support escalation", QUICK);
    tmux.keys(&["3"]);
    tmux.wait_for("tier", QUICK);
    tmux.keys(&["?"]);
    tmux.wait_for("quit (stops a run going on)", QUICK);
    tmux.keys(&["Escape", "1"]);

    // Score the starting point.
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("attempt 1 recorded: reward ", RERUN);
    let before = recorded_reward(&screen, 1);

    // Watch mode: fixing G2 in the files re-runs and the failing tests flip.
    tmux.keys(&["w"]);
    tmux.wait_for("watching platform/", QUICK);
    patch_bug(&workspace, "G2", true);
    tmux.wait_for("now pass", RERUN);

    // Scoring again: the reward moved up (integration and system now pass completely).
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("attempt 2 recorded: reward ", RERUN);
    let after = recorded_reward(&screen, 2);
    assert!(after > before, "the reward rose from {before} to {after}");

    // Quit with q: the shell works again.
    tmux.keys(&["q"]);
    assert_shell_usable(&tmux, 1);

    // Open again (results cached for this code) and leave with Ctrl-C.
    tmux.type_text(BIN);
    tmux.keys(&["Enter"]);
    tmux.wait_for(" pass — ", QUICK);
    tmux.keys(&["C-c"]);
    assert_shell_usable(&tmux, 2);
}
