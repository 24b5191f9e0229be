//! The two sides of a failed `assert_eq!`/`assert_ne!` in a panic message (`  left: …`
//! / ` right: …`), found once here for every place that shows them: the plain failure
//! printer and the dashboard's coloured diff.

/// Whether `line` is one of the `left: …` / `right: …` lines of a failed assertion.
pub fn is_side_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("left: ") || trimmed.starts_with("right: ")
}

/// `left` and `right` of a failed `assert_eq`/`assert_ne`, when both lines are there.
pub fn assert_sides<'a>(lines: &[&'a str]) -> Option<(&'a str, &'a str)> {
    let left = lines
        .iter()
        .find_map(|line| line.trim_start().strip_prefix("left: "))?;
    let right = lines
        .iter()
        .find_map(|line| line.trim_start().strip_prefix("right: "))?;
    Some((left, right))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = "assertion `left == right` failed: the seed upgrade costs 2.50\n  left: Money(240)\n right: Money(250)";

    #[test]
    fn both_sides_of_a_failed_assert_eq_are_found() {
        let lines: Vec<&str> = MESSAGE.lines().collect();
        assert_eq!(assert_sides(&lines), Some(("Money(240)", "Money(250)")));
    }

    #[test]
    fn a_message_with_one_side_only_has_no_sides() {
        let lines = ["thread panicked", "  left: 1"];
        assert_eq!(assert_sides(&lines), None);
    }

    #[test]
    fn side_lines_are_told_from_other_lines() {
        let cases = [
            ("  left: 1", true),
            (" right: 2", true),
            ("left: x", true),
            ("the left: side", false),
            ("assertion `left == right` failed", false),
        ];
        for (line, expected) in cases {
            assert_eq!(is_side_line(line), expected, "{line:?}");
        }
    }
}
