//! Opening a file for reading without blocking on a FIFO, and telling
//! special files (FIFOs, devices, sockets) from regular ones. Depends on
//! nothing else in the project, so the configuration loader and the walk
//! both use it.

/// What a path that is not a regular file is, in words ("a FIFO", "a
/// character device"…), or `None` for a regular file or a folder.
pub fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Opens `path` for reading without ever blocking on a FIFO (`O_NONBLOCK`
/// on Unix) and checks, on the open file, that it is a regular file. A
/// special file gives `Ok(Err(what))` ("a FIFO"…), never read.
pub fn open_regular(
    path: &std::path::Path,
) -> std::io::Result<Result<(std::fs::File, std::fs::Metadata), &'static str>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    match special_kind(meta.file_type()) {
        None if meta.is_file() => Ok(Ok((file, meta))),
        // As reading it would: "Is a directory".
        #[cfg(unix)]
        None => Err(std::io::Error::from_raw_os_error(libc::EISDIR)),
        #[cfg(not(unix))]
        None => Ok(Err("a folder")),
        Some(what) => Ok(Err(what)),
    }
}
