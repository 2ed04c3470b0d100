import Foundation
import Analysis

// Neighbours, Clusters and Duplicates: list views over corpus documents.

func documentText(_ state: AppState, _ i: Int) -> String {
    state.documents.indices.contains(i) ? state.documents[i].text : "#\(i)"
}

/// A centred hint when a view has nothing to show yet.
func renderWaiting(_ state: AppState, _ what: String, into screen: inout Screen, _ body: Rect) {
    let text: String
    if state.model == nil || state.documents.isEmpty { text = "loading the model and the corpus…" }
    else if let error = state.indexError { text = "the corpus could not be indexed: \(error)" }
    else if !state.indexReady { text = "indexing the corpus… \(what) appear when it is ready" }
    else { text = "computing \(what)…" }
    screen.put(" " + text, x: body.x, y: body.y + 1, maxWidth: body.width, style: .dim)
}

func renderNeighbours(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let n = state.neighbours
    guard !state.documents.isEmpty else { renderWaiting(state, "neighbours", into: &screen, body); return }
    var x = screen.put(" Focus #\(n.focus) ", x: body.x, y: body.y, style: .accent)
    x += screen.put(documentText(state, n.focus), x: body.x + x, y: body.y, maxWidth: body.width - x, style: .title)
    let trail = n.trail.isEmpty ? "" : "  path: " + n.trail.suffix(6).map { "#\($0)" }.joined(separator: " → ") + " → #\(n.focus)"
    screen.put(" \(n.hits.count) nearest of \(state.documents.count)" + trail, x: body.x, y: body.y + 1,
               maxWidth: body.width, style: .dim)
    guard !n.hits.isEmpty else {
        if n.pending != nil || !state.indexReady { renderWaiting(state, "neighbours", into: &screen, Rect(x: body.x, y: body.y + 2, width: body.width, height: 1)) }
        return
    }
    let list = Layout.neighboursList(state)
    let offset = Layout.scrollOffset(selected: n.selected, count: n.hits.count, rows: list.height)
    for row in 0..<list.height {
        let i = offset + row
        guard i < n.hits.count else { break }
        let hit = n.hits[i]
        let y = list.y + row
        var cx = list.x
        cx += screen.put(DisplayText.padLeft("\(i + 1)", width: 3) + " ", x: cx, y: y, style: .dim)
        cx += screen.put(Format.score(hit.score) + " ", x: cx, y: y, style: .score(hit.score))
        cx += screen.put(DisplayText.padLeft("#\(hit.index)", width: 6) + "  ", x: cx, y: y, style: .dim)
        screen.put(documentText(state, hit.index), x: cx, y: y, maxWidth: list.maxX - cx)
        if i == n.selected { screen.restyle(Rect(x: list.x, y: y, width: list.width, height: 1), style: .selection) }
    }
}

func renderClusters(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let c = state.clusters
    let kText = c.k.map { "k = \($0)" } ?? "k automatic" + (c.clustering.map { " (\($0.k))" } ?? "")
    var header = " \(kText)"
    if let s = c.clustering?.silhouette { header += String(format: " · silhouette %.2f", s) }
    if c.pending != nil { header += " · computing…" }
    screen.put(header, x: body.x, y: body.y, maxWidth: body.width, style: .accent)
    guard let clustering = c.clustering, !clustering.clusters.isEmpty else {
        renderWaiting(state, "clusters", into: &screen, body); return
    }
    let list = Layout.clusterList(state)
    let offset = Layout.scrollOffset(selected: c.selected, count: clustering.clusters.count, rows: list.height)
    for row in 0..<list.height {
        let i = offset + row
        guard i < clustering.clusters.count else { break }
        let cl = clustering.clusters[i]
        let y = list.y + row
        var x = list.x
        x += screen.put(" ● ", x: x, y: y, style: .cluster(i))
        x += screen.put(DisplayText.padLeft("\(cl.size)", width: 4) + "  ", x: x, y: y, style: .dim)
        screen.put(cl.label.isEmpty ? "cluster \(i + 1)" : cl.label, x: x, y: y, maxWidth: list.maxX - x)
        if i == c.selected { screen.restyle(Rect(x: list.x, y: y, width: list.width, height: 1), style: .selection) }
    }
    // Members of the selected cluster, most central first.
    guard clustering.clusters.indices.contains(c.selected) else { return }
    let members = clustering.clusters[c.selected].members
    let mx = list.maxX + 2
    screen.put("members (most central first)", x: mx, y: body.y + 1, maxWidth: body.maxX - mx, style: .dim)
    for (row, doc) in members.prefix(body.height - 2).enumerated() {
        let y = body.y + 2 + row
        let x = mx + screen.put(DisplayText.padLeft("#\(doc)", width: 6) + " ", x: mx, y: y, style: .cluster(c.selected))
        screen.put(documentText(state, doc), x: x, y: y, maxWidth: body.maxX - x)
    }
}

