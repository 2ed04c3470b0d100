import Foundation
import Analysis

// Issuing analysis requests and accepting their results. Every request gets a fresh id; a view
// remembers the id it waits for, so a late answer to an older request is simply dropped.

/// Requests whatever the current view needs that is stale (new index, new dimension, first visit).
func refresh(_ state: inout AppState) -> [Effect] {
    guard state.model != nil else { return [] }
    let g = state.generation
    switch state.view {
    case .search:
        guard state.search.generation != g else { return [] }
        return runSearch(&state)
    case .matrix:
        guard state.matrix.generation != g else { return [] }
        return requestSimilarity(&state)
    case .neighbours:
        guard state.neighbours.generation != g else { return [] }
        return requestNeighbours(&state)
    case .clusters:
        guard state.clusters.generation != g else { return [] }
        return requestClusters(&state)
    case .duplicates:
        guard state.duplicates.generation != g else { return [] }
        return requestDuplicates(&state)
    case .map:
        guard state.map.generation != g else { return [] }
        return requestProjection(&state)
    case .adapters:
        guard state.adapters.generation != g else { return [] }
        return requestComparison(&state)
    }
}

/// Replaces a view's pending request: cancel the old id, issue the new one.
private func issue(_ state: inout AppState, pending: inout Int?, _ request: AnalysisRequest) -> [Effect] {
    var effects: [Effect] = []
    if let old = pending { effects.append(.cancel(id: old)) }
    let id = state.newRequestID()
    pending = id
    effects.append(.analyse(id: id, request, task: state.task, dim: state.dim))
    return effects
}

func runSearch(_ state: inout AppState) -> [Effect] {
    let query = state.search.query.text.trimmingCharacters(in: .whitespaces)
    guard !query.isEmpty else {
        var effects: [Effect] = []
        if let old = state.search.pending { effects.append(.cancel(id: old)) }
        state.search.pending = nil
        state.search.hits = []; state.search.answeredQuery = ""; state.search.selected = 0
        state.search.generation = state.generation
        return effects
    }
    // Before the index is complete, search what is embedded so far; runs again on .indexed.
    guard state.indexReady || state.partialChunks > 0, let model = state.model else { return [] }
    state.search.generation = state.generation
    let qTask = TaskCatalog.queryTask(for: state.task, available: model.tasks)
    var s = state.search
    let effects = issue(&state, pending: &s.pending, .search(query: query, queryTask: qTask, k: s.k))
    state.search.pending = s.pending
    state.search.debounceQuery = query
    return effects
}

func requestSimilarity(_ state: inout AppState) -> [Effect] {
    state.matrix.generation = state.generation
    guard state.matrix.texts.count >= 1 else {
        state.matrix.matrix = []
        return state.matrix.pending.map { [.cancel(id: $0)] } ?? []
    }
    var p = state.matrix.pending
    let effects = issue(&state, pending: &p, .similarity(texts: state.matrix.texts))
    state.matrix.pending = p
    return effects
}

func requestNeighbours(_ state: inout AppState) -> [Effect] {
    guard state.indexReady, !state.documents.isEmpty else { return [] }
    state.neighbours.generation = state.generation
    state.neighbours.focus = min(state.neighbours.focus, state.documents.count - 1)
    var p = state.neighbours.pending
    let effects = issue(&state, pending: &p, .neighbours(document: state.neighbours.focus, k: state.neighbours.k))
    state.neighbours.pending = p
    return effects
}

func requestClusters(_ state: inout AppState) -> [Effect] {
    guard state.indexReady, !state.documents.isEmpty else { return [] }
    state.clusters.generation = state.generation
    var p = state.clusters.pending
    let effects = issue(&state, pending: &p, .clusters(k: state.clusters.k))
    state.clusters.pending = p
    return effects
}

func requestDuplicates(_ state: inout AppState) -> [Effect] {
    guard state.indexReady, !state.documents.isEmpty else { return [] }
    state.duplicates.generation = state.generation
    var p = state.duplicates.pending
    let effects = issue(&state, pending: &p, .duplicates(threshold: state.duplicates.threshold))
    state.duplicates.pending = p
    return effects
}

func requestProjection(_ state: inout AppState) -> [Effect] {
    guard state.indexReady, !state.documents.isEmpty else { return [] }
    state.map.generation = state.generation
    var p = state.map.pending
    let effects = issue(&state, pending: &p, .projection(k: state.clusters.k))
    state.map.pending = p
    return effects
}

