//! Every committed fuzz seed (`fuzz/seeds/<target>/*`) through the check its fuzz target runs
//! (`fuzz/harness.rs`), on stable Rust as part of `make test`: a seed that once crashed a
//! parser is checked on every run, not only when someone runs `make fuzz`. A seeds folder or
//! a target without a check here fails, so a new target cannot be left out.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The names in `dir` (files without `ext` when given, else folders).
fn names(dir: &Path, ext: Option<&str>) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| match ext {
            Some(ext) => p.extension().is_some_and(|x| x == ext),
            None => p.is_dir(),
        })
        .map(|p| p.file_stem().expect("a name").to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_fuzz_target_and_seeds_folder_has_a_check_here() {
    let checked: BTreeSet<String> = harness::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    let targets = names(&fuzz_dir().join("fuzz_targets"), Some("rs"));
    let seeds = names(&fuzz_dir().join("seeds"), None);
    assert_eq!(targets, checked, "every fuzz target (fuzz/fuzz_targets/*.rs) is in harness::TARGETS");
    assert_eq!(seeds, checked, "every fuzz/seeds/<target>/ folder is a target in harness::TARGETS");
}

#[test]
fn every_committed_seed_goes_through_its_targets_check_without_a_panic() {
    let mut failed = Vec::new();
    let mut seen = 0;
    for (target, check) in harness::TARGETS {
        let dir = fuzz_dir().join("seeds").join(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("target {target} has no seeds folder {}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "target {target} has no committed seeds in {}", dir.display());
        for file in files {
            let data = std::fs::read(&file).expect("a seed");
            seen += 1;
            if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failed.push(format!("{target}/{}: {why}", file.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(failed.is_empty(), "seeds that make their target panic:\n{}", failed.join("\n"));
    assert!(seen >= harness::TARGETS.len(), "at least one seed per target");
}