func renderDuplicates(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let d = state.duplicates
    let drops = d.marks.values.filter { $0 == .drop }.count
    var header = String(format: " threshold %.2f · %d group%@ · %d marked drop", d.threshold, d.groups.count,
                        d.groups.count == 1 ? "" : "s", drops)
    if d.pending != nil { header += " · computing…" }
    if let path = d.lastWritten { header += " · last written: \(path)" }
    screen.put(header, x: body.x, y: body.y, maxWidth: body.width, style: .accent)
    guard !d.groups.isEmpty else {
        if d.pending != nil || !state.indexReady || d.generation != state.generation {
            renderWaiting(state, "duplicate groups", into: &screen, body)
        } else {
            screen.put(" no pairs at or above the threshold: press - to lower it", x: body.x, y: body.y + 1,
                       maxWidth: body.width, style: .dim)
        }
        return
    }
    // Rows: a header per group, then its members; the cursor counts members only.
    var rows: [(text: String, member: Int?, doc: Int?, style: SemanticStyle)] = []
    var memberIndex = 0
    for (g, group) in d.groups.enumerated() {
        let kind = group.exact ? "exact copies" : String(format: "min similarity %.2f", group.minSimilarity)
        rows.append(("group \(g + 1) · \(group.members.count) members · \(kind)", nil, nil, .title))
        for doc in group.members {
            rows.append(("", memberIndex, doc, .normal)); memberIndex += 1
        }
    }
    let list = Layout.duplicateList(state)
    let selectedRow = rows.firstIndex { $0.member == d.selected } ?? 0
    let offset = Layout.scrollOffset(selected: selectedRow, count: rows.count, rows: list.height)
    for r in 0..<list.height {
        let i = offset + r
        guard i < rows.count else { break }
        let y = list.y + r
        let row = rows[i]
        guard let doc = row.doc else {
            screen.put(" " + row.text, x: list.x, y: y, maxWidth: list.width, style: row.style); continue
        }
        let mark: String
        let markStyle: SemanticStyle
        switch d.marks[doc] {
        case .keep?: mark = "keep"; markStyle = .success
        case .drop?: mark = "drop"; markStyle = .error
        case nil: mark = "    "; markStyle = .dim
        }
        var x = list.x + screen.put("   " + mark + " ", x: list.x, y: y, style: markStyle)
        if let sim = d.similarity[doc] {
            x += screen.put(" " + Format.score(sim), x: x, y: y, style: .score(sim))
        } else {
            x += screen.put("     ", x: x, y: y)
        }
        x += screen.put(DisplayText.padLeft("#\(doc)", width: 6) + "  ", x: x, y: y, style: .dim)
        screen.put(documentText(state, doc), x: x, y: y, maxWidth: list.maxX - x)
        if row.member == d.selected { screen.restyle(Rect(x: list.x, y: y, width: list.width, height: 1), style: .selection) }
    }
}
