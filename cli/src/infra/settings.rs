//! The connection settings file (`.mediaflow/infra.env`): `MEDIAFLOW_*=…` lines rendered
//! from the spec's templates with the host ports the engine published, written
//! atomically so the platform and `mediaflow test` never read half a file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::project::Project;
use super::spec::{ServiceName, Spec};

/// Where the settings file lives, relative to the workspace root.
pub const SETTINGS_PATH: &str = ".mediaflow/infra.env";

/// Rendering or writing the settings failed.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A template needs a port the running container does not publish (the container
    /// predates a spec change; `up` recreates it).
    #[error(
        "setting {setting} of {service} needs container port {port}, which the running container does not publish; run `mediaflow up {service}` to recreate it"
    )]
    UnpublishedPort {
        /// The service.
        service: ServiceName,
        /// The setting name.
        setting: String,
        /// The container port.
        port: u16,
    },
    /// The file could not be written or removed.
    #[error("cannot write {}: {source}; check the permissions of the workspace", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Renders the settings of every service in `published` (service → container port →
/// host port); services absent from it (not running) yield nothing.
pub fn render(
    spec: &Spec,
    published: &BTreeMap<ServiceName, BTreeMap<u16, u16>>,
) -> Result<BTreeMap<String, String>, SettingsError> {
    let mut values = BTreeMap::new();
    for (service, ports) in published {
        let Some(service_spec) = spec.services.get(service) else {
            continue;
        };
        for (setting, template) in &service_spec.settings {
            let value = template
                .render(ports)
                .map_err(|port| SettingsError::UnpublishedPort {
                    service: service.clone(),
                    setting: setting.clone(),
                    port,
                })?;
            values.insert(setting.clone(), value);
        }
    }
    Ok(values)
}

/// The file's text: a header saying where it came from, then sorted `NAME=value` lines.
pub fn env_file(project: &Project, values: &BTreeMap<String, String>) -> String {
    let mut text = format!(
        "# Connection settings of the Docker infrastructure, written by `mediaflow up`\n# for {} (project {}); `mediaflow down` removes this file.\n",
        project.workspace().display(),
        project.id()
    );
    for (name, value) in values {
        text.push_str(name);
        text.push('=');
        text.push_str(value);
        text.push('\n');
    }
    text
}

/// Reads `NAME=value` lines back (comments and blank lines skipped).
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Writes `contents` to `path` through a temporary file and a rename; `false` when the
/// file already held exactly this (nothing written, modification time kept).
pub fn write_atomically(path: &Path, contents: &str) -> Result<bool, SettingsError> {
    let io_error = |source| SettingsError::Io {
        path: path.to_owned(),
        source,
    };
    if std::fs::read_to_string(path).is_ok_and(|current| current == contents) {
        return Ok(false);
    }
    let parent = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error)?;
    let file_name = path
        .file_name()
        .map_or_else(|| "settings".into(), |name| name.to_string_lossy());
    let temporary = parent.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ignored = std::fs::remove_file(&temporary);
        return Err(io_error(error));
    }
    Ok(true)
}

/// Removes the settings file; `false` when there was none.
pub fn remove(path: &Path) -> Result<bool, SettingsError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(SettingsError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "format_version: 1\nservices:\n  redis:\n    image: redis:7\n    ports:\n      - container: 6379\n    healthcheck:\n      command: redis-cli ping\n      interval: 2s\n      timeout: 1s\n      retries: 3\n    settings:\n      MEDIAFLOW_REDIS_URL: redis://127.0.0.1:{port:6379}\n";

    fn spec() -> Spec {
        Spec::from_yaml(SPEC, Path::new("infra.yaml")).expect("valid spec")
    }

    fn redis() -> ServiceName {
        ServiceName::parse("redis").expect("valid")
    }

    #[test]
    fn settings_use_the_published_host_ports_and_skip_services_not_running() {
        let published = BTreeMap::from([(redis(), BTreeMap::from([(6379, 32770)]))]);
        let values = render(&spec(), &published).expect("renders");
        assert_eq!(values["MEDIAFLOW_REDIS_URL"], "redis://127.0.0.1:32770");
        assert!(
            render(&spec(), &BTreeMap::new())
                .expect("renders")
                .is_empty()
        );
    }

    #[test]
    fn a_container_missing_a_port_the_settings_need_is_an_error_saying_to_recreate_it() {
        let published = BTreeMap::from([(redis(), BTreeMap::new())]);
        let error = render(&spec(), &published).expect_err("port missing");
        assert!(
            error.to_string().contains("run `mediaflow up redis`"),
            "got: {error}"
        );
    }

    #[test]
    fn the_file_is_written_atomically_read_back_and_left_alone_when_unchanged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(".mediaflow/infra.env");
        let project = Project::for_workspace(dir.path());
        let values = BTreeMap::from([(
            "MEDIAFLOW_REDIS_URL".to_owned(),
            "redis://127.0.0.1:1".to_owned(),
        )]);
        let text = env_file(&project, &values);
        assert!(
            write_atomically(&path, &text).expect("written"),
            "first write changes the file"
        );
        assert!(
            !write_atomically(&path, &text).expect("unchanged"),
            "same content is not rewritten"
        );
        let read = std::fs::read_to_string(&path).expect("readable");
        assert_eq!(parse_env_file(&read), values);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("listable")
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file may be left behind");
        assert!(remove(&path).expect("removed"));
        assert!(!remove(&path).expect("already gone"));
    }
}
