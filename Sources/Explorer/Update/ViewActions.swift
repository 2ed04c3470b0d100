import Foundation
import Analysis
import Session

// What the keys of each view do (after the keymap turned a key into an Action).

func viewAction(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .up, .down, .pageUp, .pageDown, .top, .bottom, .left, .right:
        move(&state, action); return []
    default: break
    }
    switch (state.view, action) {
    case (.search, .open):
        guard let doc = selectedDocument(state) else { return [] }
        state.overlay = .detail(document: doc, scroll: 0)
        return []
    case (.search, .addToMatrix), (.neighbours, .addToMatrix):
        guard let doc = selectedDocument(state) else { return [] }
        return addToMatrix(&state, doc)
    case (.search, .showNeighbours):
        guard let doc = selectedDocument(state) else { return [] }
        return focusNeighbours(&state, on: doc, remember: false)
    case (.map, .showNeighbours):
        guard let doc = MapGeometry.nearestPoint(state) else { return [] }
        return focusNeighbours(&state, on: doc, remember: false)
    case (.matrix, .delete):
        guard state.matrix.texts.indices.contains(state.matrix.row) else { return [] }
        state.matrix.texts.remove(at: state.matrix.row)
        state.matrix.row = min(state.matrix.row, max(0, state.matrix.texts.count - 1))
        state.matrix.column = min(state.matrix.column, max(0, state.matrix.texts.count - 1))
        return requestSimilarity(&state)
    case (.neighbours, .open):
        guard let doc = selectedDocument(state) else { return [] }
        return focusNeighbours(&state, on: doc, remember: true)
    case (.neighbours, .back):
        guard let previous = state.neighbours.trail.popLast() else { return [] }
        state.neighbours.focus = previous
        state.neighbours.list = ListState()
        return requestNeighbours(&state)
    case (.clusters, .kUp), (.clusters, .kDown):
        let current = state.clusters.k ?? state.clusters.clustering?.k ?? 2
        let limit = max(2, min(50, state.documents.count))
        let next = min(limit, max(2, current + (action == .kUp ? 1 : -1)))
        state.clusters.k = next
        state.requests.invalidate(.map)          // the map colours follow k
        return requestClusters(&state)
    case (.clusters, .autoK):
        state.clusters.k = nil
        state.requests.invalidate(.map)
        return requestClusters(&state)
    case (.duplicates, .thresholdUp), (.duplicates, .thresholdDown):
        let step: Float = action == .thresholdUp ? 0.01 : -0.01
        let t = ((state.duplicates.threshold + step) * 100).rounded() / 100
        state.duplicates.threshold = min(0.99, max(0.50, t))
        return requestDuplicates(&state)
    case (.duplicates, .open):
        guard let doc = DuplicateRows.document(at: state.duplicates.list.selected, in: state.duplicates.groups) else { return [] }
        state.overlay = .detail(document: doc, scroll: 0)
        return []
    case (.duplicates, .markKeep), (.duplicates, .markDrop):
        guard let doc = DuplicateRows.document(at: state.duplicates.list.selected, in: state.duplicates.groups) else { return [] }
        let mark: Mark = action == .markKeep ? .keep : .drop
        state.duplicates.marks[doc] = state.duplicates.marks[doc] == mark ? nil : mark
        return []
    case (.duplicates, .writeDropList):
        let drops = state.duplicates.marks.filter { $0.value == .drop }.map(\.key).sorted()
        guard !drops.isEmpty else {
            state.setStatus("nothing marked to drop: mark members with x first", error: true)
            return []
        }
        return [.writeDropList(documents: drops)]
    case (.adapters, .nextTaskA), (.adapters, .nextTaskB):
        guard state.model?.hasAdapters == true else {
            state.setStatus("this model has no task adapters (see the Adapters view)", error: true)
            return []
        }
        let choices = state.taskChoices
        func next(_ t: String?) -> String? {
            let i = choices.firstIndex(where: { $0 == t }) ?? -1
            return choices[(i + 1) % choices.count]
        }
        if action == .nextTaskA { state.adapters.taskA = next(state.adapters.taskA) }
        else { state.adapters.taskB = next(state.adapters.taskB) }
        return requestComparison(&state)
    case (.adapters, .toggleCompareMode):
        let modes = compareModes(state)
        guard modes.count > 1 else {
            state.setStatus("without adapters only the dimension comparison is available (--eval adds an evaluation)", error: true)
            return []
        }
        let i = modes.firstIndex(of: state.adapters.mode) ?? -1
        state.adapters.mode = modes[(i + 1) % modes.count]
        return requestComparison(&state)
    case (.adapters, .nextMetric), (.adapters, .nextStorage):
        guard state.adapters.mode == .evaluation, var e = state.evaluation, let report = e.report else {
            state.setStatus("the evaluation keys work in evaluation mode (m), once the grid is computed", error: true)
            return []
        }
        if action == .nextMetric { e.metric = (e.metric + 1) % max(1, report.metrics.count) }
        else {
            let all = report.storages
            e.storage = all[((all.firstIndex(of: e.storage) ?? -1) + 1) % max(1, all.count)]
        }
        state.evaluation = e
        return []
    default:
        return []
    }
}

/// The Adapters view's modes, in the order `m` cycles them.
func compareModes(_ state: AppState) -> [AdaptersState.Mode] {
    var modes: [AdaptersState.Mode] = state.model?.hasAdapters == true ? [.tasks, .dimensions] : [.dimensions]
    if state.evaluation != nil { modes.append(.evaluation) }
    return modes
}

