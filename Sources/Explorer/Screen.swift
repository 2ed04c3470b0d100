import Foundation

/// A semantic colour: what a cell *means*. Terminal maps these to a theme's colours; the explorer
/// never names a concrete colour, so the monochrome theme and NO_COLOR work everywhere.
public enum SemanticStyle: Hashable, Sendable {
    case normal, dim, accent, title, border, error, warning, success
    case header, footer, keyHint, selection, cursor, highlight, input
    case tab(active: Bool)
    /// A similarity score in [-1, 1] (bars, score numbers).
    case score(Float)
    /// A value in [0, 1] on the sequential gradient (heatmap cells; background).
    case heat(Float)
    /// A value in [-1, 1] on the diverging gradient (difference heatmap; background).
    case diverging(Float)
    /// Categorical colour of cluster `n` (map dots, cluster list).
    case cluster(Int)
    case rankUp, rankDown
    case progress
}

/// One terminal cell. A wide grapheme occupies its cell (width 2, rarely more) and the next
/// ones (width 0, empty text), so column arithmetic stays a plain index.
public struct Cell: Equatable, Sendable {
    public var text: String
    public var width: Int
    public var style: SemanticStyle
    public init(text: String = " ", width: Int = 1, style: SemanticStyle = .normal) {
        self.text = text; self.width = width; self.style = style
    }
    public static let blank = Cell()
}

/// A rectangle of the screen, in cells.
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
}

/// An in-memory grid of styled cells (ratatui's Buffer): views draw here, Terminal copies it out,
/// tests compare its text with literal lines.
public struct Screen: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Fills a rectangle with blanks of a style.
    public mutating func fill(_ r: Rect, style: SemanticStyle = .normal, with ch: Character = " ") {
        for y in max(0, r.y)..<min(height, r.maxY) {
            for x in max(0, r.x)..<min(width, r.maxX) { self[x, y] = Cell(text: String(ch), width: 1, style: style) }
        }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns (and the screen edge) with "…" when cut.
    /// Returns the number of columns used. Never splits a grapheme; a wide grapheme that does not
    /// fit is replaced by the ellipsis.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: SemanticStyle = .normal) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(maxWidth ?? (width - x), width - x)
        guard limit > 0 else { return 0 }
        // Only a bounded head of the text is looked at (a document can be megabytes long).
        let (head, cut) = DisplayText.head(text, graphemes: 2 * limit + 16)
        var shown = DisplayText.truncate(head, width: limit)
        if cut && !shown.hasSuffix("…") { shown = DisplayText.truncate(head, width: limit - 1) + "…" }
        var col = x
        for c in shown {
            let w = DisplayWidth.of(c)
            if w == 0 {
                // A lone zero-width grapheme (e.g. a combining mark at the start): attach to the
                // previous cell so it does not take a column.
                if col > x, col - 1 < width { self[col - 1, y].text.append(c) }
                continue
            }
            if col < 0 { col += w; continue }
            self[col, y] = Cell(text: String(c), width: w, style: style)
            for k in 1..<w where col + k < width { self[col + k, y] = Cell(text: "", width: 0, style: style) }
            col += w
        }
        repairWideCells(y: y)
        return col - x
    }

    /// Writes `text` padded with spaces (in the same style) to exactly `width` columns.
    @discardableResult
    public mutating func putPadded(_ text: String, x: Int, y: Int, width w: Int, style: SemanticStyle = .normal) -> Int {
        guard w > 0 else { return 0 }
        fill(Rect(x: x, y: y, width: w, height: 1), style: style)
        return put(text, x: x, y: y, maxWidth: w, style: style)
    }

    /// Overwriting part of a wide cell leaves an orphan: turn orphans into spaces.
    mutating func repairWideCells(y: Int) {
        var x = 0
        while x < width {
            let c = self[x, y]
            if c.width == 0 {
                self[x, y] = Cell(text: " ", width: 1, style: c.style); x += 1; continue
            }
            if c.width > 1 {
                let intact = x + c.width <= width && (1..<c.width).allSatisfy { self[x + $0, y].width == 0 }
                if !intact { self[x, y] = Cell(text: " ", width: 1, style: c.style); x += 1; continue }
            }
            x += c.width
        }
    }

    /// Restyles cells of a row range without changing their text (selection bars, highlights).
    public mutating func restyle(_ r: Rect, style: SemanticStyle) {
        for y in max(0, r.y)..<min(height, r.maxY) {
            for x in max(0, r.x)..<min(width, r.maxX) { self[x, y].style = style }
        }
    }

    /// The text of one row (wide cells once, their continuation cells skipped), trailing spaces kept.
    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where self[x, y].width != 0 { s += self[x, y].text }
        return s
    }

    /// All rows with trailing spaces removed: what snapshot tests compare.
    public var lines: [String] {
        (0..<height).map { y in
            var l = line(y)
            while l.last == " " { l.removeLast() }
            return l
        }
    }

    /// Draws a box border with an optional title.
    public mutating func box(_ r: Rect, title: String? = nil, style: SemanticStyle = .border) {
        guard r.width >= 2, r.height >= 2 else { return }
        for x in r.x + 1..<r.maxX - 1 {
            put("─", x: x, y: r.y, style: style); put("─", x: x, y: r.maxY - 1, style: style)
        }
        for y in r.y + 1..<r.maxY - 1 {
            put("│", x: r.x, y: y, style: style); put("│", x: r.maxX - 1, y: y, style: style)
        }
        put("┌", x: r.x, y: r.y, style: style); put("┐", x: r.maxX - 1, y: r.y, style: style)
        put("└", x: r.x, y: r.maxY - 1, style: style); put("┘", x: r.maxX - 1, y: r.maxY - 1, style: style)
        if let title, r.width > 4 { put(" \(title) ", x: r.x + 2, y: r.y, maxWidth: r.width - 4, style: .title) }
    }
}
