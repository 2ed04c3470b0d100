#ifndef LOUPE_CNCURSES_SHIM_H
#define LOUPE_CNCURSES_SHIM_H
// Wide-character ncurses; C macros and globals are wrapped in static inline functions
// because Swift cannot import macros or the `stdscr` global directly.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>

static inline WINDOW *loupe_stdscr(void) { return stdscr; }
static inline int loupe_lines(void) { return LINES; }
static inline int loupe_cols(void) { return COLS; }
static inline int loupe_colors(void) { return COLORS; }
static inline int loupe_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t loupe_a_bold(void) { return A_BOLD; }
static inline attr_t loupe_a_underline(void) { return A_UNDERLINE; }
static inline attr_t loupe_a_reverse(void) { return A_REVERSE; }
static inline attr_t loupe_a_dim(void) { return A_DIM; }
static inline attr_t loupe_a_italic(void) { return A_ITALIC; }
static inline attr_t loupe_a_normal(void) { return A_NORMAL; }
static inline int loupe_key_f(int n) { return KEY_F(n); }
static inline int loupe_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int loupe_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline mmask_t loupe_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t loupe_button1_pressed(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED; }

// --- added for the explorer's terminal (Sources/Terminal) ---

/// Clicks and wheel only: motion reporting would flood the input loop.
static inline mmask_t loupe_click_and_wheel_events(void) {
    return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int loupe_is_button1(mmask_t m) { return (m & (BUTTON1_PRESSED | BUTTON1_CLICKED)) != 0; }
static inline int loupe_is_wheel_up(mmask_t m) { return (m & BUTTON4_PRESSED) != 0; }
static inline int loupe_is_wheel_down(mmask_t m) { return (m & BUTTON5_PRESSED) != 0; }

/// Sets attributes and a colour pair (the pair as a separate argument, so more than 256 pairs work).
static inline int loupe_attr_set(attr_t attrs, short pair) { return attr_set(attrs, pair, NULL); }
static inline int loupe_mvaddwstr(int y, int x, const wchar_t *s) { return mvaddwstr(y, x, s); }
static inline int loupe_erase(void) { return erase(); }
static inline int loupe_refresh(void) { return refresh(); }
static inline int loupe_get_wch(wint_t *ch) { return get_wch(ch); }
static inline void loupe_timeout(int ms) { timeout(ms); }
static inline int loupe_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }

/// The terminal modes from before curses started, for the signal handlers.
static struct termios loupe_saved_termios;
static volatile sig_atomic_t loupe_have_saved_termios = 0;

static inline void loupe_save_terminal_modes(void) {
    if (tcgetattr(STDIN_FILENO, &loupe_saved_termios) == 0) loupe_have_saved_termios = 1;
}

/// Restores the terminal from a signal handler with async-signal-safe calls only (endwin is not:
/// the interrupted thread may be inside ncurses): mouse reporting, keypad mode and the alternate
/// screen off, cursor shown, attributes reset, then the saved tty modes (echo, line editing).
static inline void loupe_emergency_restore(void) {
    static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[?1l\033>\033[?1049l\033[?25h\033[0m\r\n";
    ssize_t written = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)written;
    if (loupe_have_saved_termios) tcsetattr(STDIN_FILENO, TCSAFLUSH, &loupe_saved_termios);
}

static void loupe_fatal_signal(int sig) {
    loupe_emergency_restore();
    // Re-raise with the default action so a crash still reports (and dumps) as a crash.
    signal(sig, SIG_DFL);
    raise(sig);
}

static void loupe_termination_signal(int sig) {
    loupe_emergency_restore();
    _exit(128 + sig);
}

/// SIGTERM/SIGHUP/SIGINT/SIGQUIT end the program with the terminal restored; crash signals
/// (SIGSEGV, SIGBUS, SIGILL — Swift traps —, SIGFPE, SIGABRT, SIGTRAP) restore it, then crash.
static inline void loupe_install_signal_handlers(void) {
    int ends[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
    int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (unsigned i = 0; i < sizeof ends / sizeof ends[0]; i++) signal(ends[i], loupe_termination_signal);
    for (unsigned i = 0; i < sizeof crashes / sizeof crashes[0]; i++) signal(crashes[i], loupe_fatal_signal);
}

static inline void loupe_reset_signal_handlers(void) {
    int all[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) signal(all[i], SIG_DFL);
}
#endif
