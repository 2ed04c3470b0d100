import Foundation

/// Where a list is: its selected item and its first visible row (ratatui's `ListState`). The offset is
/// kept between frames, so moving the cursor up from the bottom row moves the cursor, not the page.
public struct ListState: Equatable, Sendable {
    public var selected = 0
    public var offset = 0
    public init(selected: Int = 0, offset: Int = 0) { self.selected = selected; self.offset = offset }

    /// Keeps the selection inside `count` items (0 when empty).
    public mutating func clamp(count: Int) { selected = min(max(0, selected), max(0, count - 1)) }
}

/// A vertical list of one-line rows drawn into a Screen: the rows it shows follow the stored offset,
/// moved just enough to keep the selected row in view, and the selected row gets the selection style.
/// Update uses the same arithmetic for paging and mouse clicks, so what is drawn is what is hit.
public struct ListWidget {
    public var area: Rect
    public var count: Int
    /// The row to keep in view and highlight (nil: none).
    public var selectedRow: Int?
    /// The stored first row (`ListState.offset`), corrected by `firstRow`.
    public var offset: Int
    /// Draw the selected row in the selection style (off while a text field has the focus).
    public var highlightsSelection: Bool

    public init(area: Rect, count: Int, selectedRow: Int?, offset: Int, highlightsSelection: Bool = true) {
        self.area = area; self.count = count; self.selectedRow = selectedRow; self.offset = offset
        self.highlightsSelection = highlightsSelection
    }

    /// The first visible row: `offset` clamped to the list, then moved the least to show `selectedRow`.
    public var firstRow: Int {
        let height = max(0, area.height)
        guard height > 0, count > height else { return 0 }
        var first = min(max(0, offset), count - height)
        if let s = selectedRow, s >= 0, s < count {
            if s < first { first = s } else if s >= first + height { first = s - height + 1 }
        }
        return first
    }

    /// Calls `drawRow(index, rowRect)` for every visible row, then restyles the selected one.
    public func render(into screen: inout Screen, _ drawRow: (Int, Rect, inout Screen) -> Void) {
        let first = firstRow
        for r in 0..<max(0, area.height) {
            let i = first + r
            guard i < count else { break }
            let rect = Rect(x: area.x, y: area.y + r, width: area.width, height: 1)
            drawRow(i, rect, &screen)
            if highlightsSelection, i == selectedRow { screen.restyle(rect, style: .selection) }
        }
    }

    /// The row under a click, if it is on a row.
    public func row(atX x: Int, y: Int) -> Int? {
        guard area.contains(x: x, y: y) else { return nil }
        let i = firstRow + y - area.y
        return i < count ? i : nil
    }
}
