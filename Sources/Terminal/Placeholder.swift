import CNcurses
// PLACEHOLDER — the only module that talks to ncurses (issue 6).
