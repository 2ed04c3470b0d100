import Foundation

/// Where things are on screen. Shared by the views (to draw) and by `update` (to map mouse
/// clicks and page sizes), so the two can never disagree.
public enum Layout {
    /// Row 0: header (model, task, dimension). Row 1: tabs. Last two rows: status and key hints.
    public static func body(_ s: AppState) -> Rect { Rect(x: 0, y: 2, width: s.width, height: s.height - 4) }

    /// The tab labels and their column ranges on row 1.
    public static func tabs(_ s: AppState) -> [(view: ViewID, label: String, columns: Range<Int>)] {
        var x = 0
        return ViewID.allCases.map { v in
            let label = " \(v.rawValue) \(v.title) "
            defer { x += label.count }
            return (v, label, x..<(x + label.count))
        }
    }

    /// Search: the query on the body's first row, a summary line, then one result per row.
    public static func searchList(_ s: AppState) -> Rect {
        let b = body(s)
        return Rect(x: b.x, y: b.y + 2, width: b.width, height: b.height - 2)
    }

    /// Neighbours: two rows describe the focus, then one neighbour per row.
    public static func neighboursList(_ s: AppState) -> Rect {
        let b = body(s)
        return Rect(x: b.x, y: b.y + 3, width: b.width, height: b.height - 3)
    }

    /// Clusters: the cluster list on the left (header row first), members on the right.
    public static func clusterList(_ s: AppState) -> Rect {
        let b = body(s)
        return Rect(x: b.x, y: b.y + 1, width: min(40, b.width / 2), height: b.height - 1)
    }

    /// Duplicates: one row per group header and per member, below a summary row.
    public static func duplicateList(_ s: AppState) -> Rect {
        let b = body(s)
        return Rect(x: b.x, y: b.y + 1, width: b.width, height: b.height - 1)
    }

    /// Map: the braille area (its last three body rows show the selected point).
    public static func mapArea(_ s: AppState) -> Rect {
        let b = body(s)
        return Rect(x: b.x + 1, y: b.y, width: b.width - 2, height: b.height - 3)
    }

    /// Rows a list shows at once (PgUp / PgDn step).
    public static func pageSize(_ s: AppState) -> Int { max(1, searchList(s).height - 1) }

    /// The first visible row of a list of `count` rows, `rows` tall, keeping `selected` in view.
    public static func scrollOffset(selected: Int, count: Int, rows: Int) -> Int {
        guard rows > 0, count > rows else { return 0 }
        return min(max(0, selected - rows + 1), count - rows)
    }
}
