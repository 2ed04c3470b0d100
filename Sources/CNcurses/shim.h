#ifndef LOUPE_CNCURSES_SHIM_H
#define LOUPE_CNCURSES_SHIM_H
// Wide-character ncurses; C macros and globals are wrapped in static inline functions
// because Swift cannot import macros or the `stdscr` global directly.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
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
static inline attr_t loupe_a_normal(void) { return A_NORMAL; }
static inline int loupe_key_f(int n) { return KEY_F(n); }
static inline int loupe_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int loupe_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline mmask_t loupe_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t loupe_button1_pressed(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED; }
#endif
