import Foundation

/// A canvas of braille dots: every cell holds 2×4 dots (U+2800…U+28FF), so a canvas of
/// `width`×`height` cells has `2·width`×`4·height` dots, roughly square on screen. Each dot may
/// carry a colour (a series or cluster number); a cell shows the colour with the most dots there
/// (ties → the smaller number). Used by the Map view and by line charts (`LineChart`).
public struct BrailleCanvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    private var bits: [UInt32]            // [height, width]
    private var counts: [[Int: Int]]      // [height, width]: colour → dots

    public init(width: Int, height: Int) {
        self.width = max(0, width); self.height = max(0, height)
        bits = Array(repeating: 0, count: self.width * self.height)
        counts = Array(repeating: [:], count: self.width * self.height)
    }

    public var dotWidth: Int { width * 2 }
    public var dotHeight: Int { height * 4 }

    /// Sets dot (x, y), origin top left; dots outside the canvas are ignored.
    public mutating func set(x: Int, y: Int, colour: Int = 0) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let c = (y / 4) * width + x / 2
        bits[c] |= Self.bit(dx: x % 2, dy: y % 4)
        counts[c][colour, default: 0] += 1
    }

    /// A straight line of dots from one dot to another, both ends included (Bresenham).
    public mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), colour: Int = 0) {
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var err = dx + dy
        while true {
            set(x: x, y: y, colour: colour)
            if x == b.x && y == b.y { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// The braille bits of cell (x, y) (0 = empty).
    public func bits(x: Int, y: Int) -> UInt32 { bits[y * width + x] }

    /// The braille character of cell (x, y), or nil when it has no dot.
    public func character(x: Int, y: Int) -> String? {
        let b = bits(x: x, y: y)
        return b == 0 ? nil : Unicode.Scalar(0x2800 + b).map { String(Character($0)) }
    }

    /// The colour with the most dots in cell (x, y) (ties → the smaller), 0 when empty.
    public func colour(x: Int, y: Int) -> Int {
        let top = counts[y * width + x].max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }
        return top?.key ?? 0
    }

    /// The braille bit of dot (dx, dy) inside its cell (dx in 0...1, dy in 0...3), Unicode order.
    public static func bit(dx: Int, dy: Int) -> UInt32 {
        let table: [[UInt32]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        return table[dy][dx]
    }
}
