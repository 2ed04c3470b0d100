import Foundation
import Analysis

func renderAdapters(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let a = state.adapters
    if a.mode == .evaluation { return renderEvaluation(state, into: &screen, body) }
    var y = body.y
    let hasAdapters = state.model?.hasAdapters ?? false
    if state.model != nil && !hasAdapters {
        for line in TaskCatalog.adapterHelp {
            screen.put(" " + line, x: body.x, y: y, maxWidth: body.width, style: .warning); y += 1
        }
    }
    let full = state.model.map { $0.dimensions.max() ?? $0.hiddenSize } ?? state.dim
    let tasksMode = a.mode == .tasks && hasAdapters
    let titleA = tasksMode ? "A \(TaskCatalog.name(a.taskA))" : "A \(TaskCatalog.name(a.taskA)) @\(full)"
    let titleB = tasksMode ? "B \(TaskCatalog.name(a.taskB))" : "B \(TaskCatalog.name(a.taskA)) @\(state.dim)"
    var header = " \(titleA)  vs  \(titleB)" + (tasksMode ? "  at dim \(state.dim)" : "  (Matryoshka truncation)")
    if let c = a.comparison { header += String(format: "  ·  Spearman %.2f", c.spearman) }
    if state.requests[.adapters].pending != nil { header += "  ·  computing…" }
    screen.put(header, x: body.x, y: y, maxWidth: body.width, style: .accent); y += 1
    if hasAdapters {
        let purpose = tasksMode
            ? "A: \(TaskCatalog.purpose(a.taskA))  B: \(TaskCatalog.purpose(a.taskB))"
            : "the same task at full size and at \(state.dim) dims ([ ] change it)"
        screen.put(" " + purpose, x: body.x, y: y, maxWidth: body.width, style: .dim); y += 1
    }
    guard let c = a.comparison, c.matrixA.count >= 2 else {
        let text = a.texts.count < 2 && state.model != nil && !state.documents.isEmpty
            ? "add two or more texts in the Matrix view (or load a corpus) to compare"
            : (state.model == nil ? "loading the model…" : "embedding the texts under both lenses…")
        screen.put(" " + text, x: body.x, y: y + 1, maxWidth: body.width, style: .dim)
        return
    }
    // Three matrices side by side: A, B, and B − A on the diverging scale.
    let n = c.matrixA.count
    let gap = 2
    let cellWidth = min(6, max(2, (body.width - 2 - 2 * gap - 3 * Heatmap.labelWidth) / (3 * n)))
    let maps = [(titleA, Heatmap(values: c.matrixA, cellWidth: cellWidth)),
                (titleB, Heatmap(values: c.matrixB, cellWidth: cellWidth)),
                ("B − A", Heatmap(values: c.difference, cellWidth: cellWidth, scale: .diverging))]
    var x = body.x + 1
    for (i, (title, map)) in maps.enumerated() {
        let w = screen.put(title, x: x, y: y, maxWidth: map.width, style: .title)
        if i == 2 && map.showsPercent { screen.put("  (cells ×100)", x: x + w, y: y, maxWidth: map.width - w, style: .dim) }
        map.draw(x: x, y: y + 1, into: &screen)
        x += map.width + gap
    }
    y += n + 3
    // How each item's neighbours move from A to B (ranks under B, with the change since A).
    screen.put(" neighbours of each item under B, with rank moves since A (↑ closer in B, ↓ further)",
               x: body.x, y: y, maxWidth: body.width, style: .dim)
    y += 1
    for i in 0..<n where y < body.maxY {
        let selected = i == a.selected
        let textWidth = min(30, body.width / 3)
        var cx = body.x + screen.put(selected ? " ▶ " : "   ", x: body.x, y: y, style: .accent)
        cx += screen.put("\(i + 1) ", x: cx, y: y, style: .dim)
        let text = i < a.texts.count ? a.texts[i] : ""
        screen.putPadded(text, x: cx, y: y, width: textWidth, style: selected ? .selection : .normal)
        cx += textWidth + 1
        for (j, move) in RankMoves.ordered(c, item: i) {
            guard cx < body.maxX - 4 else { break }
            cx += screen.put(" \(j + 1)", x: cx, y: y)
            if move > 0 { cx += screen.put("↑\(move)", x: cx, y: y, style: .rankUp) }
            else if move < 0 { cx += screen.put("↓\(-move)", x: cx, y: y, style: .rankDown) }
        }
        y += 1
    }
}

public enum RankMoves {
    /// Item `i`'s neighbours in B's order (most similar first) with their rank change since A
    /// (positive = moved up, i.e. closer, in B).
    public static func ordered(_ c: Comparison, item i: Int) -> [(neighbour: Int, move: Int)] {
        guard i < c.matrixB.count else { return [] }
        let row = c.matrixB[i]
        let order = row.indices.filter { $0 != i }.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
        return order.map { j in
            let move = i < c.rankChanges.count && j < c.rankChanges[i].count ? c.rankChanges[i][j] : 0
            return (j, move)
        }
    }
}
