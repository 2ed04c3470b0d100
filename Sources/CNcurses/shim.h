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

/// Writes the sequences that undo what curses set up: mouse reporting, keypad mode and the
/// alternate screen off, cursor shown, attributes reset. Only write(2): async-signal-safe, for
/// the signal handlers (Sources/Terminal/SignalGuard.swift), which also restore the tty modes.
static inline void loupe_write_reset_sequences(void) {
    static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[?1l\033>\033[?1049l\033[?25h\033[0m\r\n";
    ssize_t written = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)written;
}
#endif
