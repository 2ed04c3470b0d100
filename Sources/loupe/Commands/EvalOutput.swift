import Evaluation
import Explorer
import Foundation

/// How `loupe eval` prints a report: JSON lines, per-metric tables, the braille chart.
enum EvalOutput {
    /// One object per (task, dim, storage): its metrics by name, and for quantized storage their
    /// retention against float32.
    static func printJSON(_ report: EvalReport) {
        for cell in report.cells {
            var fields: [(String, String)] = [("task", quoted(cell.task)), ("dim", "\(cell.dim)"),
                                              ("storage", quoted(cell.storage.rawValue)),
                                              ("bytes_per_vector", "\(cell.storage.bytesPerVector(dim: cell.dim))")]
            for m in report.metrics { fields.append((m, number(cell.metrics[m]))) }
            if cell.storage != .float32 {
                let retention = report.metrics.map {
                    "\(quoted($0)): \(number(report.retention($0, task: cell.task, dim: cell.dim, storage: cell.storage)))"
                }
                fields.append(("retention", "{" + retention.joined(separator: ", ") + "}"))
            }
            switch report.kind {
            case .retrieval: fields += [("queries", "\(report.evaluated)"), ("skipped_queries", "\(report.skipped)")]
            case .pairs: fields.append(("pairs", "\(report.evaluated)"))
            case .labelled: fields.append(("texts", "\(report.evaluated)"))
            }
            print("{" + fields.map { "\(quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}")
        }
    }

    /// A table per metric: rows = tasks (float32) each followed by its int8 and binary rows as
    /// retention of float32; columns = dimensions with the float32 memory per million documents.
    static func printTables(_ report: EvalReport, dataset: String, model: String) {
        var what = "\(report.evaluated) \(report.kind == .retrieval ? "queries" : report.kind == .pairs ? "pairs" : "texts")"
        if report.skipped > 0 { what += " (\(report.skipped) without relevant documents skipped)" }
        print("\(dataset) · \(model) · \(what)")
        if report.tasks.contains("retrieval") { print("retrieval = retrieval.query for queries, retrieval.passage for documents") }
        for metric in report.metrics {
            let table = report.table(metric: metric)
            let best = table.best
            // The trailing empty column keeps every dimension column right-aligned (TextTable cuts the last one).
            var t = TextTable([EvalFormat.title(metric)] + table.dims.map(String.init) + [""], rightAligned: Set(1...table.dims.count))
            t.add(["memory / 1M docs"] + table.bytesPerMillion.map(EvalFormat.memory))
            for (r, task) in table.tasks.enumerated() {
                t.add([task] + table.values[r].enumerated().map { c, v in
                    EvalFormat.value(v) + (best == MetricTable.Position(row: r, column: c) ? "*" : " ")
                })
                for storage in report.storages where storage != .float32 {
                    let share = storage == .int8 ? "¼" : "1/32"
                    t.add(["  \(storage.rawValue) (\(share) memory)"] + table.dims.map { dim in
                        report.retention(metric, task: task, dim: dim, storage: storage).map { String(format: "%.1f%% ", $0 * 100) } ?? "– "
                    })
                }
            }
            print("")
            for line in t.render().split(separator: "\n") { print(line.replacing(/\s+$/, with: "")) }
        }
        print("\n* best float32 cell; int8 and binary rows: share of the float32 value kept")
    }

    /// The main metric against dimension, one coloured line per task (a terminal only).
    static func printChart(_ report: EvalReport) {
        let table = report.table(metric: report.mainMetric)
        guard table.dims.count > 1 else { return }
        let series = table.tasks.enumerated().map { LineChart.Series(name: $0.element, values: table.values[$0.offset]) }
        let width = min(max(TextTable.terminalWidth() - 2, 40), 78)
        let rows = LineChart.render(series, xLabels: table.dims.map(String.init), width: width, height: 14)
        guard !rows.isEmpty else { return }
        let colour = (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        func paint(_ text: String, _ series: Int?) -> String {
            guard colour, let series else { return text }
            return "\u{1B}[\(palette[series % palette.count])m\(text)\u{1B}[0m"
        }
        print("\n\(EvalFormat.title(report.mainMetric)) by dimension (float32)")
        for row in rows {
            // Runs of one series share one colour code.
            var line = "", run = "", current: Int? = nil
            for glyph in row {
                if glyph.series != current { line += paint(run, current); run = ""; current = glyph.series }
                run += glyph.text
            }
            print(line + paint(run, current))
        }
        print("  " + series.enumerated().map { paint("━━ " + $0.element.name, $0.offset) }.joined(separator: "   "))
    }

    /// ANSI foreground colours of the chart's lines: cyan, yellow, magenta, green, blue, red.
    static let palette = [36, 33, 35, 32, 34, 31]


    static func number(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }

    static func quoted(_ s: String) -> String {
        (try? JSONEncoder().encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
