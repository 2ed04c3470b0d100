import Foundation

/// A centred box over the view; returns its inner area.
func overlayBox(_ state: AppState, width: Int, height: Int, title: String, into screen: inout Screen) -> Rect {
    let w = min(width, state.width - 4), h = min(height, state.height - 2)
    let r = Rect(x: (state.width - w) / 2, y: (state.height - h) / 2, width: w, height: h)
    screen.fill(r)
    screen.box(r, title: title)
    return r.inset(1)
}

/// The help, generated from the keymap (the same table that handles the keys).
func renderHelp(_ state: AppState, scroll: Int, into screen: inout Screen) {
    var lines: [(String, String, Bool)] = []       // key, help, is a section title
    for (section, bindings) in Keymap.help(for: state.view) {
        if !lines.isEmpty { lines.append(("", "", false)) }
        lines.append((section, "", true))
        for b in bindings { lines.append((b.label, b.help, false)) }
    }
    lines.append(("", "", false))
    lines.append(("Overlays", "", true))
    lines.append(("↑ ↓ PgUp PgDn", "scroll; Enter chooses in the task picker", false))
    lines.append(("Esc", "close", false))
    let inner = overlayBox(state, width: 72, height: lines.count + 2, title: "Keys — \(state.view.title) (Esc closes)", into: &screen)
    let top = min(scroll, max(0, lines.count - inner.height))
    for (row, line) in lines.dropFirst(top).prefix(inner.height).enumerated() {
        let y = inner.y + row
        if line.2 { screen.put(" " + line.0, x: inner.x, y: y, style: .title); continue }
        screen.put("  " + line.0, x: inner.x, y: y, maxWidth: 16, style: .keyHint)
        screen.put(line.1, x: inner.x + 17, y: y, maxWidth: inner.width - 17)
    }
}

/// The task picker: every adapter with its purpose and the prefix it adds, then "none".
func renderTaskPicker(_ state: AppState, selected: Int, into screen: inout Screen) {
    let choices = state.taskChoices
    let inner = overlayBox(state, width: 76, height: choices.count * 2 + 4, title: "Task (Enter chooses, Esc closes)", into: &screen)
    if state.model?.hasAdapters != true {
        for (i, line) in TaskCatalog.adapterHelp.enumerated() {
            screen.put(" " + line, x: inner.x, y: inner.y + i, maxWidth: inner.width, style: i == 0 ? .warning : .normal)
        }
        return
    }
    for (i, task) in choices.enumerated() {
        let y = inner.y + i * 2
        guard y + 1 < inner.maxY else { break }
        let current = task == state.task ? " (current)" : ""
        screen.putPadded((i == selected ? " ▶ " : "   ") + TaskCatalog.name(task) + current, x: inner.x, y: y,
                         width: inner.width, style: i == selected ? .selection : .title)
        let prefix = state.model?.instructions[task ?? ""] ?? ""
        let detail = TaskCatalog.purpose(task) + (prefix.isEmpty ? " · no prefix" : " · prefix “\(prefix)”")
        screen.put("     " + detail, x: inner.x, y: y + 1, maxWidth: inner.width, style: .dim)
    }
}

/// The full text of a document, word-wrapped and scrollable.
func renderDetail(_ state: AppState, document: Int, scroll: Int, into screen: inout Screen) {
    let r = Rect(x: 2, y: 3, width: state.width - 4, height: state.height - 6)
    screen.fill(r)
    let source = state.documents.indices.contains(document) ? state.documents[document].source : ""
    screen.box(r, title: "#\(document) \(source) (↑↓ scroll, Esc closes)")
    let inner = r.inset(1)
    // Wrapping is bounded too: the first 20,000 characters of a huge document are plenty to read here.
    let (head, cut) = DisplayText.head(documentText(state, document), graphemes: 20_000)
    var lines = DisplayText.wrap(head, width: inner.width - 2)
    if cut { lines.append("… (the first 20,000 characters are shown)") }
    let top = min(scroll, max(0, lines.count - inner.height))
    for (row, line) in lines.dropFirst(top).prefix(inner.height).enumerated() {
        screen.put(" " + line, x: inner.x, y: inner.y + row, maxWidth: inner.width)
    }
}
