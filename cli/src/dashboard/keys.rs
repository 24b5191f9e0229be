//! The dashboard's keys, one table for the help overlay and the footer, so what is
//! shown is what works.

/// One key binding as shown to the player.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHelp {
    /// The key(s), as written in the help.
    pub keys: &'static str,
    /// What it does.
    pub what: &'static str,
    /// Shown in the footer (the most used ones).
    pub footer: Option<&'static str>,
}

const fn key(keys: &'static str, what: &'static str, footer: Option<&'static str>) -> KeyHelp {
    KeyHelp { keys, what, footer }
}

/// Every key, in the order the help lists them.
pub const KEYS: &[KeyHelp] = &[
    key(
        "r",
        "run every category (reuses results of unchanged code)",
        Some("run"),
    ),
    key(
        "R",
        "run every category again, even if the code is unchanged",
        None,
    ),
    key("c", "run the selected category", Some("category")),
    key(
        "s",
        "score: run everything and record an attempt",
        Some("score"),
    ),
    key("h", "next hint for the selected failure", Some("hint")),
    key(
        "w",
        "watch: re-run when a file under platform/ is saved",
        Some("watch"),
    ),
    key("x", "stop the run going on", None),
    key(
        "/",
        "search the failures by name (Enter keeps it, Esc clears)",
        Some("search"),
    ),
    key(
        "f",
        "filter the failures by category (cycles; Esc clears)",
        None,
    ),
    key("Tab / S-Tab", "next / previous panel", Some("panel")),
    key("1 2 3", "tests, scenarios, reward", None),
    key("↑↓ j k", "move, or scroll the focused panel", None),
    key("PgUp PgDn", "page up / down", None),
    key("Home End g G", "first / last", None),
    key(
        "Enter",
        "categories: filter by it; failures: show the detail",
        None,
    ),
    key("← → [ ]", "previous / next scenario", None),
    key("?", "this help", Some("help")),
    key("q  Ctrl-C", "quit (stops a run going on)", Some("quit")),
];
