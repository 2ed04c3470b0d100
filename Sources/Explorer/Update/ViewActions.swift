import Foundation
import Analysis

// What the keys of each view do (after the keymap turned a key into an Action).

func viewAction(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .up, .down, .pageUp, .pageDown, .top, .bottom, .left, .right:
        move(&state, action); return []
    default: break
    }
    switch (state.view, action) {
    case (.search, .open):
        guard state.search.hits.indices.contains(state.search.selected) else { return [] }
        state.overlay = .detail(document: state.search.hits[state.search.selected].document, scroll: 0)
        return []
    case (.search, .addToMatrix):
        guard let doc = selectedDocument(state) else { return [] }
        return addToMatrix(&state, doc)
    case (.neighbours, .addToMatrix):
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
        guard state.neighbours.hits.indices.contains(state.neighbours.selected) else { return [] }
        return focusNeighbours(&state, on: state.neighbours.hits[state.neighbours.selected].index, remember: true)
    case (.neighbours, .back):
        guard let previous = state.neighbours.trail.popLast() else { return [] }
        state.neighbours.focus = previous
        state.neighbours.selected = 0
        return requestNeighbours(&state)
    case (.clusters, .kUp), (.clusters, .kDown):
        let current = state.clusters.k ?? state.clusters.clustering?.k ?? 2
        let limit = max(2, min(50, state.documents.count))
        let next = min(limit, max(2, current + (action == .kUp ? 1 : -1)))
        state.clusters.k = next
        state.map.generation = -1          // the map colours follow k
        return requestClusters(&state)
    case (.clusters, .autoK):
        state.clusters.k = nil
        state.map.generation = -1
        return requestClusters(&state)
    case (.duplicates, .thresholdUp), (.duplicates, .thresholdDown):
        let step: Float = action == .thresholdUp ? 0.01 : -0.01
        let t = ((state.duplicates.threshold + step) * 100).rounded() / 100
        state.duplicates.threshold = min(0.99, max(0.50, t))
        return requestDuplicates(&state)
    case (.duplicates, .open):
        guard let doc = DuplicateRows.document(at: state.duplicates.selected, in: state.duplicates.groups) else { return [] }
        state.overlay = .detail(document: doc, scroll: 0)
        return []
    case (.duplicates, .markKeep), (.duplicates, .markDrop):
        guard let doc = DuplicateRows.document(at: state.duplicates.selected, in: state.duplicates.groups) else { return [] }
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
        guard state.model?.hasAdapters == true else {
            state.setStatus("without adapters only the dimension comparison is available", error: true)
            return []
        }
        state.adapters.mode = state.adapters.mode == .tasks ? .dimensions : .tasks
        return requestComparison(&state)
    default:
        return []
    }
}

func selectedDocument(_ state: AppState) -> Int? {
    switch state.view {
    case .search:
        return state.search.hits.indices.contains(state.search.selected) ? state.search.hits[state.search.selected].document : nil
    case .neighbours:
        return state.neighbours.hits.indices.contains(state.neighbours.selected) ? state.neighbours.hits[state.neighbours.selected].index : nil
    default: return nil
    }
}

func addToMatrix(_ state: inout AppState, _ doc: Int) -> [Effect] {
    guard state.documents.indices.contains(doc) else { return [] }
    state.matrix.texts.append(state.documents[doc].text)
    state.setStatus("added document \(doc) to the matrix list (\(state.matrix.texts.count) texts)")
    state.matrix.generation = -1      // recomputed when the Matrix view is shown
    return []
}

func focusNeighbours(_ state: inout AppState, on doc: Int, remember: Bool) -> [Effect] {
    if remember { state.neighbours.trail.append(state.neighbours.focus) }
    state.neighbours.focus = doc
    state.neighbours.selected = 0
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
    switch state.view {
    case .search: state.search.selected = step(state.search.selected, count: state.search.hits.count)
    case .neighbours: state.neighbours.selected = step(state.neighbours.selected, count: state.neighbours.hits.count)
    case .clusters: state.clusters.selected = step(state.clusters.selected, count: state.clusters.clustering?.clusters.count ?? 0)
    case .duplicates:
        let rows = state.duplicates.groups.reduce(0) { $0 + $1.members.count }
        state.duplicates.selected = step(state.duplicates.selected, count: rows)
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
    }
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
    func row(in list: Rect, selected: Int, count: Int) -> Int? {
        guard list.contains(x: event.x, y: event.y) else { return nil }
        let index = Layout.scrollOffset(selected: selected, count: count, rows: list.height) + event.y - list.y
        return index < count ? index : nil
    }
    switch state.view {
    case .search:
        if event.y == Layout.body(state).y { state.focus = .field; return [] }
        guard let i = row(in: Layout.searchList(state), selected: state.search.selected, count: state.search.hits.count)
        else { return [] }
        state.focus = .list
        if i == state.search.selected { return perform(&state, .open) }
        state.search.selected = i
    case .neighbours:
        guard let i = row(in: Layout.neighboursList(state), selected: state.neighbours.selected,
                          count: state.neighbours.hits.count) else { return [] }
        if i == state.neighbours.selected { return viewAction(&state, .open) }
        state.neighbours.selected = i
    case .clusters:
        let n = state.clusters.clustering?.clusters.count ?? 0
        guard let i = row(in: Layout.clusterList(state), selected: state.clusters.selected, count: n) else { return [] }
        state.clusters.selected = i
    case .map:
        let area = Layout.mapArea(state)
        if area.contains(x: event.x, y: event.y) {
            state.map.cursorX = event.x - area.x; state.map.cursorY = event.y - area.y
        }
    default: break
    }
    return []
}

/// The Duplicates list flattened: each group's members, in order, one row each.
public enum DuplicateRows {
    public static func document(at row: Int, in groups: [DuplicateGroup]) -> Int? {
        var r = row
        for g in groups {
            if r < g.members.count { return g.members[r] }
            r -= g.members.count
        }
        return nil
    }
}
