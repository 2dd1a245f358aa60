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
//! the original flags are put back before the process exits ([`restore`]):
//! on `exit` and at the end of the input, on a panic that unwinds out of
//! the server ([`Restore`]), and on SIGTERM, SIGINT and SIGHUP, whose
//! handler puts the flags back and then lets the signal end the process as
//! it would have. (SIGKILL cannot be caught; while the server runs, another
//! process that shares its standard input's open file sees it
//! non-blocking too.)

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

/// Calls [`restore`] when dropped: held while the server runs, it puts the
/// flags back if a panic unwinds out of it.
pub(super) struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
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
    use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

    use crate::lsp::stdio::{Input, Kind, Output};

    /// The flags the standard input (0) and output (1) had before they were
    /// made non-blocking; -1 for none. Atomics, not a lock: the signal
    /// handler reads them.
    static SAVED: [AtomicI32; 2] = [AtomicI32::new(-1), AtomicI32::new(-1)];

    /// The signals whose handler puts the flags back before the signal
    /// ends the process.
    const SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP];

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

    pub(super) fn restore() {
        for fd in 0..SAVED.len() {
            restore_fd(fd as i32);
        }
    }

    /// [`restore`] for one descriptor, forgetting its flags. Only what is
    /// safe in a signal handler: an atomic swap and `fcntl`.
    fn restore_fd(fd: i32) {
        let Some(saved) = usize::try_from(fd).ok().and_then(|i| SAVED.get(i)) else {
            return;
        };
        let flags = saved.swap(-1, Ordering::SeqCst);
        if flags >= 0 {
            // SAFETY: fcntl on a standard descriptor's number; were it
            // closed, the call would only fail.
            unsafe { libc::fcntl(fd, libc::F_SETFL, flags) };
        }
    }

    /// The handler of [`SIGNALS`], installed with `SA_RESETHAND`: puts the
    /// flags back, then raises the signal again, which its default action
    /// now handles (the process ends as killed by it).
    extern "C" fn on_signal(signal: libc::c_int) {
        restore();
        // SAFETY: raise is async-signal-safe.
        unsafe { libc::raise(signal) };
    }

    /// Installs [`on_signal`] for each of [`SIGNALS`] that has its default
    /// action (one the parent made ignored stays ignored), once.
    fn handle_signals() {
        static INSTALLED: AtomicBool = AtomicBool::new(false);
        if INSTALLED.swap(true, Ordering::SeqCst) {
            return;
        }
        for signal in SIGNALS {
            // SAFETY: a zeroed sigaction is a valid "default" action; the
            // handler is an `extern "C" fn(c_int)` that only does what is
            // safe in a signal handler.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction != libc::SIG_DFL
                {
                    continue;
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
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
            // Only the standard input and output are made non-blocking.
            let saved = usize::try_from(raw).ok().and_then(|i| SAVED.get(i))?;
            // Saved, and the handlers in place, before the flag is set: a
            // signal at any point finds what to put back.
            handle_signals();
            saved.store(flags, Ordering::SeqCst);
            // SAFETY: as above.
            if unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
                saved.store(-1, Ordering::SeqCst);
                return None;
            }
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
