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
            (
                Status::Failed(failure_kind(*kind, ty)),
                without_harness_lines(text, case.name.as_str()),
            )
        }
    };
    let output = if status == Status::Passed {
        String::new()
    } else {
        [&case.system_out, &case.system_err]
            .into_iter()
            .flatten()
            .map(|text| captured(text.as_str(), case.name.as_str(), &message))
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

/// The test harness's own lines that follow a panic message: the backtrace note and
/// libtest's summary (`test NAME ... FAILED`, `failures:`, `test result: …`).
fn without_harness_lines(text: &str, name: &str) -> String {
    let verdict = format!("test {name} ... ");
    let kept: Vec<&str> = text
        .lines()
        .take_while(|line| !line.starts_with(&verdict) && !line.starts_with("test result: "))
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    kept.join("\n").trim_end().to_owned()
}

/// What the test itself printed: its captured stream without libtest's framing
/// (`running 1 test`, the summary), without the panic message already shown as the
/// message, and without nextest's "(stdout and stderr are combined)" marker.
fn captured(text: &str, name: &str, message: &str) -> String {
    if text.trim() == "(stdout and stderr are combined)" {
        return String::new();
    }
    let body = without_harness_lines(text, name);
    let body = body
        .trim_start_matches('\n')
        .strip_prefix("running 1 test")
        .unwrap_or(&body);
    let body = if message.is_empty() {
        body.to_owned()
    } else {
        body.replacen(message, "", 1)
    };
    body.trim_matches('\n').to_owned()
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
