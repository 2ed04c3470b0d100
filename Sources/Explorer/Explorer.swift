// The explorer, a map of this module (pure Swift: no ncurses, no threads, no clocks).
//
// - AppState.swift      the whole UI as a value: the lens (task, dimension), the corpus rows, one
//                       sub-state per view, the overlay; RequestTable.swift: one request slot per view.
// - Messages.swift      Message (input, time, results), Effect (what the runtime must do), Key,
//                       MouseEvent. Questions and answers are the Session module's types.
// - Update/             update(state, message) -> [Effect]: keys through the keymap, overlays,
//                       request bookkeeping (a view waits for one id; anything else is stale),
//                       per-view actions, mouse hits.
// - Keymap.swift        one table of bindings: it drives key handling, the ? help and the footer.
// - Layout.swift        where things are, shared by the views and by mouse handling.
// - Views/              render(state) -> Screen: one function per view, plus the chrome (header,
//                       tabs, status bar, key hints) and overlays (help, task picker, detail);
//                       ListWidget draws Search, Neighbours, Clusters and Duplicates.
// - Screen.swift        a grid of Cells with semantic styles; DisplayWidth.swift makes every
//                       grapheme take the columns a terminal gives it.
//
// The side effects live elsewhere: ExplorerRuntime runs the effects against the Session's Workspace
// and posts messages back; the loupe executable's loop reads keys through the Terminal module, feeds
// messages to `update` and draws `render(state)` after every change.
