//! The independent JS verifier of `../shared/oracle`, run on credentials the server signed.
//! Contract as in the core's tests: `CAIRN_ORACLE_DIR` names an installed oracle; without
//! it the oracle is copied with `../shared/vectors` under `<target>/shared-oracle/` and
//! `npm ci` runs there once (the same folder the core's tests use). A missing Node is a
//! failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")),
        PathBuf::from,
    )
}

/// The installed oracle's folder.
pub fn oracle_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAIRN_ORACLE_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("verify.mjs").is_file() && dir.join("node_modules").is_dir(),
            "CAIRN_ORACLE_DIR={} does not hold an installed oracle",
            dir.display()
        );
        return dir;
    }
    let root = target_dir().join("shared-oracle");
    let oracle = root.join("oracle");
    let stamp = oracle.join("node_modules").join(".cairn-installed");
    if stamp.is_file() {
        return oracle;
    }
    std::fs::create_dir_all(&root).expect("create the oracle folder");
    let lock = root.join(".install-lock");
    let mut waited = 0;
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(250));
        waited += 1;
        assert!(waited < 2400, "timed out waiting for {}", lock.display());
        if stamp.is_file() {
            return oracle;
        }
    }
    let installed = std::panic::catch_unwind(|| {
        for name in ["oracle", "vectors"] {
            let dst = root.join(name);
            let _ = std::fs::remove_dir_all(&dst);
            copy_dir(&shared().join(name), &dst);
        }
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&oracle)
            .output()
            .expect("npm must be installed to run the oracle");
        assert!(
            out.status.success(),
            "npm ci failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(&stamp, b"ok\n").expect("stamp");
    });
    let _ = std::fs::remove_dir(&lock);
    if let Err(e) = installed {
        std::panic::resume_unwind(e);
    }
    oracle
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read_dir") {
        let entry = entry.expect("entry");
        let path = entry.path();
        let to = dst.join(entry.file_name());
        if path.is_dir() {
            if entry.file_name() != "node_modules" {
                copy_dir(&path, &to);
            }
        } else {
            std::fs::copy(&path, &to).expect("copy");
            let mut perms = std::fs::metadata(&to).expect("meta").permissions();
            #[allow(
                clippy::permissions_set_readonly_false,
                reason = "copies of read-only files"
            )]
            perms.set_readonly(false);
            std::fs::set_permissions(&to, perms).expect("chmod");
        }
    }
}

/// `node verify.mjs <credential> [args]`: the oracle's one-line JSON answer.
pub fn verify(credential: &Value, args: &[&str]) -> Value {
    let dir = oracle_dir();
    let file = std::env::temp_dir().join(format!(
        "cairn-api-oracle-{}-{}.json",
        std::process::id(),
        credential["id"]
            .as_str()
            .unwrap_or("x")
            .replace([':', '/'], "_")
    ));
    std::fs::write(&file, credential.to_string()).expect("write credential");
    let out = Command::new("node")
        .arg(dir.join("verify.mjs"))
        .arg(&file)
        .args(args)
        .output()
        .expect("node must be installed to run the oracle");
    let _ = std::fs::remove_file(&file);
    let line = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(line.trim()).unwrap_or_else(|e| {
        panic!(
            "oracle output is not JSON ({e}): {line} / {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
