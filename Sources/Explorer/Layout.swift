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
}

// MARK: - The list views (Search, Neighbours, Clusters, Duplicates)

extension Layout {
    /// The list widget of a list view as it is drawn (nil for the other views). Rows are items, except in
    /// Duplicates, where group headers are rows too.
    public static func listWidget(_ s: AppState, _ view: ViewID) -> ListWidget? {
        let list = listState(s, view)
        switch view {
        case .search:
            return ListWidget(area: searchList(s), count: s.search.hits.count, selectedRow: list.selected,
                              offset: list.offset, highlightsSelection: !s.textFieldFocused)
        case .neighbours:
            return ListWidget(area: neighboursList(s), count: s.neighbours.hits.count, selectedRow: list.selected,
                              offset: list.offset)
        case .clusters:
            return ListWidget(area: clusterList(s), count: s.clusters.clustering?.clusters.count ?? 0,
                              selectedRow: list.selected, offset: list.offset)
        case .duplicates:
            let rows = DuplicateRows.rows(s.duplicates.groups)
            let selected = rows.firstIndex { if case .member(list.selected, _) = $0 { return true }; return false }
            return ListWidget(area: duplicateList(s), count: rows.count, selectedRow: selected, offset: list.offset)
        default:
            return nil
        }
    }

    /// Items the cursor moves over in a list view (nil for the other views).
    public static func listItemCount(_ s: AppState, _ view: ViewID) -> Int? {
        switch view {
        case .search: return s.search.hits.count
        case .neighbours: return s.neighbours.hits.count
        case .clusters: return s.clusters.clustering?.clusters.count ?? 0
        case .duplicates: return s.duplicates.groups.reduce(0) { $0 + $1.members.count }
        default: return nil
        }
    }

    /// The item shown on list row `row` (nil for a Duplicates group header).
    public static func listItem(_ s: AppState, _ view: ViewID, atRow row: Int) -> Int? {
        guard view == .duplicates else { return row }
        let rows = DuplicateRows.rows(s.duplicates.groups)
        guard rows.indices.contains(row), case .member(let index, _) = rows[row] else { return nil }
        return index
    }

    public static func listState(_ s: AppState, _ view: ViewID) -> ListState {
        switch view {
        case .search: return s.search.list
        case .neighbours: return s.neighbours.list
        case .clusters: return s.clusters.list
        case .duplicates: return s.duplicates.list
        default: return ListState()
        }
    }

    static func setListState(_ s: inout AppState, _ view: ViewID, _ list: ListState) {
        switch view {
        case .search: s.search.list = list
        case .neighbours: s.neighbours.list = list
        case .clusters: s.clusters.list = list
        case .duplicates: s.duplicates.list = list
        default: break
        }
    }
}
