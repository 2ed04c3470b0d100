import EmbeddingEngine
import Foundation

/// Draws the whole explorer for `state` into a fresh Screen.
public func render(_ state: AppState) -> Screen {
    var screen = Screen(width: state.width, height: state.height)
    if state.tooSmall {
        renderTooSmall(state, into: &screen)
        return screen
    }
    renderHeader(state, into: &screen)
    renderTabs(state, into: &screen)
    let body = Layout.body(state)
    switch state.view {
    case .search: renderSearch(state, into: &screen, body)
    case .matrix: renderMatrix(state, into: &screen, body)
    case .neighbours: renderNeighbours(state, into: &screen, body)
    case .clusters: renderClusters(state, into: &screen, body)
    case .duplicates: renderDuplicates(state, into: &screen, body)
    case .map: renderMap(state, into: &screen, body)
    case .adapters: renderAdapters(state, into: &screen, body)
    }
    renderStatus(state, into: &screen)
    renderHints(state, into: &screen)
    switch state.overlay {
    case .help(let scroll)?: renderHelp(state, scroll: scroll, into: &screen)
    case .taskPicker(let selected)?: renderTaskPicker(state, selected: selected, into: &screen)
    case .detail(let doc, let scroll)?: renderDetail(state, document: doc, scroll: scroll, into: &screen)
    case nil: break
    }
    return screen
}

func renderTooSmall(_ state: AppState, into screen: inout Screen) {
    let lines = ["terminal too small", "\(state.width)×\(state.height), need at least \(AppState.minimumWidth)×\(AppState.minimumHeight)",
                 "enlarge the window, or press q to quit"]
    let top = max(0, (state.height - lines.count) / 2)
    for (i, l) in lines.enumerated() {
        let w = DisplayWidth.of(l)
        screen.put(l, x: max(0, (state.width - w) / 2), y: top + i, style: i == 0 ? .error : .normal)
    }
}

/// Row 0: the program, the model (and its precision unless exact), the task and the dimension.
func renderHeader(_ state: AppState, into screen: inout Screen) {
    screen.fill(Rect(x: 0, y: 0, width: state.width, height: 1), style: .header)
    var x = screen.put(" loupe ", x: 0, y: 0, style: .header)
    let model = state.model.map { $0.name + ($0.precision.map { " (\($0))" } ?? "") } ?? "loading model…"
    let full = state.model.map { $0.dimensions.max() ?? $0.hiddenSize } ?? 0
    let parts = ["model \(model)", "task \(TaskCatalog.name(state.task))",
                 state.model == nil ? "" : "dim \(state.dim)/\(full)"]
    for p in parts where !p.isEmpty {
        x += screen.put("│ ", x: x, y: 0, style: .header)
        x += screen.put(p + " ", x: x, y: 0, maxWidth: state.width - x, style: .header)
    }
}

func renderTabs(_ state: AppState, into screen: inout Screen) {
    for tab in Layout.tabs(state) {
        screen.put(tab.label, x: tab.columns.lowerBound, y: 1, style: .tab(active: tab.view == state.view))
    }
}

/// Second-to-last row: corpus size, indexing progress, encoder latency, and the last message.
func renderStatus(_ state: AppState, into screen: inout Screen) {
    let y = state.height - 2
    screen.fill(Rect(x: 0, y: y, width: state.width, height: 1), style: .footer)
    var x = 0
    let corpus = state.documents.isEmpty ? " loading corpus…" : " \(state.documents.count) docs"
    x += screen.put(corpus, x: x, y: y, style: .footer)
    let p = state.progress
    if state.indexError != nil {
        x += screen.put(" │ not indexed", x: x, y: y, style: .error)
    } else if !state.indexReady || p.isActive {
        x += screen.put(" │ indexing ", x: x, y: y, style: .footer)
        let bar = 12
        x += ProgressBar.draw(fraction: p.fraction, width: bar, x: x, y: y, into: &screen)
        var text = String(format: " %3.0f%%", p.fraction * 100)
        if p.tokensPerSecond > 0 { text += " " + Format.rate(p.tokensPerSecond) + " tok/s" }
        if let eta = p.eta { text += " ETA " + Format.duration(eta) }
        x += screen.put(text, x: x, y: y, style: .footer)
    }
    if let ms = state.lastLatencyMs {
        x += screen.put(String(format: " │ encoder %.0f ms", ms), x: x, y: y, style: .footer)
    }
    if !state.endpoints.isEmpty {
        x += renderEndpoints(state.endpoints, x: x, y: y, room: state.width - x - 24, into: &screen)
    }
    if let status = state.status, x + 4 < state.width {
        x += screen.put(" │ ", x: x, y: y, style: .footer)
        screen.put(status, x: x, y: y, maxWidth: state.width - x, style: state.statusIsError ? .error : .footer)
    }
}

