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
        if state.requests[.neighbours].pending != nil || !state.indexReady {
            renderWaiting(state, "neighbours", into: &screen, Rect(x: body.x, y: body.y + 2, width: body.width, height: 1))
        }
        return
    }
    Layout.listWidget(state, .neighbours)?.render(into: &screen) { i, row, screen in
        let hit = n.hits[i]
        var x = row.x
        x += screen.put(DisplayText.padLeft("\(i + 1)", width: 3) + " ", x: x, y: row.y, style: .dim)
        x += screen.put(Format.score(hit.score) + " ", x: x, y: row.y, style: .score(hit.score))
        x += screen.put(DisplayText.padLeft("#\(hit.document)", width: 6) + "  ", x: x, y: row.y, style: .dim)
        screen.put(documentText(state, hit.document), x: x, y: row.y, maxWidth: row.maxX - x)
    }
}

func renderClusters(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let c = state.clusters
    let kText = c.k.map { "k = \($0)" } ?? "k automatic" + (c.clustering.map { " (\($0.k))" } ?? "")
    var header = " \(kText)"
    if let s = c.clustering?.silhouette { header += String(format: " · silhouette %.2f", s) }
    if state.requests[.clusters].pending != nil { header += " · computing…" }
    screen.put(header, x: body.x, y: body.y, maxWidth: body.width, style: .accent)
    guard let clustering = c.clustering, !clustering.clusters.isEmpty else {
        renderWaiting(state, "clusters", into: &screen, body); return
    }
    let list = Layout.clusterList(state)
    Layout.listWidget(state, .clusters)?.render(into: &screen) { i, row, screen in
        let cl = clustering.clusters[i]
        var x = row.x
        x += screen.put(" ● ", x: x, y: row.y, style: .cluster(i))
        x += screen.put(DisplayText.padLeft("\(cl.size)", width: 4) + "  ", x: x, y: row.y, style: .dim)
        screen.put(cl.label.isEmpty ? "cluster \(i + 1)" : cl.label, x: x, y: row.y, maxWidth: row.maxX - x)
    }
    // Members of the selected cluster, most central first.
    guard clustering.clusters.indices.contains(c.list.selected) else { return }
    let members = clustering.clusters[c.list.selected].members
    let mx = list.maxX + 2
    screen.put("members (most central first)", x: mx, y: body.y + 1, maxWidth: body.maxX - mx, style: .dim)
    for (row, doc) in members.prefix(body.height - 2).enumerated() {
        let y = body.y + 2 + row
        let x = mx + screen.put(DisplayText.padLeft("#\(doc)", width: 6) + " ", x: mx, y: y, style: .cluster(c.list.selected))
        screen.put(documentText(state, doc), x: x, y: y, maxWidth: body.maxX - x)
    }
}

func renderDuplicates(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let d = state.duplicates
    let drops = d.marks.values.filter { $0 == .drop }.count
    var header = String(format: " threshold %.2f · %d group%@ · %d marked drop", d.threshold, d.groups.count,
                        d.groups.count == 1 ? "" : "s", drops)
    let pending = state.requests[.duplicates].pending != nil
    if pending { header += " · computing…" }
    if let path = d.lastWritten { header += " · last written: \(path)" }
    screen.put(header, x: body.x, y: body.y, maxWidth: body.width, style: .accent)
    guard !d.groups.isEmpty else {
        if pending || !state.indexReady || state.requests[.duplicates].generation != state.generation {
            renderWaiting(state, "duplicate groups", into: &screen, body)
        } else {
            screen.put(" no pairs at or above the threshold: press - to lower it", x: body.x, y: body.y + 1,
                       maxWidth: body.width, style: .dim)
        }
        return
    }
    // Rows: a header per group, then its members; the cursor counts members only.
    let rows = DuplicateRows.rows(d.groups)
    Layout.listWidget(state, .duplicates)?.render(into: &screen) { i, row, screen in
        switch rows[i] {
        case .header(let g):
            let group = d.groups[g]
            let kind = group.exact ? "exact copies" : String(format: "min similarity %.2f", group.minSimilarity)
            screen.put(" group \(g + 1) · \(group.members.count) members · \(kind)", x: row.x, y: row.y,
                       maxWidth: row.width, style: .title)
        case .member(_, let doc):
            let (mark, markStyle): (String, SemanticStyle)
            switch d.marks[doc] {
            case .keep?: (mark, markStyle) = ("keep", .success)
            case .drop?: (mark, markStyle) = ("drop", .error)
            case nil: (mark, markStyle) = ("    ", .dim)
            }
            var x = row.x + screen.put("   " + mark + " ", x: row.x, y: row.y, style: markStyle)
            if let sim = d.similarity[doc] {
                x += screen.put(" " + Format.score(sim), x: x, y: row.y, style: .score(sim))
            } else {
                x += screen.put("     ", x: x, y: row.y)
            }
            x += screen.put(DisplayText.padLeft("#\(doc)", width: 6) + "  ", x: x, y: row.y, style: .dim)
            screen.put(documentText(state, doc), x: x, y: row.y, maxWidth: row.maxX - x)
        }
    }
}
