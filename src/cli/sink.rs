//! Where a report goes: standard output, or a file written whole.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::args::Args;
use crate::project::walk::ReportFile;

/// Where the report goes: standard output or `-o FILE`.
pub enum Sink<'a> {
    Stdout(&'a mut dyn Write),
    File(PathBuf, io::BufWriter<std::fs::File>),
}

impl Sink<'_> {
    pub fn open<'a>(args: &Args, stdout: &'a mut dyn Write) -> io::Result<Sink<'a>> {
        match &args.output_file {
            None => Ok(Sink::Stdout(stdout)),
            Some(p) if p.as_os_str() == "-" => Ok(Sink::Stdout(stdout)),
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| with_path(p, e))?;
                }
                let f = std::fs::File::create(p).map_err(|e| with_path(p, e))?;
                Ok(Sink::File(p.clone(), io::BufWriter::new(f)))
            }
        }
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Stdout(w) => *w,
            Sink::File(_, w) => w,
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File(p, mut w) => {
                w.flush().map_err(|e| with_path(&p, e))?;
                // `-o /dev/null`, a FIFO, a terminal: nothing to sync
                // (fsync fails with EINVAL on them).
                let regular = w.get_ref().metadata().is_ok_and(|m| m.is_file());
                if !regular {
                    return Ok(());
                }
                w.get_ref().sync_all().map_err(|e| with_path(&p, e))
            }
        }
    }
}

fn with_path(p: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", p.display()))
}

/// The report file (`-o FILE`, not `-` for standard output), when it
/// exists already.
pub fn report_file(args: &Args) -> Option<ReportFile> {
    args.output_file
        .as_deref()
        .filter(|p| p.as_os_str() != "-")
        .and_then(ReportFile::of)
}
