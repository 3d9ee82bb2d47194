//! What a Windows user expects of paths (README "On Windows"), run under Wine in CI (scripts/windows.sh):
//! paths printed as given, with Windows' separator where esecheck joins a name to a directory;
//! paths past MAX_PATH and `\\?\` paths checked like any other; a shadow-copy device path
//! (`\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN\…`) handed to the system untouched.
//!
//! Wine 8 has no `GLOBALROOT` link in its object namespace, so a shadow-copy device path can only
//! be shown to reach the system as given (it is then "no such file or directory", exit 2, as on
//! Windows when the shadow copy is gone); on Windows the same path opens the snapshot's file.
#![cfg(windows)]

use crate::util::Run;
use crate::util::{copy_dir, esecheck_bounded, td, text};
use std::path::{Path, PathBuf};

/// A set in a directory whose absolute path is longer than MAX_PATH (260).
fn set_in_a_long_path(root: &Path) -> PathBuf {
    let mut long = root.to_path_buf();
    for i in 0..8 {
        long.push(format!("component-{i}-of-a-path-longer-than-MAX_PATH"));
    }
    std::fs::create_dir_all(&long).unwrap();
    copy_dir(&td("museum-srum-win10-belkasoftctf/Dirty"), &long);
    assert!(long.as_os_str().len() > 300);
    long
}

#[test]
fn paths_are_printed_as_given_and_joined_with_backslashes() {
    // The test runs in the package's directory: relative paths are the user's spelling.
    let dirs = [
        r"testdata\museum-srum-win10-belkasoftctf\Dirty",
        "testdata/museum-srum-win10-belkasoftctf/Dirty",
    ];
    for dir in dirs {
        let out = esecheck_bounded(60).arg("verify").arg(dir).run();
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains(&format!(r"{dir}\SRUDB.dat: ")), "{stdout}");
        assert!(stdout.contains(&format!("Logs: PASS SRU in {dir}:")), "{stdout}");
        let out = esecheck_bounded(60).args(["verify", "--json"]).arg(dir).run();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["databases"][0]["path"], format!(r"{dir}\SRUDB.dat"));
        assert_eq!(v["checkpoint"]["path"], format!(r"{dir}\SRU.chk"));
    }
    // A file named by the user is shown exactly as named, whatever its separators.
    for file in [
        r"testdata\stroz-eseparser-generated\test.edb",
        "testdata/stroz-eseparser-generated/test.edb",
        r"testdata/stroz-eseparser-generated\..\stroz-eseparser-generated/test.edb",
    ] {
        let out = esecheck_bounded(60).args(["checksum", "--json"]).arg(file).run();
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["files"][0]["path"], file);
    }
}

#[test]
fn a_set_past_max_path_is_checked_with_and_without_the_verbatim_prefix() {
    let root = tempfile::tempdir().unwrap();
    let long = set_in_a_long_path(&std::fs::canonicalize(root.path()).unwrap());
    // canonicalize gives `\\?\C:\…`; the plain spelling is what a user types.
    let verbatim = long.display().to_string();
    assert!(verbatim.starts_with(r"\\?\"), "{verbatim}");
    let plain = verbatim.trim_start_matches(r"\\?\").to_string();
    for dir in [&plain, &verbatim] {
        let out = esecheck_bounded(60).args(["verify", "--json"]).arg(dir).run();
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["verdict"], "pass");
        assert_eq!(v["databases"][0]["path"], format!(r"{dir}\SRUDB.dat"));
        let out = esecheck_bounded(60).arg("logs").arg(dir).run();
        assert_eq!(out.status.code(), Some(0), "{dir}: {}", text(&out.stderr));
        // A database named alone: its logs are looked for beside it, in the same spelling.
        let db = format!(r"{dir}\SRUDB.dat");
        let out = esecheck_bounded(60).args(["verify", "--json"]).arg(&db).run();
        assert_eq!(out.status.code(), Some(0), "{db}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["logs_looked_for_in"], dir.as_str());
        assert_eq!(v["truncate_below"], 81);
    }
}

#[test]
fn a_shadow_copy_device_path_reaches_the_system_as_given() {
    let dir = r"\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy4242\Windows\System32\sru";
    let db = format!(r"{dir}\SRUDB.dat");
    // What esecheck derives from such a path (the directory to look for logs in, the name to
    // classify) is the path's own, with the device prefix kept.
    assert_eq!(Path::new(&db).parent(), Some(Path::new(dir)));
    assert_eq!(Path::new(&db).file_name().unwrap(), "SRUDB.dat");
    for (cmd, path, what) in [
        ("checksum", &db, ""),
        ("header", &db, " the header:"),
        ("verify", &db, " the set:"),
        ("logs", &dir.to_string(), " the log stream:"),
    ] {
        let out = esecheck_bounded(60).arg(cmd).arg(path).run();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{cmd}: {stdout}");
        // The reason is on the verdict line (the OS's words after the path); stderr is empty.
        assert!(
            stdout.starts_with(&format!("ERROR: could not check{what} {path}: ")),
            "{cmd}: {stdout}"
        );
        assert_eq!(stdout.lines().count(), 1, "{cmd}: {stdout}");
        assert_eq!(stderr, "", "{cmd}");
    }
    let out = esecheck_bounded(60).args(["verify", "--json"]).arg(&db).run();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().starts_with(&db), "{v}");
}
