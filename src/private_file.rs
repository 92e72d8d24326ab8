//! Files only their owner may read: the emulator's database (it holds secret
//! values) and the log, whatever the umask.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` for appending, creating it with mode 0600; an existing file
/// that others could read is narrowed to 0600 first. Anything but a regular
/// file is refused: the open does not wait for a FIFO's reader
/// (O_NONBLOCK), and the check is on what was opened.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NONBLOCK);
    }
    let not_regular = || io::Error::new(io::ErrorKind::InvalidInput, "not a regular file: not written");
    let file = options.open(path).map_err(|e| match e.raw_os_error() {
        // What a FIFO without a reader, or a socket, answers a non-blocking open for writing.
        #[cfg(unix)]
        Some(libc::ENXIO) => not_regular(),
        _ => e,
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    restrict(&file)?;
    Ok(file)
}

/// Replaces `path` with `bytes` whole, mode 0600: written beside it, then
/// renamed over it, so a reader never sees half a file.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = OpenOptions::new();
    options.create_new(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Makes sure `path` exists with mode 0600 (and narrows it if it is wider).
pub fn ensure(path: &Path) -> io::Result<()> {
    open_append(path).map(drop)
}

#[cfg(unix)]
fn restrict(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file.metadata()?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn new_and_existing_files_end_up_0600() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh");
        open_append(&fresh).unwrap();
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
        let wide = dir.path().join("wide");
        std::fs::write(&wide, "x").unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).unwrap();
        ensure(&wide).unwrap();
        assert_eq!(std::fs::metadata(&wide).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&wide).unwrap(), "x", "the content stays");
    }

    #[test]
    fn a_replaced_file_is_whole_and_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.json");
        std::fs::write(&path, "old and longer").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        replace(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
