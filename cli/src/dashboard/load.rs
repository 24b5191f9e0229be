//! What the dashboard starts from, read from a workspace: the catalog's categories and
//! reward, the scenario write-ups in `scenarios/`, which test relates to which scenario
//! (through the planted bugs), and the recorded attempts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::challenge::catalog::{Bug, Catalog};
use crate::play::PlayerWorkspace;
use crate::play::attempts;
use crate::play::error::PlayError;
use crate::runner::TestId;

use super::model::{CategoryInfo, DashboardInit, InfraLabel, Scenario};

/// Where the scenario write-ups live in a workspace.
const SCENARIOS_DIR: &str = "scenarios";

/// The dashboard's starting data for `workspace`.
pub fn init(
    workspace: &PlayerWorkspace,
    infra: InfraLabel,
    no_color: bool,
    now: DateTime<Utc>,
) -> Result<DashboardInit, PlayError> {
    let catalog = workspace.catalog();
    Ok(DashboardInit {
        title: catalog.title.clone(),
        version: catalog.version.clone(),
        started_at: workspace.state.started_at,
        bugs_planted: workspace.state.bugs.len(),
        categories: categories(catalog),
        reward_spec: catalog.reward.clone(),
        scenarios: scenarios(workspace)?,
        test_scenarios: test_scenarios(workspace.active_bugs()),
        attempts: attempts::history(workspace)?,
        infra,
        no_color,
        now,
    })
}

/// The catalog's categories as the dashboard shows them.
pub fn categories(catalog: &Catalog) -> Vec<CategoryInfo> {
    catalog
        .categories
        .iter()
        .map(|c| CategoryInfo {
            name: c.name.clone(),
            binary: c.binary.clone(),
            weight: c.weight,
        })
        .collect()
}

/// Test → the scenario key of the bug that breaks it, over `bugs`.
pub fn test_scenarios<'a>(bugs: impl IntoIterator<Item = &'a Bug>) -> BTreeMap<TestId, String> {
    let mut tests = BTreeMap::new();
    for bug in bugs {
        let Some(scenario) = &bug.scenario else {
            continue;
        };
        for test in &bug.breaks {
            if let Some(id) = TestId::parse(test) {
                tests.insert(id, scenario.clone());
            }
        }
    }
    tests
}

/// The write-ups `scenarios/NN-*.md`, in file order (the folder's README excluded).
fn scenarios(workspace: &PlayerWorkspace) -> Result<Vec<Scenario>, PlayError> {
    let dir = workspace.root().join(SCENARIOS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(PlayError::io("cannot read", &dir)(error)),
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            let key = name.split_once('-')?.0.to_owned();
            key.chars().all(|c| c.is_ascii_digit()).then_some((key, p))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(key, path)| {
            let markdown =
                std::fs::read_to_string(&path).map_err(PlayError::io("cannot read", &path))?;
            Ok(Scenario {
                title: title_of(&markdown, &key),
                key,
                markdown,
            })
        })
        .collect()
}

/// The first `# ` heading, without a leading "Scenario NN:".
pub fn title_of(markdown: &str, key: &str) -> String {
    let heading = markdown
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .map(str::trim)
        .unwrap_or(key);
    let prefix = format!("Scenario {key}:");
    heading
        .strip_prefix(&prefix)
        .map_or(heading, str::trim)
        .to_owned()
}
