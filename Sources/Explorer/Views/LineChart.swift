import Foundation

/// A line chart in braille: one line per series over equally spaced x positions (e.g. the
/// dimensions of an eval grid), a y axis labelled with the top and bottom of the value range and
/// the x labels under their points. Pure layout: the result is glyphs tagged with their series,
/// which the CLI colours with ANSI codes and a view with its styles.
public enum LineChart {
    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per x position; nil leaves a gap.
        public var values: [Double?]
        public init(name: String, values: [Double?]) { self.name = name; self.values = values }
    }

    /// One character cell of the chart; `series` is the series drawn there (nil: axis or label).
    public struct Glyph: Sendable, Equatable {
        public var text: String
        public var series: Int?
        public init(_ text: String, series: Int? = nil) { self.text = text; self.series = series }
    }

    /// `height` rows of `width` glyphs: `height − 2` plot rows, the x axis, the x labels.
    /// The y range is the values' min…max (a flat series gets ±0.005 around its value), and the
    /// axis labels print it with `decimals` digits. Too small an area (under 3 rows or no room for
    /// the plot) → no rows.
    public static func render(_ series: [Series], xLabels: [String], width: Int, height: Int,
                              decimals: Int = 3) -> [[Glyph]] {
        let all = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        guard var lo = all.min(), var hi = all.max(), height >= 3 else { return [] }
        if hi - lo < 1e-9 { lo -= 0.005; hi += 0.005 }
        let top = String(format: "%.\(decimals)f", hi), bottom = String(format: "%.\(decimals)f", lo)
        let margin = max(top.count, bottom.count) + 1
        let plotWidth = width - margin, plotRows = height - 2
        let points = xLabels.count
        guard plotWidth >= 2, points > 0 else { return [] }

        var canvas = BrailleCanvas(width: plotWidth, height: plotRows)
        func x(_ i: Int) -> Int { points == 1 ? canvas.dotWidth / 2 : i * (canvas.dotWidth - 1) / (points - 1) }
        func y(_ v: Double) -> Int { Int(((hi - v) / (hi - lo) * Double(canvas.dotHeight - 1)).rounded()) }
        for (s, line) in series.enumerated() {
            var previous: (x: Int, y: Int)?
            for (i, value) in line.values.prefix(points).enumerated() {
                guard let value, value.isFinite else { previous = nil; continue }
                let p = (x: x(i), y: y(value))
                if let previous { canvas.line(from: previous, to: p, colour: s) } else { canvas.set(x: p.x, y: p.y, colour: s) }
                previous = p
            }
        }

        var rows = [[Glyph]]()
        for r in 0..<plotRows {
            let label = r == 0 ? top : r == plotRows - 1 ? bottom : ""
            var row = padded(label, margin - 1).map { Glyph(String($0)) } + [Glyph(r == 0 || r == plotRows - 1 ? "┤" : "│")]
            for c in 0..<plotWidth {
                if let ch = canvas.character(x: c, y: r) { row.append(Glyph(ch, series: canvas.colour(x: c, y: r))) }
                else { row.append(Glyph(" ")) }
            }
            rows.append(row)
        }
        rows.append(padded("", margin - 1).map { Glyph(String($0)) } + [Glyph("└")]
                    + (0..<plotWidth).map { _ in Glyph("─") })
        // Labels centred under their points, left to right, each skipped if it would touch the previous one.
        var labels = [Character](repeating: " ", count: width)
        var free = 0
        for (i, label) in xLabels.enumerated() {
            let centre = margin + x(i) / 2
            let start = min(max(centre - label.count / 2, free), width - label.count)
            guard start >= free, start >= 0 else { continue }
            for (j, ch) in label.enumerated() { labels[start + j] = ch }
            free = start + label.count + 1
        }
        rows.append(labels.map { Glyph(String($0)) })
        return rows
    }

    private static func padded(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }
}
