//! The scenarios' Markdown rendered for the terminal: headings styled, lists with
//! bullets and hanging indents, quotes behind a bar, fenced code indented in its own
//! style and never wrapped, inline `code`, **bold** and *italic*, paragraphs joined and
//! wrapped to the width. Pure: text in, lines out. Covers what the write-ups use, not
//! all of CommonMark (no tables, links are shown as written).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::view::Theme;

/// Indent of fenced code.
const CODE_INDENT: &str = "    ";
/// Prefix of a quote's lines.
const QUOTE_BAR: &str = "  │ ";

/// A block of text being gathered from consecutive source lines.
#[derive(Debug)]
struct Block {
    /// Prefix of its first line (a bullet, a quote bar).
    first: String,
    /// Prefix of its other lines (the hanging indent).
    rest: String,
    /// Its style before inline markup.
    style: Style,
    /// Its text, source lines joined with spaces.
    text: String,
}

/// `markdown` as lines at most `width` columns wide (code lines excepted).
pub fn render(markdown: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut block: Option<Block> = None;
    let mut in_code = false;
    for source in markdown.lines() {
        if source.trim_start().starts_with("```") {
            flush(&mut lines, &mut block, width, theme);
            in_code = !in_code;
            continue;
        }
        if in_code {
            lines.push(Line::styled(format!("{CODE_INDENT}{source}"), theme.code));
            continue;
        }
        let trimmed = source.trim();
        if trimmed.is_empty() {
            flush(&mut lines, &mut block, width, theme);
            if lines.last().is_some_and(|l| l.width() > 0) {
                lines.push(Line::default());
            }
            continue;
        }
        if let Some((level, title)) = heading(trimmed) {
            flush(&mut lines, &mut block, width, theme);
            if lines.last().is_some_and(|l| l.width() > 0) {
                lines.push(Line::default());
            }
            heading_lines(&mut lines, level, title, theme);
            continue;
        }
        let indent = source.len() - source.trim_start().len();
        if let Some((marker, text)) = list_item(trimmed) {
            flush(&mut lines, &mut block, width, theme);
            let pad = " ".repeat(2 + indent);
            block = Some(Block {
                first: format!("{pad}{marker} "),
                rest: format!("{pad}{} ", " ".repeat(marker.chars().count())),
                style: theme.text,
                text: text.to_owned(),
            });
            continue;
        }
        if let Some(text) = trimmed.strip_prefix('>') {
            let text = text.trim_start();
            match &mut block {
                Some(quote) if quote.first == QUOTE_BAR => push_text(&mut quote.text, text),
                _ => {
                    flush(&mut lines, &mut block, width, theme);
                    block = Some(Block {
                        first: QUOTE_BAR.to_owned(),
                        rest: QUOTE_BAR.to_owned(),
                        style: theme.quote,
                        text: text.to_owned(),
                    });
                }
            }
            continue;
        }
        match &mut block {
            // A line under a list item or inside a paragraph continues it.
            Some(open) if open.first != QUOTE_BAR => push_text(&mut open.text, trimmed),
            _ => {
                flush(&mut lines, &mut block, width, theme);
                block = Some(Block {
                    first: String::new(),
                    rest: String::new(),
                    style: theme.text,
                    text: trimmed.to_owned(),
                });
            }
        }
    }
    flush(&mut lines, &mut block, width, theme);
    while lines.last().is_some_and(|l| l.width() == 0) {
        lines.pop();
    }
    lines
}

fn push_text(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// `## Title` → (2, "Title").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    let title = line[level..].strip_prefix(' ')?;
    (1..=6).contains(&level).then(|| (level, title.trim()))
}

/// `- x`, `* x` → ("•", "x"); `12. x` → ("12.", "x").
fn list_item(line: &str) -> Option<(String, &str)> {
    if let Some(text) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(("•".to_owned(), text));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let text = line[digits..].strip_prefix(". ")?;
    (digits > 0).then(|| (line[..=digits].to_owned(), text))
}

fn heading_lines(lines: &mut Vec<Line<'static>>, level: usize, title: &str, theme: &Theme) {
    let text: String = inline(title, theme.text, theme)
        .into_iter()
        .map(|(text, _)| text)
        .collect();
    match level {
        1 => {
            let rule = "═".repeat(text.chars().count());
            lines.push(Line::styled(
                text,
                theme.heading.add_modifier(Modifier::BOLD),
            ));
            lines.push(Line::styled(rule, theme.heading));
        }
        2 => lines.push(Line::styled(text, theme.heading)),
        _ => lines.push(Line::styled(
            text,
            theme.accent.add_modifier(Modifier::BOLD),
        )),
    }
}

/// Wraps the open block into `lines` and closes it.
fn flush(lines: &mut Vec<Line<'static>>, block: &mut Option<Block>, width: usize, theme: &Theme) {
    let Some(block) = block.take() else {
        return;
    };
    let segments = inline(&block.text, block.style, theme);
    let prefix_style = if block.first == QUOTE_BAR {
        theme.quote
    } else {
        theme.accent
    };
    lines.extend(wrap(
        &segments,
        width,
        &block.first,
        &block.rest,
        prefix_style,
    ));
}

