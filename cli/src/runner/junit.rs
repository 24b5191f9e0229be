//! The JUnit report of the runner's profile, read back into outcomes. nextest writes one
//! `<testsuite>` per binary (named by binary id) and one `<testcase>` per test; a test that
//! did not pass carries `<failure>` (assertion, timeout) or `<error>` (leak, crash).

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus};

use super::outcome::{FailureKind, Status, TestId, TestResult};

/// A report that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the JUnit report is not valid XML of the expected shape: {0}")]
pub struct JunitError(String);

/// Every test case of report `xml`.
pub fn parse(xml: &str) -> Result<Vec<TestResult>, JunitError> {
    let report =
        Report::deserialize_from_str(xml).map_err(|error| JunitError(error.to_string()))?;
    let mut results = Vec::with_capacity(report.tests);
    for suite in &report.test_suites {
        for case in &suite.test_cases {
            let binary_id = case
                .classname
                .as_ref()
                .map_or(suite.name.as_str(), |name| name.as_str());
            results.push(result(binary_id, case));
        }
    }
    Ok(results)
}

fn result(binary_id: &str, case: &TestCase) -> TestResult {
    let (status, message) = match &case.status {
        TestCaseStatus::Success { .. } => (Status::Passed, String::new()),
        TestCaseStatus::Skipped { .. } => (Status::Skipped, String::new()),
        TestCaseStatus::NonSuccess {
            kind,
            message,
            ty,
            description,
            ..
        } => {
            let ty = ty.as_ref().map_or("", |ty| ty.as_str());
            let text = [description, message]
                .into_iter()
                .flatten()
                .map(|text| text.as_str().trim())
                .find(|text| !text.is_empty())
                .unwrap_or(ty);
            (Status::Failed(failure_kind(*kind, ty)), text.to_owned())
        }
    };
    let output = if status == Status::Passed {
        String::new()
    } else {
        [&case.system_out, &case.system_err]
            .into_iter()
            .flatten()
            .map(|text| text.as_str().trim_matches('\n'))
            .filter(|text| !text.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    TestResult {
        id: TestId::new(binary_id, case.name.as_str()),
        status,
        duration: case.time.filter(|time| *time > Duration::ZERO),
        message,
        output,
    }
}

/// nextest's failure types: `test failure with exit code 101`, `test timeout`, `test
/// failure with exit code 0, and leaked handles`, `test abort with signal 6`, ….
fn failure_kind(kind: NonSuccessKind, ty: &str) -> FailureKind {
    if ty.contains("timeout") {
        FailureKind::Timeout
    } else if kind == NonSuccessKind::Failure {
        FailureKind::Failed
    } else if ty.contains("leak") {
        FailureKind::Leak
    } else {
        FailureKind::Error
    }
}
