import Foundation

/// An N×N matrix drawn as coloured cells with the value inside when it fits.
struct Heatmap {
    enum Scale { case sequential, diverging }
    var values: [[Float]]
    var cellWidth: Int
    var scale: Scale = .sequential
    /// Cursor cell (row, column), drawn in the selection style.
    var cursor: (Int, Int)? = nil
    /// Width of the row-number column.
    static let labelWidth = 3

    var width: Int { Self.labelWidth + values.count * cellWidth }

    /// The value as text for a cell `w` columns wide: right-aligned in w − 1 columns plus a space,
    /// so neighbouring negative values never run together; empty when nothing readable fits.
    static func label(_ v: Float, width w: Int) -> String {
        let room = w - 1
        guard room >= 3, v.isFinite else { return "" }
        var t: String
        if room == 3 {
            t = String(Int((v * 100).rounded()))                  // ×100: "83", "-1", "100"
        } else {
            t = String(format: "%.2f", v)                         // "0.83", "-0.20", "1.00"
            if room == 4 {                                        // ".83", "-.20"
                if t.hasPrefix("0.") { t.removeFirst() } else if t.hasPrefix("-0.") { t.remove(at: t.index(after: t.startIndex)) }
            }
        }
        if t == "-0" || t == "-0.00" || t == "-.00" { t.removeFirst() }
        guard t.count <= room else { return "" }
        return DisplayText.padLeft(t, width: room) + " "
    }

    /// Narrow cells show values ×100 (see `label`); the view says so.
    var showsPercent: Bool { cellWidth == 4 }

    func style(_ v: Float) -> SemanticStyle {
        switch scale {
        case .sequential: return .heat(min(1, max(0, v)))
        case .diverging: return .diverging(min(1, max(-1, v)))
        }
    }

    /// Draws the column numbers on row `y`, then one row per item.
    func draw(x: Int, y: Int, into screen: inout Screen) {
        let n = values.count
        for j in 0..<n {
            screen.put(DisplayText.padLeft("\(j + 1)", width: max(1, cellWidth - 1)), x: x + Self.labelWidth + j * cellWidth, y: y, style: .dim)
        }
        for i in 0..<n {
            let row = y + 1 + i
            screen.put(DisplayText.padLeft("\(i + 1)", width: Self.labelWidth - 1), x: x, y: row, style: .dim)
            for j in 0..<n {
                let v = j < values[i].count ? values[i][j] : 0
                let isCursor = cursor.map { $0.0 == i && $0.1 == j } ?? false
                let cx = x + Self.labelWidth + j * cellWidth
                screen.putPadded(Self.label(v, width: cellWidth), x: cx, y: row, width: cellWidth,
                                 style: isCursor ? .cursor : style(v))
            }
        }
    }
}

func renderMatrix(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let m = state.matrix
    let focused = state.textFieldFocused
    let x = screen.put(" Add › ", x: body.x, y: body.y, style: focused ? .accent : .dim)
    renderField(m.input, focused: focused, x: x, y: body.y, width: body.width - x - 1, into: &screen)
    let n = m.texts.count
    guard n > 0 else {
        let lines = ["Press i and type texts (Enter adds each) to compare them pairwise;",
                     "or press a on a Search or Neighbours result to add a document.",
                     "The grid shows the cosine similarity of every pair under the current task and dimension."]
        for (i, l) in lines.enumerated() { screen.put(" " + l, x: body.x, y: body.y + 2 + i, maxWidth: body.width, style: .dim) }
        return
    }
    screen.put(" \(n) texts · cosine similarity · task \(TaskCatalog.name(state.task)) · dim \(state.dim)"
               + (state.requests[.matrix].pending != nil ? " · computing…" : ""), x: body.x, y: body.y + 1, maxWidth: body.width, style: .dim)
    let shown = min(n, max(1, body.height - 7))
    let cellWidth = min(6, max(2, (body.width / 2 - Heatmap.labelWidth) / max(1, shown)))
    let values = m.matrix.count == n ? Array(m.matrix.prefix(shown).map { Array($0.prefix(shown)) }) : []
    var heatWidth = Heatmap.labelWidth + shown * cellWidth
    if !values.isEmpty {
        let map = Heatmap(values: values, cellWidth: cellWidth, cursor: focused ? nil : (m.row, m.column))
        map.draw(x: body.x + 1, y: body.y + 2, into: &screen)
        heatWidth = map.width
        if map.showsPercent { screen.put(" (values ×100)", x: body.x + 1 + map.width, y: body.y + 2, style: .dim) }
    }
    // The texts, numbered like the rows.
    let listX = body.x + heatWidth + 3
    for i in 0..<shown {
        let style: SemanticStyle = (!focused && (i == m.row || i == m.column)) ? .accent : .normal
        screen.put("\(i + 1) " + m.texts[i], x: listX, y: body.y + 3 + i, maxWidth: body.maxX - listX, style: style)
    }
    // What the cursor points at.
    let infoY = body.y + 4 + shown
    guard m.row < n, m.column < n else { return }
    screen.put(" row \(m.row + 1): " + m.texts[m.row], x: body.x, y: infoY, maxWidth: body.width)
    screen.put(" col \(m.column + 1): " + m.texts[m.column], x: body.x, y: infoY + 1, maxWidth: body.width)
    if m.matrix.count == n {
        let v = m.matrix[m.row][m.column]
        var cx = screen.put(" cosine ", x: body.x, y: infoY + 2, style: .dim)
        cx += screen.put(Format.score(v), x: body.x + cx, y: infoY + 2, style: .score(v))
    }
}
