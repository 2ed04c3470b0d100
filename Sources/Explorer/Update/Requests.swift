import Foundation
import Analysis
import Session

// Issuing analysis requests and accepting their answers. Each view has one request slot in
// `state.requests` (RequestTable.swift): the id it waits for and the generation its data is for.

/// Requests whatever the current view needs that is stale (new index, new dimension, first visit).
func refresh(_ state: inout AppState) -> [Effect] {
    guard state.model != nil, state.requests[state.view].generation != state.generation else { return [] }
    return request(&state, for: state.view)
}

/// Builds and issues the request of `view` for the current state (or clears the view when it has
/// nothing to ask), marking the view's data as computed for the current generation.
func request(_ state: inout AppState, for view: ViewID) -> [Effect] {
    switch view {
    case .search: return runSearch(&state)
    case .matrix: return requestSimilarity(&state)
    case .neighbours: return requestNeighbours(&state)
    case .clusters: return requestClusters(&state)
    case .duplicates: return requestDuplicates(&state)
    case .map: return requestProjection(&state)
    case .adapters: return requestComparison(&state)
    }
}

/// Replaces `view`'s pending request: cancel the old id, issue the new one.
private func issue(_ state: inout AppState, _ view: ViewID, _ question: Question) -> [Effect] {
    var effects = cancel(&state, view)
    let id = state.newRequestID()
    state.requests[view].pending = id
    effects.append(.analyse(id: id, question, task: state.task, dim: state.dim))
    return effects
}

/// Cancels `view`'s pending request, if any.
func cancel(_ state: inout AppState, _ view: ViewID) -> [Effect] {
    guard let old = state.requests[view].pending else { return [] }
    state.requests[view].pending = nil
    return [.cancel(id: old)]
}

/// Cancels every view's pending request (a new index makes them all stale).
func cancelAllPending(_ state: inout AppState) -> [Effect] {
    ViewID.allCases.flatMap { cancel(&state, $0) }
}

/// Corpus questions (all but search) wait for the whole corpus to be indexed.
private func corpusReady(_ state: inout AppState, _ view: ViewID) -> Bool {
    guard state.indexReady, !state.documents.isEmpty else { return false }
    state.requests[view].generation = state.generation
    return true
}

func runSearch(_ state: inout AppState) -> [Effect] {
    let query = state.search.query.text.trimmingCharacters(in: .whitespaces)
    guard !query.isEmpty else {
        state.search.hits = []; state.search.answeredQuery = ""; state.search.list = ListState()
        state.requests[.search].generation = state.generation
        return cancel(&state, .search)
    }
    // Before the index is complete, search what is embedded so far; runs again on .indexed.
    guard state.indexReady || state.partialChunks > 0, let model = state.model else { return [] }
    state.requests[.search].generation = state.generation
    state.search.debounceQuery = query
    let queryTask = TaskDefaults.queryTask(forCorpusTask: state.task, available: model.tasks)
    return issue(&state, .search, .search(query: query, queryTask: queryTask, k: state.search.k))
}

func requestSimilarity(_ state: inout AppState) -> [Effect] {
    state.requests[.matrix].generation = state.generation
    guard !state.matrix.texts.isEmpty else {
        state.matrix.matrix = []
        return cancel(&state, .matrix)
    }
    return issue(&state, .matrix, .similarity(texts: state.matrix.texts))
}

func requestNeighbours(_ state: inout AppState) -> [Effect] {
    guard corpusReady(&state, .neighbours) else { return [] }
    state.neighbours.focus = min(state.neighbours.focus, state.documents.count - 1)
    return issue(&state, .neighbours, .neighbours(document: state.neighbours.focus, k: state.neighbours.k))
}

func requestClusters(_ state: inout AppState) -> [Effect] {
    guard corpusReady(&state, .clusters) else { return [] }
    return issue(&state, .clusters, .clusters(ClusterSpec(k: state.clusters.k)))
}

func requestDuplicates(_ state: inout AppState) -> [Effect] {
    guard corpusReady(&state, .duplicates) else { return [] }
    return issue(&state, .duplicates, .duplicates(threshold: state.duplicates.threshold))
}

func requestProjection(_ state: inout AppState) -> [Effect] {
    guard corpusReady(&state, .map) else { return [] }
    return issue(&state, .map, .projection(ClusterSpec(k: state.clusters.k)))
}

/// The Adapters view compares the scratch texts (two or more) or else a spread-out corpus sample; in
/// evaluation mode it asks once for the evaluation grid (which does not depend on the lens).
func requestComparison(_ state: inout AppState) -> [Effect] {
    guard let model = state.model else { return [] }
    if state.adapters.mode == .evaluation {
        state.requests[.adapters].generation = state.generation
        guard state.evaluation != nil, state.evaluation?.report == nil else { return cancel(&state, .adapters) }
        return issue(&state, .adapters, .evaluation)
    }
    let texts = comparisonTexts(state)
    state.requests[.adapters].generation = state.generation
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
    return issue(&state, .adapters, .compare(texts: texts, a: a, b: b))
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

/// Stores an answer in the view that asked for it; anything else is stale and dropped.
func accept(_ state: inout AppState, id: Int, _ answer: Answer) -> [Effect] {
    guard let view = state.requests.view(waitingFor: id) else { return [] }
    switch (view, answer) {
    case (.search, .search(let hits)):
        state.search.hits = hits
        state.search.answeredQuery = state.search.debounceQuery
        state.search.list.clamp(count: hits.count)
    case (.matrix, .similarity(let m)):
        state.matrix.matrix = m
        state.matrix.row = min(state.matrix.row, max(0, m.count - 1))
        state.matrix.column = min(state.matrix.column, max(0, m.count - 1))
    case (.neighbours, .neighbours(let hits)):
        state.neighbours.hits = hits
        state.neighbours.list = ListState()
    case (.clusters, .clusters(let c)):
        state.clusters.clustering = c
        state.clusters.list.clamp(count: c.clusters.count)
    case (.duplicates, .duplicates(let d)):
        state.duplicates.groups = d.groups
        state.duplicates.similarity = d.similarityToFirst
        state.duplicates.list.clamp(count: d.groups.reduce(0) { $0 + $1.members.count })
    case (.map, .projection(let points, let clusters)):
        let fresh = state.map.points.isEmpty
        state.map.points = points
        state.map.clusters = clusters
        if fresh {
            let area = Layout.mapArea(state)
            state.map.cursorX = area.width / 2; state.map.cursorY = area.height / 2
        }
    case (.adapters, .evaluation(let report)):
        if var e = state.evaluation {
            e.report = report
            e.metric = min(e.metric, max(0, report.metrics.count - 1))
            state.evaluation = e
        }
    case (.adapters, .comparison(let c)):
        state.adapters.comparison = c
        state.adapters.selected = min(state.adapters.selected, max(0, c.matrixA.count - 1))
    default:
        break       // an answer of another kind cannot be this view's: dropped, and the view stops waiting
    }
    state.requests[view].pending = nil
    return []
}

/// A request failed: its view stops waiting.
func clearPending(_ state: inout AppState, id: Int) {
    if let view = state.requests.view(waitingFor: id) { state.requests[view].pending = nil }
}
