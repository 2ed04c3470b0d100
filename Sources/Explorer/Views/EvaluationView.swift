import Evaluation
import Foundation

/// The Adapters view in evaluation mode: the chosen metric against dimension, one line per task (the
/// same chart `loupe eval` prints), and the table of values with the best cell marked and the memory a
/// million vectors take at each dimension in the chosen storage.
func renderEvaluation(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    guard let e = state.evaluation else { return }
    var y = body.y
    screen.put(" Evaluation · \(e.name)", x: body.x, y: y, maxWidth: body.width, style: .accent); y += 1
    guard let report = e.report, let metric = e.metricName else {
        let text = state.requests[.adapters].pending != nil
            ? "evaluating every task × dimension × storage (embeddings go through the cache; progress below)…"
            : "press m for the evaluation"
        screen.put(" " + text, x: body.x, y: y + 1, maxWidth: body.width, style: .dim)
        return
    }
    let table = report.table(metric: metric, storage: e.storage)
    let storageNote = e.storage == .float32 ? "float32" : "\(e.storage.rawValue) (values; float32 share in brackets)"
    var header = " \(EvalFormat.title(metric)) · \(storageNote) · \(report.evaluated) "
        + (report.kind == .retrieval ? "queries" : report.kind == .pairs ? "pairs" : "texts")
    if report.skipped > 0 { header += " (\(report.skipped) skipped: no relevant document)" }
    screen.put(header + "   e metric · s storage · m mode", x: body.x, y: y, maxWidth: body.width, style: .dim); y += 1

    // The table takes a header row, a memory row and a row per task; the chart gets the rest.
    let tableRows = table.tasks.count + 2
    let chartHeight = body.maxY - y - tableRows - 2
    if chartHeight >= 5 {
        let series = table.tasks.enumerated().map { LineChart.Series(name: $0.element, values: table.values[$0.offset]) }
        let rows = LineChart.render(series, xLabels: table.dims.map(String.init), width: body.width - 2, height: chartHeight)
        for row in rows {
            var x = body.x + 1
            for glyph in row { x += screen.put(glyph.text, x: x, y: y, style: glyph.series.map { .cluster($0) } ?? .dim) }
            y += 1
        }
        var x = body.x + 1
        for (i, task) in table.tasks.enumerated() where x < body.maxX {
            x += screen.put("● ", x: x, y: y, style: .cluster(i))
            x += screen.put(task + "   ", x: x, y: y, maxWidth: body.maxX - x)
        }
        y += 2
    }
    renderMetricTable(table, report: report, metric: metric, x: body.x, y: y, width: body.width, into: &screen)
}

/// Rows = tasks, columns = dimensions; the best cell is starred and highlighted.
private func renderMetricTable(_ table: MetricTable, report: EvalReport, metric: String, x: Int, y: Int, width: Int,
                               into screen: inout Screen) {
    let labelWidth = min(22, max(14, (table.tasks.map(\.count).max() ?? 4) + 2))
    let columnWidth = max(8, min(16, (width - labelWidth - 1) / max(1, table.dims.count)))
    let best = table.best
    screen.putPadded(" task / dim", x: x, y: y, width: labelWidth, style: .title)
    screen.putPadded(" memory / 1M", x: x, y: y + 1, width: labelWidth, style: .dim)
    for (c, dim) in table.dims.enumerated() {
        let cx = x + labelWidth + c * columnWidth
        guard cx + columnWidth <= x + width else { break }
        screen.put(DisplayText.padLeft("\(dim)", width: columnWidth - 1), x: cx, y: y, style: .title)
        screen.put(DisplayText.padLeft(EvalFormat.memory(table.bytesPerMillion[c]), width: columnWidth - 1),
                   x: cx, y: y + 1, style: .dim)
    }
    for (r, task) in table.tasks.enumerated() {
        let ry = y + 2 + r
        screen.putPadded(" " + task, x: x, y: ry, width: labelWidth)
        for (c, dim) in table.dims.enumerated() {
            let cx = x + labelWidth + c * columnWidth
            guard cx + columnWidth <= x + width else { break }
            var text = EvalFormat.value(table.values[r][c])
            if table.storage != .float32,
               let kept = report.retention(metric, task: task, dim: dim, storage: table.storage) {
                text += String(format: " (%.0f%%)", kept * 100)
            }
            let isBest = best == MetricTable.Position(row: r, column: c)
            screen.put(DisplayText.padLeft(text + (isBest ? "*" : " "), width: columnWidth - 1), x: cx, y: ry,
                       style: isBest ? .success : .normal)
        }
    }
}
