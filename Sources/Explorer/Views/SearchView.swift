import Foundation

/// " in 1200 of 5000 documents indexed so far": search runs on the part embedded while indexing goes on.
func partialNote(_ state: AppState) -> String {
    let n = state.partialChunks
    return n <= state.documents.count ? " in \(n) of \(state.documents.count) documents indexed so far"
        : " in \(n) chunks indexed so far"
}

func renderSearch(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let s = state.search
    let pending = state.requests[.search].pending != nil
    let focused = state.textFieldFocused
    let x = screen.put(" Query › ", x: body.x, y: body.y, style: focused ? .accent : .dim)
    renderField(s.query, focused: focused, x: x, y: body.y, width: body.width - x - 1, into: &screen)

    let summary: String
    if let error = state.indexError {
        summary = "the corpus could not be indexed: \(error)"
    } else if s.query.text.trimmingCharacters(in: .whitespaces).isEmpty {
        summary = state.documents.isEmpty ? "loading the corpus…" : "type to search \(state.documents.count) documents"
    } else if !state.indexReady && state.partialChunks == 0 {
        summary = "indexing the corpus… results appear as soon as the first part is embedded"
    } else if pending && s.hits.isEmpty {
        summary = "searching…"
    } else {
        summary = "\(s.hits.count) results for “\(s.answeredQuery)”" + (state.indexReady ? "" : partialNote(state))
            + relevanceNote(state) + (pending ? "  (updating…)" : "")
    }
    screen.put(" " + summary, x: body.x, y: body.y + 1, maxWidth: body.width, style: .dim)

    let relevant = state.evaluation?.relevance[s.answeredQuery.trimmingCharacters(in: .whitespaces)]
    Layout.listWidget(state, .search)?.render(into: &screen) { i, row, screen in
        let hit = s.hits[i]
        var x = row.x
        x += screen.put(DisplayText.padLeft("\(i + 1)", width: 3) + " ", x: x, y: row.y, style: .dim)
        if let relevant {
            let grade = relevant[hit.document]
            x += screen.put(grade.map { $0 > 1 ? "✓\($0) " : "✓  " } ?? "   ", x: x, y: row.y, style: .success)
        }
        x += ProgressBar.draw(fraction: Double(max(0, hit.score)), width: 10, x: x, y: row.y, into: &screen,
                              style: .score(hit.score))
        x += screen.put(" " + Format.score(hit.score) + "  ", x: x, y: row.y, style: .score(hit.score))
        putHighlighted(documentText(state, hit.document), span: hit.span, x: x, y: row.y, width: row.maxX - x, into: &screen)
    }
}

/// " · 2 of 3 relevant documents found": when the answered query is one of the evaluation set's.
func relevanceNote(_ state: AppState) -> String {
    guard let relevant = state.evaluation?.relevance[state.search.answeredQuery.trimmingCharacters(in: .whitespaces)],
          !relevant.isEmpty else { return "" }
    let found = state.search.hits.filter { relevant[$0.document] != nil }.count
    return " · \(found) of \(relevant.count) relevant (✓) found"
}

/// A text field's visible part, with the cursor cell drawn in the cursor style when focused.
func renderField(_ field: TextField, focused: Bool, x: Int, y: Int, width: Int, into screen: inout Screen) {
    guard width > 1 else { return }
    let (text, cursorColumn) = field.visible(width: width)
    screen.fill(Rect(x: x, y: y, width: width, height: 1), style: .input)
    screen.put(text, x: x, y: y, maxWidth: width, style: .input)
    if focused, x + cursorColumn < screen.width {
        screen[x + cursorColumn, y].style = .cursor
    }
}

/// Draws `text` on one row; the characters inside `span` (Unicode-scalar offsets, the best-matching
/// chunk) are highlighted. When the span starts beyond the row, the text is shown from shortly before it.
func putHighlighted(_ text: String, span: Range<Int>?, x: Int, y: Int, width: Int, into screen: inout Screen) {
    guard let span else {
        screen.put(text, x: x, y: y, maxWidth: width, style: .normal)
        return
    }
    // Split by scalar offsets, then rejoin as Strings (grapheme-safe enough: spans come from
    // sentence boundaries, never from inside a grapheme). Only the scalars up to a little past
    // the span's start plus a row are needed. Offsets refer to the raw text, so sanitizing
    // happens after the split (Screen.put does it).
    let scalars = Array(text.unicodeScalars.prefix(span.lowerBound + 4 * width + 16))
    let lo = min(span.lowerBound, scalars.count), hi = min(span.upperBound, scalars.count)
    var before = String(String.UnicodeScalarView(scalars[0..<lo]))
    let inside = String(String.UnicodeScalarView(scalars[lo..<hi]))
    let after = String(String.UnicodeScalarView(scalars[hi...]))
    let beforeWidth = DisplayWidth.of(before)
    if beforeWidth > width / 3 && beforeWidth + DisplayWidth.of(inside) > width {
        // Keep the tail of `before` so the highlighted chunk is visible.
        var tail = ""
        for c in before.reversed() {
            if DisplayWidth.of(tail) + DisplayWidth.of(c) > 8 { break }
            tail.insert(c, at: tail.startIndex)
        }
        before = "…" + tail
    }
    var col = x
    for (part, style) in [(before, SemanticStyle.normal), (inside, .highlight), (after, .normal)] where !part.isEmpty {
        let room = x + width - col
        guard room > 0 else { break }
        col += screen.put(part, x: col, y: y, maxWidth: room, style: style)
    }
}
