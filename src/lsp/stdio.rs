//! The server's standard input and output.
//!
//! Tokio's `Stdin` and `Stdout` do every read and every write on a thread
//! of the runtime's blocking pool: each message costs handoffs between
//! threads both ways. When the standard input or output is a pipe (Emacs,
//! Python's `subprocess`) or a Unix socket (editors built on libuv, such
//! as VS Code and Neovim, give a child a socket pair), it is made
//! non-blocking and driven by the runtime's event loop instead, which
//! reads and writes on the thread that handles the message. Anything else
//! (a terminal, a file, `/dev/null`) keeps tokio's.
//!
//! Non-blocking is a property of the open file, shared by every process
//! and descriptor that share it. So a side is left blocking when another
//! of the three standard descriptors is the same file (a log written to
//! the protocol's pipe, `2>&1`, must not start failing with `EAGAIN`), and
//! the original flags are put back before the process exits ([`restore`]).

use tokio::io::{AsyncRead, AsyncWrite};

pub(super) type Input = Box<dyn AsyncRead + Unpin + Send>;
pub(super) type Output = Box<dyn AsyncWrite + Unpin + Send>;

/// The standard input and output, each driven by the event loop when it
/// can be. Call it inside the runtime.
pub(super) fn standard() -> (Input, Output) {
    #[cfg(unix)]
    {
        (
            unix::input().unwrap_or_else(|| Box::new(tokio::io::stdin())),
            unix::output().unwrap_or_else(|| Box::new(tokio::io::stdout())),
        )
    }
    #[cfg(not(unix))]
    {
        (Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout()))
    }
}

/// Puts back the flags the standard input and output had before
/// [`standard`] made them non-blocking. Call it right before the process
/// exits.
pub(super) fn restore() {
    #[cfg(unix)]
    unix::restore();
}

/// How a standard descriptor can be driven by the event loop.
#[cfg(unix)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pipe,
    UnixSocket,
    /// A terminal, a file, a socket of another family, or unknown.
    Other,
}

#[cfg(unix)]
mod unix {
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
    use std::sync::{Mutex, MutexGuard};

    use crate::lsp::stdio::{Input, Kind, Output};

    /// The flags each descriptor had before it was made non-blocking.
    static SAVED: Mutex<Vec<(i32, libc::c_int)>> = Mutex::new(Vec::new());

    pub(super) fn input() -> Option<Input> {
        driven(
            std::io::stdin().as_fd(),
            &[1, 2],
            |fd| {
                let rx = tokio::net::unix::pipe::Receiver::from_owned_fd_unchecked(fd).ok()?;
                Some(Box::new(rx) as Input)
            },
            |s| Box::new(s) as Input,
        )
    }

    pub(super) fn output() -> Option<Output> {
        driven(
            std::io::stdout().as_fd(),
            &[0, 2],
            |fd| {
                let tx = tokio::net::unix::pipe::Sender::from_owned_fd_unchecked(fd).ok()?;
                Some(Box::new(tx) as Output)
            },
            |s| Box::new(s) as Output,
        )
    }

    /// `fd` made non-blocking and registered with the event loop, as a pipe
    /// by `pipe` or as a socket by `socket`, when it is [`usable`]; `None`
    /// (and `fd` as it was) otherwise.
    fn driven<T>(
        fd: BorrowedFd<'_>,
        others: &[i32],
        pipe: impl FnOnce(OwnedFd) -> Option<T>,
        socket: impl FnOnce(tokio::net::UnixStream) -> T,
    ) -> Option<T> {
        let kind = usable(fd, others)?;
        let owned = prepare(fd)?;
        let driven = match kind {
            Kind::Pipe => pipe(owned),
            Kind::UnixSocket => {
                let std = std::os::unix::net::UnixStream::from(owned);
                tokio::net::UnixStream::from_std(std).ok().map(socket)
            }
            Kind::Other => None,
        };
        if driven.is_none() {
            restore_fd(fd.as_raw_fd());
        }
        driven
    }

    fn saved() -> MutexGuard<'static, Vec<(i32, libc::c_int)>> {
        SAVED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn restore() {
        for &(fd, flags) in saved().iter() {
            // SAFETY: fcntl on a standard descriptor's number; were it
            // closed, the call would only fail.
            unsafe { libc::fcntl(fd, libc::F_SETFL, flags) };
        }
    }

    /// [`restore`] for one descriptor, forgetting its flags.
    fn restore_fd(fd: i32) {
        let mut saved = saved();
        if let Some(i) = saved.iter().position(|&(f, _)| f == fd) {
            let (_, flags) = saved.remove(i);
            // SAFETY: as in `restore`.
            unsafe { libc::fcntl(fd, libc::F_SETFL, flags) };
        }
    }

    /// The kind of `fd` when it can be made non-blocking: a pipe or a
    /// Unix socket that is not the same file as any of `others`.
    fn usable(fd: BorrowedFd<'_>, others: &[i32]) -> Option<Kind> {
        let st = stat(fd.as_raw_fd())?;
        let kind = match st.st_mode & libc::S_IFMT {
            libc::S_IFIFO => Kind::Pipe,
            libc::S_IFSOCK if is_unix_stream(fd) => Kind::UnixSocket,
            _ => Kind::Other,
        };
        if kind == Kind::Other {
            return None;
        }
        let same_file =
            |o: &i32| stat(*o).is_some_and(|s| s.st_dev == st.st_dev && s.st_ino == st.st_ino);
        if others.iter().any(same_file) {
            return None;
        }
        Some(kind)
    }

    /// A duplicate of `fd`, its open file made non-blocking, the flags it
    /// had saved for [`restore`].
    fn prepare(fd: BorrowedFd<'_>) -> Option<OwnedFd> {
        let raw = fd.as_raw_fd();
        // SAFETY: fcntl on a descriptor borrowed for this call.
        let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
        if flags < 0 {
            return None;
        }
        let owned = fd.try_clone_to_owned().ok()?;
        if flags & libc::O_NONBLOCK == 0 {
            // SAFETY: as above.
            if unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
                return None;
            }
            saved().push((raw, flags));
        }
        Some(owned)
    }

    fn stat(fd: i32) -> Option<libc::stat> {
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: fstat writes a whole `stat` when it returns 0.
        if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: fstat returned 0.
        Some(unsafe { st.assume_init() })
    }

    /// Is `fd` a stream socket of the Unix family (what a socket pair
    /// made by the client is)?
    fn is_unix_stream(fd: BorrowedFd<'_>) -> bool {
        let raw = fd.as_raw_fd();
        let mut kind: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes into `kind`.
        let stream = unsafe {
            libc::getsockopt(
                raw,
                libc::SOL_SOCKET,
                libc::SO_TYPE,
                (&raw mut kind).cast(),
                &mut len,
            )
        } == 0
            && kind == libc::SOCK_STREAM;
        let mut addr = std::mem::MaybeUninit::<libc::sockaddr_storage>::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: getsockname writes at most `len` bytes into `addr`, which
        // starts zeroed, so its family is read initialized either way.
        let named = unsafe { libc::getsockname(raw, addr.as_mut_ptr().cast(), &mut len) } == 0;
        // SAFETY: zeroed, then possibly written by getsockname.
        let family = unsafe { addr.assume_init() }.ss_family;
        stream && named && libc::c_int::from(family) == libc::AF_UNIX
    }
}