/// The Adapters view compares the scratch texts (two or more) or else a spread-out corpus sample.
func requestComparison(_ state: inout AppState) -> [Effect] {
    guard let model = state.model else { return [] }
    let texts = comparisonTexts(state)
    state.adapters.generation = state.generation
    state.adapters.texts = texts
    guard texts.count >= 2 else { return [] }
    let full = model.dimensions.max() ?? model.hiddenSize
    let a: Lens, b: Lens
    switch state.adapters.mode {
    case .tasks where model.hasAdapters:
        a = Lens(task: state.adapters.taskA, dim: state.dim); b = Lens(task: state.adapters.taskB, dim: state.dim)
    default:
        a = Lens(task: state.adapters.taskA, dim: full); b = Lens(task: state.adapters.taskA, dim: state.dim)
    }
    var p = state.adapters.pending
    let effects = issue(&state, pending: &p, .compare(texts: texts, a: a, b: b))
    state.adapters.pending = p
    return effects
}

/// How many items fit, with readable values (cells ≥ 4 wide), in three matrices side by side:
/// 5 on 80 columns, 8 from 120.
public func comparedTextCount(width: Int) -> Int {
    min(8, max(2, ((width - 6) / 3 - Heatmap.labelWidth) / 4))
}

func comparisonTexts(_ state: AppState) -> [String] {
    let n = comparedTextCount(width: state.width)
    if state.matrix.texts.count >= 2 { return Array(state.matrix.texts.prefix(n)) }
    let docs = state.documents
    guard docs.count > n else { return docs.map(\.text) }
    let step = Double(docs.count) / Double(n)
    return (0..<n).map { docs[Int(Double($0) * step)].text }
}

/// Stores a result in the view that asked for it; anything else is stale and dropped.
func accept(_ state: inout AppState, id: Int, _ result: AnalysisResult) -> [Effect] {
    switch result {
    case .search(let hits) where state.search.pending == id:
        state.search.pending = nil
        state.search.hits = hits
        state.search.answeredQuery = state.search.debounceQuery
        state.search.selected = min(state.search.selected, max(0, hits.count - 1))
    case .similarity(let m) where state.matrix.pending == id:
        state.matrix.pending = nil
        state.matrix.matrix = m
        state.matrix.row = min(state.matrix.row, max(0, m.count - 1))
        state.matrix.column = min(state.matrix.column, max(0, m.count - 1))
    case .neighbours(let hits) where state.neighbours.pending == id:
        state.neighbours.pending = nil
        state.neighbours.hits = hits
        state.neighbours.selected = 0
    case .clusters(let c) where state.clusters.pending == id:
        state.clusters.pending = nil
        state.clusters.clustering = c
        state.clusters.selected = min(state.clusters.selected, max(0, c.clusters.count - 1))
    case .duplicates(let groups, let similarity) where state.duplicates.pending == id:
        state.duplicates.pending = nil
        state.duplicates.groups = groups
        state.duplicates.similarity = similarity
        let rows = groups.reduce(0) { $0 + $1.members.count }
        state.duplicates.selected = min(state.duplicates.selected, max(0, rows - 1))
    case .projection(let points, let clusters) where state.map.pending == id:
        state.map.pending = nil
        let fresh = state.map.points.isEmpty
        state.map.points = points
        state.map.clusters = clusters
        if fresh {
            let area = Layout.mapArea(state)
            state.map.cursorX = area.width / 2; state.map.cursorY = area.height / 2
        }
    case .comparison(let c) where state.adapters.pending == id:
        state.adapters.pending = nil
        state.adapters.comparison = c
        state.adapters.selected = min(state.adapters.selected, max(0, c.matrixA.count - 1))
    default:
        break   // stale: superseded, cancelled, or for a view that moved on
    }
    return []
}

func clearPending(_ state: inout AppState, id: Int) {
    if state.search.pending == id { state.search.pending = nil }
    if state.matrix.pending == id { state.matrix.pending = nil }
    if state.neighbours.pending == id { state.neighbours.pending = nil }
    if state.clusters.pending == id { state.clusters.pending = nil }
    if state.duplicates.pending == id { state.duplicates.pending = nil }
    if state.map.pending == id { state.map.pending = nil }
    if state.adapters.pending == id { state.adapters.pending = nil }
}