/// The endpoints on the status row: each one's port (or name) and speed, `retry in Ns` after a failure,
/// `down` or `out` when it takes no work — or, when that does not fit in `room`, how many are up and their
/// total speed.
func renderEndpoints(_ endpoints: [EndpointStatus], x: Int, y: Int, room: Int, into screen: inout Screen) -> Int {
    func label(_ e: EndpointStatus) -> String {
        let short = e.name.split(separator: ":").last.map { ":" + $0 } ?? e.name
        switch e.state {
        case .up: return e.tokensPerSecond > 0 ? "\(short) \(Format.rate(e.tokensPerSecond))/s" : "\(short) up"
        case .backingOff:
            guard let wait = e.retryIn, wait > 0 else { return "\(short) retrying" }
            return "\(short) retry in \(Int(wait.rounded(.up)))s"
        case .setAside: return "\(short) down"
        case .failed: return "\(short) out"
        }
    }
    let each = endpoints.map(label)
    var used = screen.put(" │ ", x: x, y: y, style: .footer)
    if DisplayWidth.of(each.joined(separator: "  ")) + 3 <= room {
        for (i, (e, text)) in zip(endpoints, each).enumerated() {
            if i > 0 { used += screen.put("  ", x: x + used, y: y, style: .footer) }
            used += screen.put(text, x: x + used, y: y, style: e.isUsable ? .footer : .error)
        }
        return used
    }
    let up = endpoints.filter(\.isUsable)
    let rate = up.reduce(0) { $0 + $1.tokensPerSecond }
    let text = "\(up.count)/\(endpoints.count) endpoints up" + (rate > 0 ? " \(Format.rate(rate)) tok/s" : "")
    used += screen.put(text, x: x + used, y: y, style: up.count == endpoints.count ? .footer : .error)
    return used
}

/// Last row: the key hints of the current view, as many as fit.
func renderHints(_ state: AppState, into screen: inout Screen) {
    let y = state.height - 1
    var x = 1
    for (key, help) in Keymap.hints(for: state) {
        let need = DisplayWidth.of(key) + 1 + DisplayWidth.of(help) + 2
        if x + need > state.width { break }
        x += screen.put(key, x: x, y: y, style: .keyHint)
        x += screen.put(" " + help + "  ", x: x, y: y, style: .dim)
    }
}

enum ProgressBar {
    /// A bar of eighth blocks; returns the width drawn.
    @discardableResult
    static func draw(fraction: Double, width: Int, x: Int, y: Int, into screen: inout Screen,
                     style: SemanticStyle = .progress) -> Int {
        let f = min(1, max(0, fraction.isFinite ? fraction : 0))
        let eighths = Int((f * Double(width * 8)).rounded())
        let blocks = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var s = String(repeating: "█", count: eighths / 8)
        if eighths % 8 > 0 { s += blocks[eighths % 8] }
        let used = screen.put(s, x: x, y: y, style: style)
        screen.put(String(repeating: "·", count: max(0, width - used)), x: x + used, y: y, style: .dim)
        return width
    }
}

public enum Format {
    public static func rate(_ v: Double) -> String {
        v >= 10_000 ? String(format: "%.0fk", v / 1000) : v >= 1000 ? String(format: "%.1fk", v / 1000) : String(format: "%.0f", v)
    }
    public static func duration(_ s: Double) -> String {
        if !s.isFinite || s < 0 { return "?" }
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
    /// A score as two decimals ("0.83", "-0.12").
    public static func score(_ s: Float) -> String { String(format: "%.2f", s) }
}
