import Foundation

/// Braille geometry of the Map view: every cell holds 2×4 dots, so the map has twice the
/// columns and four times the rows of its area in dots (which are roughly square on screen).
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

    /// The braille bit of dot (dx, dy) inside its cell (dx in 0...1, dy in 0...3), Unicode order.
    public static func bit(dx: Int, dy: Int) -> UInt32 {
        let table: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        return table[dy][dx]
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

    /// Per cell: the braille bits and the cluster with the most dots there.
    public static func cells(_ state: AppState, width: Int, height: Int) -> [[(bits: UInt32, cluster: Int)]] {
        var bits = Array(repeating: Array(repeating: UInt32(0), count: width), count: height)
        var counts = Array(repeating: Array(repeating: [Int: Int](), count: width), count: height)
        for (i, p) in dots(state.map.points, width: width, height: height).enumerated() {
            let cx = min(width - 1, p.x / 2), cy = min(height - 1, p.y / 4)
            bits[cy][cx] |= bit(dx: p.x % 2, dy: p.y % 4)
            let cluster = i < state.map.clusters.count ? state.map.clusters[i] : 0
            counts[cy][cx][cluster, default: 0] += 1
        }
        return (0..<height).map { y in
            (0..<width).map { x in
                let top = counts[y][x].max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }
                return (bits[y][x], top?.key ?? 0)
            }
        }
    }
}

func renderMap(_ state: AppState, into screen: inout Screen, _ body: Rect) {
    let area = Layout.mapArea(state)
    guard !state.map.points.isEmpty else { renderWaiting(state, "the map", into: &screen, body); return }
    let grid = MapGeometry.cells(state, width: area.width, height: area.height)
    for y in 0..<area.height {
        for x in 0..<area.width {
            let cell = grid[y][x]
            let ch = cell.bits == 0 ? " " : String(Character(Unicode.Scalar(0x2800 + cell.bits) ?? " "))
            screen.put(ch, x: area.x + x, y: area.y + y, style: cell.bits == 0 ? .normal : .cluster(cell.cluster))
        }
    }
    // The cursor: its cell in the cursor style (a cross when empty).
    let cx = area.x + state.map.cursorX, cy = area.y + state.map.cursorY
    if grid.indices.contains(state.map.cursorY), grid[state.map.cursorY].indices.contains(state.map.cursorX),
       grid[state.map.cursorY][state.map.cursorX].bits == 0 {
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
