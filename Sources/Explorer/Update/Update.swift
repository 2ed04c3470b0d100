import Foundation
import Analysis
import Corpus
import EmbeddingEngine
import Session

/// The explorer's one state transition: pure, so every behaviour is a message → state/effect test.
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
    switch message {
    case .key(let key):
        return handleKey(&state, key)
    case .mouse(let event):
        return handleMouse(&state, event)
    case .resize(let w, let h):
        state.width = max(1, w); state.height = max(1, h)
        clampMapCursor(&state)
        return []
    case .modelLoaded(let model, let task, let dim):
        state.model = model
        state.task = task
        let full = model.dimensions.max() ?? model.hiddenSize
        state.dim = dim ?? full
        setUpAdapters(&state)
        state.indexReady = false
        state.partialChunks = 0
        return [.reindex(task: task)]
    case .corpusLoaded(let name, let documents):
        state.corpusName = name
        state.documents = documents
        return []
    case .progress(let p):
        state.progress = p
        return []
    case .endpoints(let endpoints):
        noteEndpointChanges(&state, endpoints)
        state.endpoints = endpoints
        return []
    case .indexPartial(let task, let chunks):
        guard task == state.task, !state.indexReady, chunks > state.partialChunks else { return [] }
        state.partialChunks = chunks
        // Search the larger part now; the other views wait for the whole corpus.
        guard state.view == .search else { return [] }
        return runSearch(&state)
    case .indexed(let task, let chunks, let embedded, let cached):
        guard task == state.task else { return [] }     // an older task's index finished late
        state.indexReady = true
        state.partialChunks = 0
        state.indexError = nil
        state.indexedChunks = chunks
        state.generation += 1
        state.setStatus("indexed \(chunks) \(chunks == state.documents.count ? "documents" : "chunks")"
            + " under \(TaskCatalog.name(task)): \(embedded) embedded, \(cached) from the cache")
        return refresh(&state)
    case .indexFailed(let task, let text):
        guard task == state.task else { return [] }
        state.indexError = text
        state.setStatus("indexing under \(TaskCatalog.name(task)) failed: \(text)", error: true)
        return []
    case .debounceElapsed(let token):
        guard token == state.search.debounceToken else { return [] }
        return runSearch(&state)
    case .result(let id, let result, let latency):
        if let latency { state.lastLatencyMs = latency }
        return accept(&state, id: id, result)
    case .failed(let id, let text):
        if let id { clearPending(&state, id: id) }
        state.setStatus(text, error: true)
        return []
    case .evaluationLoaded(let name, let queries, let relevance):
        state.evaluation = EvaluationState(name: name, relevance: relevance)
        state.search.query.preload(history: queries)
        return []
    case .dropListWritten(let path, let count):
        state.duplicates.lastWritten = path
        state.setStatus("wrote \(count) document \(count == 1 ? "index" : "indices") to drop to \(path)")
        return []
    }
}

/// An endpoint that stops taking work (or comes back) is a status message; the rest of the pool goes on.
func noteEndpointChanges(_ state: inout AppState, _ endpoints: [EndpointStatus]) {
    let before = Dictionary(state.endpoints.map { ($0.name, $0.isUsable) }, uniquingKeysWith: { a, _ in a })
    for e in endpoints where before[e.name] != nil && before[e.name] != e.isUsable {
        let others = endpoints.filter(\.isUsable).count
        if e.isUsable {
            state.setStatus("endpoint \(e.name) is back")
        } else {
            let why = e.lastError.map { " (\($0))" } ?? ""
            let rest = others == 0 ? "no endpoint is left" : "its work goes to the other \(others)"
            state.setStatus("endpoint \(e.name) is \(e.state == .failed ? "out" : "down")\(why): \(rest)", error: others == 0)
        }
    }
}

extension AppState {
    mutating func setStatus(_ text: String, error: Bool = false) { status = text; statusIsError = error }
}

// MARK: - Keys

func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if state.quitting { return [] }
    if key == .ctrl("c") { return perform(&state, .quit) }
    if state.overlay != nil { return handleOverlayKey(&state, key) }
    if let action = Keymap.action(for: key, in: state) { return perform(&state, action) }
    if state.textFieldFocused, case .char(let c) = key {
        editField(&state) { $0.insert(c) }
        return fieldChanged(&state)
    }
    if state.textFieldFocused, key == .backspace || key == .delete || key == .left || key == .right {
        editField(&state) { f in
            switch key {
            case .backspace: f.backspace()
            case .delete: f.deleteForward()
            case .left: f.left()
            default: f.right()
            }
        }
        return key == .left || key == .right ? [] : fieldChanged(&state)
    }
    return []
}

/// Applies an edit to the focused view's field.
func editField(_ state: inout AppState, _ edit: (inout TextField) -> Void) {
    switch state.view {
    case .search: edit(&state.search.query)
    case .matrix: edit(&state.matrix.input)
    default: break
    }
}

/// Typing in the search field restarts the debounce timer; the search runs when it fires.
func fieldChanged(_ state: inout AppState) -> [Effect] {
    guard state.view == .search else { return [] }
    state.search.debounceToken += 1
    return [.debounce(token: state.search.debounceToken, seconds: 0.12)]
}

