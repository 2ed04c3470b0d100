// The explorer, a map of this module (pure Swift: no ncurses, no threads, no clocks).
//
// - AppState.swift      the whole UI as a value: the lens (task, dimension), the corpus rows, one
//                       sub-state per view, the overlay, request ids.
// - Messages.swift      Message (input, time, results), Effect (what the runtime must do),
//                       AnalysisRequest / AnalysisResult, Key, MouseEvent.
// - Update/             update(state, message) -> [Effect]: keys through the keymap, overlays,
//                       request bookkeeping (a view waits for one id; anything else is stale),
//                       per-view actions, mouse hits.
// - Keymap.swift        one table of bindings: it drives key handling, the ? help and the footer.
// - Layout.swift        where things are, shared by the views and by mouse handling.
// - Views/              render(state) -> Screen: one function per view, plus the chrome (header,
//                       tabs, status bar, key hints) and overlays (help, task picker, detail).
// - Screen.swift        a grid of Cells with semantic styles; DisplayWidth.swift makes every
//                       grapheme take the columns a terminal gives it.
//
// The loupe executable owns the side effects (Sources/loupe/Runtime): it reads keys through the
// Terminal module, feeds messages to `update`, runs the effects on the EncoderService and the
// Analysis functions, and draws `render(state)` after every change.