/// Text split into styled segments: `code`, **bold**, *italic*; an unclosed marker is
/// kept as written.
fn inline(text: &str, base: Style, theme: &Theme) -> Vec<(String, Style)> {
    let markers: [(&str, Style); 3] = [
        ("`", theme.code),
        ("**", base.add_modifier(Modifier::BOLD)),
        ("*", base.add_modifier(Modifier::ITALIC)),
    ];
    let mut segments = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    'scan: while let Some(c) = rest.chars().next() {
        for (marker, style) in markers {
            let Some(after) = rest.strip_prefix(marker) else {
                continue;
            };
            match after.find(marker) {
                Some(end) if end > 0 => {
                    if !plain.is_empty() {
                        segments.push((std::mem::take(&mut plain), base));
                    }
                    segments.push((after[..end].to_owned(), style));
                    rest = &after[end + marker.len()..];
                    continue 'scan;
                }
                _ => break,
            }
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !plain.is_empty() {
        segments.push((plain, base));
    }
    segments
}

/// Greedy word wrap of styled segments to `width` columns, `first` before the first
/// line and `rest` before the others.
fn wrap(
    segments: &[(String, Style)],
    width: usize,
    first: &str,
    rest: &str,
    prefix_style: Style,
) -> Vec<Line<'static>> {
    // Words as runs of styled pieces: "`x`," is one word of two pieces.
    let mut words: Vec<Vec<(String, Style)>> = vec![Vec::new()];
    for (text, style) in segments {
        for (index, part) in text.split(' ').enumerate() {
            if index > 0 && words.last().is_some_and(|w| !w.is_empty()) {
                words.push(Vec::new());
            }
            if let Some(word) = words.last_mut().filter(|_| !part.is_empty()) {
                word.push((part.to_owned(), *style));
            }
        }
    }
    let mut lines = Vec::new();
    let mut spans = vec![Span::styled(first.to_owned(), prefix_style)];
    let mut used = first.chars().count();
    let mut empty = true;
    for word in words.into_iter().filter(|w| !w.is_empty()) {
        let size: usize = word.iter().map(|(t, _)| t.chars().count()).sum();
        if !empty && used + 1 + size > width {
            lines.push(Line::from(std::mem::take(&mut spans)));
            spans.push(Span::styled(rest.to_owned(), prefix_style));
            used = rest.chars().count();
            empty = true;
        }
        if !empty {
            spans.push(Span::raw(" "));
            used += 1;
        }
        spans.extend(word.into_iter().map(|(t, s)| Span::styled(t, s)));
        used += size;
        empty = false;
    }
    lines.push(Line::from(spans));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    fn styled(lines: &[Line<'_>], style: Style) -> Vec<String> {
        lines
            .iter()
            .flat_map(|line| line.spans.iter())
            .filter(|span| span.style == style)
            .map(|span| span.content.to_string())
            .collect()
    }

    #[test]
    fn headings_lose_their_hashes_and_take_the_heading_style() {
        let theme = Theme::new(false);
        let lines = render(
            "# Scenario 02\n\n## Summary\n\n### F-1 (critical)",
            40,
            &theme,
        );
        assert_eq!(
            text(&lines),
            [
                "Scenario 02",
                "═══════════",
                "",
                "Summary",
                "",
                "F-1 (critical)"
            ]
        );
        assert_eq!(lines[3].style, theme.heading);
    }

    #[test]
    fn paragraphs_are_joined_and_wrapped_to_the_width() {
        let theme = Theme::new(false);
        let lines = render("one two three\nfour five\n\nsix", 10, &theme);
        assert_eq!(text(&lines), ["one two", "three four", "five", "", "six"]);
    }

    #[test]
    fn list_items_get_bullets_and_a_hanging_indent() {
        let theme = Theme::new(false);
        let lines = render(
            "- alpha beta gamma\n- delta\n1. first one\n   continued",
            14,
            &theme,
        );
        assert_eq!(
            text(&lines),
            [
                "  • alpha beta",
                "    gamma",
                "  • delta",
                "  1. first one",
                "     continued"
            ]
        );
    }

    #[test]
    fn quotes_keep_a_bar_on_every_wrapped_line() {
        let theme = Theme::new(false);
        let lines = render("> I moved from Basic\n> to Premium", 16, &theme);
        assert_eq!(
            text(&lines),
            ["  │ I moved from", "  │ Basic to", "  │ Premium"]
        );
        assert!(styled(&lines, theme.quote).concat().contains("Premium"));
    }

    #[test]
    fn fenced_code_is_indented_styled_and_never_wrapped() {
        let theme = Theme::new(false);
        let code = "line  kind               description                amount";
        let lines = render(&format!("before\n\n```\n{code}\n```\nafter"), 20, &theme);
        assert_eq!(
            text(&lines),
            ["before", "", &format!("    {code}"), "after"]
        );
        assert_eq!(lines[2].style, theme.code);
    }

    #[test]
    fn inline_code_bold_and_italic_are_styled_without_their_markers() {
        let theme = Theme::new(false);
        let lines = render("call `GET /api` **now** or *later*, a_b*c", 80, &theme);
        assert_eq!(text(&lines), ["call GET /api now or later, a_b*c"]);
        assert_eq!(styled(&lines, theme.code), ["GET", "/api"]);
        assert_eq!(
            styled(&lines, theme.text.add_modifier(Modifier::BOLD)),
            ["now"]
        );
        assert_eq!(
            styled(&lines, theme.text.add_modifier(Modifier::ITALIC)),
            ["later"]
        );
    }
}
