//! Embeds the reference sources (platform, tests, scenarios, runner profiles, lock file,
//! root manifest) and the challenge into the binary, so `mediaflow init` works from any
//! directory after `cargo install`.

use std::path::Path;

#[path = "src/workspace_gen/archive.rs"]
#[expect(
    dead_code,
    reason = "the build script only writes the archive, never reads it"
)]
mod archive;

fn main() -> std::io::Result<()> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| std::io::Error::other("cargo sets CARGO_MANIFEST_DIR"))?;
    let repo = Path::new(&manifest_dir)
        .parent()
        .ok_or_else(|| std::io::Error::other("the cli crate lives inside the repository"))?;
    let out_dir =
        std::env::var_os("OUT_DIR").ok_or_else(|| std::io::Error::other("cargo sets OUT_DIR"))?;
    for path in archive::SOURCE_ROOTS
        .iter()
        .chain(archive::SOURCE_FILES)
        .chain([&archive::CHALLENGE_ROOT, &"challenges"])
    {
        println!("cargo::rerun-if-changed={}", repo.join(path).display());
    }
    let entries = archive::collect(repo)?;
    std::fs::write(
        Path::new(&out_dir).join("sources.bin"),
        archive::encode(&entries),
    )
}