func perform(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .quit:
        state.quitting = true
        return [.quit]
    case .switchView(let v):
        return switchView(&state, to: v)
    case .help:
        state.overlay = .help(scroll: 0); return []
    case .taskPicker:
        let current = state.taskChoices.firstIndex(where: { $0 == state.task }) ?? 0
        state.overlay = .taskPicker(selected: current); return []
    case .dimDown, .dimUp:
        return stepDimension(&state, up: action == .dimUp)
    case .focusNext:
        if state.hasField(state.view) { state.focus = state.focus == .field ? .list : .field }
        return []
    case .leave:
        if state.textFieldFocused { state.focus = .list }
        return []
    case .focusInput:
        state.focus = .field; return []
    case .submit, .cursorHome, .cursorEnd, .deleteWord, .deleteToStart, .historyPrevious, .historyNext:
        return fieldAction(&state, action)
    default:
        return viewAction(&state, action)
    }
}

/// Switching views leaves the keys in command mode (focus on the list), so 1–7 keep switching;
/// `/`, `i` or Tab enter a view's text field. Only start-up opens with the query focused.
func switchView(_ state: inout AppState, to v: ViewID) -> [Effect] {
    state.overlay = nil
    state.view = v
    state.focus = .list
    return refresh(&state)
}

func stepDimension(_ state: inout AppState, up: Bool) -> [Effect] {
    let ladder = state.dimensionLadder
    guard !ladder.isEmpty else { return [] }
    let next: Int?
    if up { next = ladder.first(where: { $0 > state.dim }) } else { next = ladder.last(where: { $0 < state.dim }) }
    guard let next else {
        state.setStatus(up ? "already at the full dimension \(state.dim)" : "already at the smallest dimension \(state.dim)")
        return []
    }
    state.dim = next
    state.generation += 1
    state.setStatus("dimension \(next) (Matryoshka: the first \(next) values, re-normalized)")
    return refresh(&state)
}

func fieldAction(_ state: inout AppState, _ action: Action) -> [Effect] {
    if action == .submit {
        switch state.view {
        case .search:
            state.search.query.commit()
            state.focus = .list
            state.search.debounceToken += 1          // a pending debounce would only repeat this search
            return runSearch(&state)
        case .matrix:
            let text = state.matrix.input.text.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return [] }
            state.matrix.input.commit()
            state.matrix.input.set("")
            state.matrix.texts.append(text)
            return requestSimilarity(&state)
        default: return []
        }
    }
    var changed = false
    editField(&state) { f in
        let before = f.text
        switch action {
        case .cursorHome: f.home()
        case .cursorEnd: f.end()
        case .deleteWord: f.deleteWord()
        case .deleteToStart: f.deleteToStart()
        case .historyPrevious: f.historyPrevious()
        case .historyNext: f.historyNext()
        default: break
        }
        changed = f.text != before
    }
    return changed ? fieldChanged(&state) : []
}

// MARK: - Overlays

func handleOverlayKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if case .f(let n) = key, let v = ViewID(rawValue: n) { return switchView(&state, to: v) }
    guard let overlay = state.overlay else { return [] }
    let page = Layout.pageSize(state)
    switch overlay {
    case .help(let scroll):
        switch key {
        case .esc, .char("?"), .char("q"), .enter: state.overlay = nil
        case .up, .char("k"): state.overlay = .help(scroll: max(0, scroll - 1))
        case .down, .char("j"): state.overlay = .help(scroll: scroll + 1)
        case .pageDown: state.overlay = .help(scroll: scroll + page)
        case .pageUp: state.overlay = .help(scroll: max(0, scroll - page))
        default: break
        }
        return []
    case .taskPicker(let selected):
        let n = state.taskChoices.count
        switch key {
        case .esc, .char("q"), .char("t"): state.overlay = nil
        case .up, .char("k"): state.overlay = .taskPicker(selected: max(0, selected - 1))
        case .down, .char("j"): state.overlay = .taskPicker(selected: min(n - 1, selected + 1))
        case .enter:
            state.overlay = nil
            guard selected < n else { return [] }
            return chooseTask(&state, state.taskChoices[selected])
        default: break
        }
        return []
    case .detail(let doc, let scroll):
        switch key {
        case .esc, .enter, .char("q"): state.overlay = nil
        case .up, .char("k"): state.overlay = .detail(document: doc, scroll: max(0, scroll - 1))
        case .down, .char("j"): state.overlay = .detail(document: doc, scroll: scroll + 1)
        case .pageDown: state.overlay = .detail(document: doc, scroll: scroll + page)
        case .pageUp: state.overlay = .detail(document: doc, scroll: max(0, scroll - page))
        default: break
        }
        return []
    }
}

/// A new task means a new index: drop every result, embed the corpus again (mostly from the cache).
func chooseTask(_ state: inout AppState, _ task: String?) -> [Effect] {
    guard task != state.task else { return [] }
    guard state.model?.hasAdapters == true else {
        state.setStatus("this model has no task adapters", error: true)
        return []
    }
    state.task = task
    state.indexReady = false
    state.partialChunks = 0
    state.indexError = nil
    state.generation += 1
    var effects = cancelAllPending(&state)
    effects.append(.reindex(task: task))
    state.setStatus("task \(TaskCatalog.name(task)): re-indexing the corpus…")
    return effects
}
