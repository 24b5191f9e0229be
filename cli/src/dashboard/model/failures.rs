//! The failures list: rows grouped by category, the filter and search that decide
//! what is shown, and the selection that follows its test.

use crate::runner::{FailureKind, Status, TestId, TestResult};

/// One failing test, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    /// Index into the categories.
    pub category: usize,
    /// The result.
    pub result: TestResult,
}

impl FailureRow {
    /// How it failed.
    pub fn kind(&self) -> FailureKind {
        match self.result.status {
            Status::Failed(kind) => kind,
            _ => FailureKind::Failed,
        }
    }
}

/// The failures list: its rows, what is shown of them and what is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureList {
    /// Every failure, grouped by category in catalog order, then by name.
    pub rows: Vec<FailureRow>,
    /// Indices into `rows` that pass the filter and the search.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// Only this category (index), if set.
    pub category_filter: Option<usize>,
    /// Text the test names must contain (case-insensitive), if any.
    pub search: String,
    /// Whether keys are typed into the search.
    pub searching: bool,
}

impl FailureList {
    /// The selected row, if any is visible.
    pub fn selected_row(&self) -> Option<&FailureRow> {
        self.visible
            .get(self.selected)
            .and_then(|&index| self.rows.get(index))
    }

    /// New rows (a run ended), keeping the selection on the same test when it is still
    /// shown.
    pub fn replace_rows(&mut self, rows: Vec<FailureRow>) {
        let keep = self.selected_row().map(|row| row.result.id.clone());
        self.rows = rows;
        self.show(keep);
    }

    /// Recomputes `visible` after the filter or the search changed, keeping the
    /// selection on the same test when it is still shown.
    pub fn refresh(&mut self) {
        let keep = self.selected_row().map(|row| row.result.id.clone());
        self.show(keep);
    }

    fn show(&mut self, keep: Option<TestId>) {
        let needle = self.search.to_lowercase();
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| self.category_filter.is_none_or(|c| c == row.category))
            .filter(|(_, row)| {
                needle.is_empty() || row.result.id.name.to_lowercase().contains(&needle)
            })
            .map(|(index, _)| index)
            .collect();
        self.selected = keep
            .and_then(|id| {
                self.visible
                    .iter()
                    .position(|&index| self.rows[index].result.id == id)
            })
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
    }
}
