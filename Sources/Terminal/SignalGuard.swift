import CNcurses
import Foundation

/// Keeps the terminal usable whatever ends the process. Termination signals (SIGTERM, SIGHUP,
/// SIGINT, SIGQUIT) restore it and exit with 128 + signal; crash signals (SIGSEGV, SIGBUS, SIGILL
/// — Swift traps —, SIGFPE, SIGABRT, SIGTRAP) restore it and re-raise, so a crash still reports
/// as one. The handlers only use async-signal-safe calls (write, tcsetattr, signal, raise,
/// _exit): endwin is not safe there, the interrupted thread may be inside ncurses.
enum SignalGuard {
    static let terminating: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
    static let crashing: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    /// Saves the tty modes (before curses changes them) and installs the handlers.
    static func install() {
        if tcgetattr(STDIN_FILENO, savedModes) == 0 { haveSavedModes = true }
        for s in terminating { signal(s, onTerminate) }
        for s in crashing { signal(s, onCrash) }
    }

    static func uninstall() {
        for s in terminating + crashing { signal(s, SIG_DFL) }
    }
}

// Globals, not statics of a type: a C-convention handler can read them without captures. Both
// are written once, before the handlers are installed. The modes live in an allocation of
// MemoryLayout<termios>.size (60) bytes: Swift 6.3 emits a global `termios` as a packed 57-byte
// object (without the padding before c_ispeed), so tcgetattr's 60-byte write overflowed it
// (AddressSanitizer: global-buffer-overflow).
nonisolated(unsafe) private let savedModes = UnsafeMutablePointer<termios>.allocate(capacity: 1)
nonisolated(unsafe) private var haveSavedModes = false

private func restoreFromHandler() {
    loupe_write_reset_sequences()
    if haveSavedModes { tcsetattr(STDIN_FILENO, TCSAFLUSH, savedModes) }
}

private let onTerminate: @convention(c) (Int32) -> Void = { sig in
    restoreFromHandler()
    _exit(128 + sig)
}

private let onCrash: @convention(c) (Int32) -> Void = { sig in
    restoreFromHandler()
    signal(sig, SIG_DFL)
    raise(sig)
}
