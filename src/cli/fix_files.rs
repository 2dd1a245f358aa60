//! Writing fixed files without ever losing a byte.
//!
//! The recipe (reliability.md §5):
//!
//! 1. Only files whose fixed bytes differ from what was read are written, so
//!    an untouched file keeps its mtime, inode and everything else.
//! 2. A symbolic link is fixed through its target: the target is replaced,
//!    the link stays a link. A file with more than one hard link is refused
//!    (replacing it would split the links), and so is a read-only file:
//!    permissions are never changed.
//! 3. The new bytes go to a temporary file in the same folder as the file
//!    they replace (`.NAME.XXXXXX.trueconf-lsp-tmp`), which is flushed to
//!    disk and given the original's permission bits (and, on Unix, its owner
//!    and group, or the write is refused).
//! 4. Just before the rename the file is read again; if it is no longer
//!    what was read and fixed, it is not overwritten.
//! 5. The temporary file is renamed over the original, atomically; the
//!    folder is synced. On any error the temporary file is removed and the
//!    original is untouched. A temporary file left by a killed run is
//!    removed by the next `--fix` of the same file.
//!
//! What a rename cannot keep: ACLs, extended attributes and the file's
//! inode number. Between the re-read and the rename there is a window of a
//! few system calls in which another writer can still lose its change.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Suffix of every temporary file this module creates.
pub const TEMP_SUFFIX: &str = ".trueconf-lsp-tmp";

/// Test hooks, compiled only with the `testing` feature: with this variable set to
/// `1`, [`write_atomically`] fails after writing the temporary file and
/// before the rename; with `abort`, the process aborts there, as if killed.
pub const FAIL_BEFORE_RENAME: &str = "TRUECONF_LSP_TEST_FAIL_BEFORE_RENAME";
/// Test hook, `testing` feature only: text appended to the file after it was
/// read and before it is replaced, as an editor saving at that moment would.
pub const MODIFY_BEFORE_RENAME: &str = "TRUECONF_LSP_TEST_MODIFY_BEFORE_RENAME";

/// The canonical paths of the paths named on the command line (the
/// current folder when none is), for [`leaves_tree`].
pub fn checked_roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let named = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    named
        .iter()
        .filter_map(|p| fs::canonicalize(p).ok())
        .collect()
}

/// Is `path` a symbolic link whose `target` (canonical) lies outside every
/// root of `inside`? Such a file is not written through unless
/// `--follow-links` says so (`inside` is then `None`), as ruff and typos
/// do not follow links out of the tree.
pub fn leaves_tree(path: &Path, target: &Path, inside: Option<&[PathBuf]>) -> bool {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    is_link && inside.is_some_and(|roots| !roots.iter().any(|r| target.starts_with(r)))
}

/// Replaces the file at `path`, whose content was `original`, with `fixed`.
/// Returns a message for the user when the file is not written.
pub fn write_atomically(path: &Path, original: &[u8], fixed: &[u8]) -> Result<(), String> {
    if original == fixed {
        return Ok(());
    }
    let link = fs::symlink_metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    let target: PathBuf = if link.file_type().is_symlink() {
        fs::canonicalize(path).map_err(|e| format!("is a broken symbolic link: {e}"))?
    } else {
        path.to_path_buf()
    };
    let meta = fs::metadata(&target).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a regular file; not fixed".into());
    }
    if meta.permissions().readonly() {
        return Err("is read-only; not fixed (permissions are never changed)".into());
    }
    if let Err(e) = fs::OpenOptions::new().write(true).open(&target) {
        return Err(format!("cannot be written ({e}); not fixed"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(format!(
                "has {} hard links, which replacing it would split; not fixed",
                meta.nlink()
            ));
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or("has no file name")?
        .to_string_lossy()
        .into_owned();
    remove_stale_temps(&dir, &name);
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| format!("cannot create a temporary file next to it: {e}"))?;
    let io = |e: std::io::Error| format!("cannot write the temporary file: {e}");
    temp.write_all(fixed).map_err(io)?;
    temp.flush().map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    fs::set_permissions(temp.path(), meta.permissions()).map_err(io)?;
    #[cfg(unix)]
    keep_owner(temp.path(), &meta)?;
    test_hooks(&target)?;
    // The file must still be what was read and fixed.
    let now = fs::read(&target).map_err(|e| format!("cannot be read again: {e}"))?;
    if now != original {
        return Err("changed on disk while being fixed; not overwritten".into());
    }
    temp.persist(&target)
        .map_err(|e| format!("cannot be replaced: {}", e.error))?;
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Gives the temporary file the original's owner and group, or refuses.
#[cfg(unix)]
fn keep_owner(temp: &Path, meta: &fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let t = fs::metadata(temp).map_err(|e| e.to_string())?;
    if t.uid() == meta.uid() && t.gid() == meta.gid() {
        return Ok(());
    }
    std::os::unix::fs::chown(temp, Some(meta.uid()), Some(meta.gid()))
        .map_err(|e| format!("cannot keep its owner and group ({e}); not fixed"))
}

#[cfg(feature = "testing")]
fn test_hooks(target: &Path) -> Result<(), String> {
    if let Some(extra) = std::env::var_os(MODIFY_BEFORE_RENAME) {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(target)
            .map_err(|e| e.to_string())?;
        f.write_all(extra.to_string_lossy().as_bytes())
            .map_err(|e| e.to_string())?;
    }
    match std::env::var(FAIL_BEFORE_RENAME).as_deref() {
        Ok("abort") => std::process::abort(),
        Ok(_) => Err("failed before the rename (test hook)".into()),
        Err(_) => Ok(()),
    }
}

#[cfg(not(feature = "testing"))]
fn test_hooks(_: &Path) -> Result<(), String> {
    Ok(())
}

/// Removes temporary files an earlier, killed run left for the file `name`.
fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        let middle = n
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX));
        // tempfile's random part: six ASCII alphanumerics.
        if middle.is_some_and(|m| m.len() == 6 && m.bytes().all(|b| b.is_ascii_alphanumeric()))
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_keeps_mode_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, b"old\r\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o751)).unwrap();
        }
        write_atomically(&p, b"old\r\n", b"new\r\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new\r\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
                0o751
            );
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_a_file_changed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, b"edited").unwrap();
        let e = write_atomically(&p, b"old", b"new").unwrap_err();
        assert!(e.contains("changed on disk"), "{e}");
        assert_eq!(fs::read(&p).unwrap(), b"edited");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn removes_stale_temps_of_the_same_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        fs::write(&p, b"old").unwrap();
        let stale = dir.path().join(".a.md.Ab3x9Z.trueconf-lsp-tmp");
        let other = dir.path().join(".b.md.Ab3x9Z.trueconf-lsp-tmp");
        let mine = dir.path().join(".a.md.notes");
        for f in [&stale, &other, &mine] {
            fs::write(f, b"x").unwrap();
        }
        write_atomically(&p, b"old", b"new").unwrap();
        assert!(!stale.exists());
        assert!(other.exists() && mine.exists());
    }
}
