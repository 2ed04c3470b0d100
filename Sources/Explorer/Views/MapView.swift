import Foundation

/// Braille geometry of the Map view (a `BrailleCanvas`: every cell holds 2×4 dots, so the map has
/// twice the columns and four times the rows of its area in dots, roughly square on screen).
public enum MapGeometry {
    /// Dot coordinates (column, row) of each point in an area of `width`×`height` cells.
    public static func dots(_ points: [SIMD2<Float>], width: Int, height: Int) -> [(x: Int, y: Int)] {
        guard !points.isEmpty, width > 0, height > 0 else { return [] }
        var lo = points[0], hi = points[0]
        for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let w = Float(width * 2 - 1), h = Float(height * 4 - 1)
        let spanX = max(hi.x - lo.x, 1e-6), spanY = max(hi.y - lo.y, 1e-6)
        return points.map { p in
            let fx = p.x.isFinite ? (p.x - lo.x) / spanX : 0.5
            let fy = p.y.isFinite ? (p.y - lo.y) / spanY : 0.5
            return (Int((fx * w).rounded()), Int(((1 - fy) * h).rounded()))   // y grows upwards on the map
        }
    }

    /// The point nearest to the cursor cell's centre, in dot space.
    public static func nearestPoint(_ state: AppState) -> Int? {
        let area = Layout.mapArea(state)
        let d = dots(state.map.points, width: area.width, height: area.height)
        let cx = state.map.cursorX * 2 + 1, cy = state.map.cursorY * 4 + 2
        var best: Int?
        var bestDistance = Int.max
        for (i, p) in d.enumerated() {
            let dist = (p.x - cx) * (p.x - cx) + (p.y - cy) * (p.y - cy)
            if dist < bestDistance { bestDistance = dist; best = i }
        }
        return best
    }

    /// The points as braille dots coloured by cluster (a cell shows the cluster with the most dots).
    public static func canvas(_ state: AppState, width: Int, height: Int) -> BrailleCanvas {
        var canvas = BrailleCanvas(width: width, height: height)
        for (i, p) in dots(state.map.points, width: width, height: height).enumerated() {
            canvas.set(x: p.x, y: p.y, colour: i < state.map.clusters.count ? state.map.clusters[i] : 0)
        }
        return canvas
    }
}

func renderMap(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let area = Layout.mapArea(state)
    guard !state.map.points.isEmpty else { renderWaiting(state, "the map", into: &screen, body); return }
    let canvas = MapGeometry.canvas(state, width: area.width, height: area.height)
    for y in 0..<area.height {
        for x in 0..<area.width {
            let ch = canvas.character(x: x, y: y)
            screen.put(ch ?? " ", x: area.x + x, y: area.y + y, style: ch == nil ? .normal : .cluster(canvas.colour(x: x, y: y)))
        }
    }
    // The cursor: its cell in the cursor style (a cross when empty).
    let cx = area.x + state.map.cursorX, cy = area.y + state.map.cursorY
    if (0..<canvas.height).contains(state.map.cursorY), (0..<canvas.width).contains(state.map.cursorX),
       canvas.bits(x: state.map.cursorX, y: state.map.cursorY) == 0 {
        screen.put("┼", x: cx, y: cy, style: .cursor)
    } else if cx < screen.width, cy < screen.height {
        screen[cx, cy].style = .cursor
    }
    // The selected point.
    let infoY = area.maxY
    screen.fill(Rect(x: body.x, y: infoY, width: body.width, height: 1), style: .border, with: "─")
    let k = Set(state.map.clusters).count
    screen.put(" \(state.map.points.count) points · \(k) clusters · 2-D projection (PCA) ", x: body.x + 2, y: infoY, style: .dim)
    if let i = MapGeometry.nearestPoint(state) {
        let cluster = i < state.map.clusters.count ? state.map.clusters[i] : 0
        var x = screen.put(" ● ", x: body.x, y: infoY + 1, style: .cluster(cluster))
        x += screen.put("#\(i) cluster \(cluster + 1)  ", x: body.x + x, y: infoY + 1, style: .dim)
        screen.put(documentText(state, i), x: body.x + x, y: infoY + 1, maxWidth: body.width - x)
    }
}