/// The document under the cursor of the Search or Neighbours list.
func selectedDocument(_ state: AppState) -> Int? {
    let (hits, list): ([DocumentHit], ListState)
    switch state.view {
    case .search: (hits, list) = (state.search.hits, state.search.list)
    case .neighbours: (hits, list) = (state.neighbours.hits, state.neighbours.list)
    default: return nil
    }
    return hits.indices.contains(list.selected) ? hits[list.selected].document : nil
}

func addToMatrix(_ state: inout AppState, _ doc: Int) -> [Effect] {
    guard state.documents.indices.contains(doc) else { return [] }
    state.matrix.texts.append(state.documents[doc].text)
    state.setStatus("added document \(doc) to the matrix list (\(state.matrix.texts.count) texts)")
    state.requests.invalidate(.matrix)      // recomputed when the Matrix view is shown
    return []
}

func focusNeighbours(_ state: inout AppState, on doc: Int, remember: Bool) -> [Effect] {
    if remember { state.neighbours.trail.append(state.neighbours.focus) }
    state.neighbours.focus = doc
    state.neighbours.list = ListState()
    state.neighbours.hits = []
    state.view = .neighbours
    state.focus = .list
    return requestNeighbours(&state)
}

/// Cursor movement in the current view's list or grid.
func move(_ state: inout AppState, _ action: Action) {
    let page = Layout.pageSize(state)
    func step(_ value: Int, count: Int) -> Int {
        guard count > 0 else { return 0 }
        switch action {
        case .up: return max(0, value - 1)
        case .down: return min(count - 1, value + 1)
        case .pageUp: return max(0, value - page)
        case .pageDown: return min(count - 1, value + page)
        case .top: return 0
        case .bottom: return count - 1
        default: return value
        }
    }
    if let items = Layout.listItemCount(state, state.view) {
        select(&state, step(Layout.listState(state, state.view).selected, count: items))
        return
    }
    switch state.view {
    case .adapters: state.adapters.selected = step(state.adapters.selected, count: state.adapters.comparison?.matrixA.count ?? 0)
    case .matrix:
        let n = state.matrix.texts.count
        if action == .left { state.matrix.column = max(0, state.matrix.column - 1) }
        else if action == .right { state.matrix.column = min(max(0, n - 1), state.matrix.column + 1) }
        else { state.matrix.row = step(state.matrix.row, count: n) }
    case .map:
        switch action {
        case .up: state.map.cursorY -= 1
        case .down: state.map.cursorY += 1
        case .left: state.map.cursorX -= 1
        case .right: state.map.cursorX += 1
        case .pageUp: state.map.cursorY -= 5
        case .pageDown: state.map.cursorY += 5
        default: break
        }
        clampMapCursor(&state)
    default: break
    }
}

/// Selects `item` in the current view's list and scrolls it into view, as the list widget draws it.
func select(_ state: inout AppState, _ item: Int) {
    let view = state.view
    var list = Layout.listState(state, view)
    list.selected = item
    Layout.setListState(&state, view, list)
    if let widget = Layout.listWidget(state, view) { list.offset = widget.firstRow }
    Layout.setListState(&state, view, list)
}

func clampMapCursor(_ state: inout AppState) {
    let area = Layout.mapArea(state)
    state.map.cursorX = min(max(0, state.map.cursorX), max(0, area.width - 1))
    state.map.cursorY = min(max(0, state.map.cursorY), max(0, area.height - 1))
}

/// Adapters defaults: the symmetric task against the clustering one, to show a visible difference.
func setUpAdapters(_ state: inout AppState) {
    guard let model = state.model else { return }
    let tasks = model.tasks
    if tasks.isEmpty {
        state.adapters.mode = .dimensions
        state.adapters.taskA = nil; state.adapters.taskB = nil
        return
    }
    state.adapters.taskA = tasks.contains("text-matching") ? "text-matching" : tasks.first
    state.adapters.taskB = tasks.contains("separation") ? "separation" : tasks.last
}

// MARK: - Mouse

func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
    guard state.overlay == nil, !state.tooSmall else { return [] }
    if event.kind != .press {
        move(&state, event.kind == .scrollUp ? .up : .down)
        return []
    }
    if event.y == 1, let tab = Layout.tabs(state).first(where: { $0.columns.contains(event.x) }) {
        return switchView(&state, to: tab.view)
    }
    if state.view == .search, event.y == Layout.body(state).y { state.focus = .field; return [] }
    // The list views: a click selects a row; a click on the selected row opens it.
    if let widget = Layout.listWidget(state, state.view) {
        guard let row = widget.row(atX: event.x, y: event.y), let item = Layout.listItem(state, state.view, atRow: row)
        else { return [] }
        state.focus = .list
        if item == Layout.listState(state, state.view).selected { return viewAction(&state, .open) }
        select(&state, item)
        return []
    }
    if state.view == .map {
        let area = Layout.mapArea(state)
        if area.contains(x: event.x, y: event.y) {
            state.map.cursorX = event.x - area.x; state.map.cursorY = event.y - area.y
        }
    }
    return []
}

/// The Duplicates list: a header row per group, then its members; the cursor counts members only.
public enum DuplicateRows {
    public enum Row: Equatable { case header(group: Int), member(index: Int, document: Int) }

    public static func rows(_ groups: [DuplicateGroup]) -> [Row] {
        var rows: [Row] = [], member = 0
        for (g, group) in groups.enumerated() {
            rows.append(.header(group: g))
            for doc in group.members { rows.append(.member(index: member, document: doc)); member += 1 }
        }
        return rows
    }

    /// The document of member row `member` (counting members of all groups in order).
    public static func document(at member: Int, in groups: [DuplicateGroup]) -> Int? {
        var r = member
        for g in groups {
            if r < g.members.count { return g.members[r] }
            r -= g.members.count
        }
        return nil
    }
}
