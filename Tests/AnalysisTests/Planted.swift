import Analysis
import TestSupport

/// Synthetic vectors with structure planted on purpose, so the expected answers are known
/// independently of the code under test.
enum Planted {
    /// A random unit vector.
    static func unit(_ dim: Int, _ rng: inout SeededRNG) -> [Float] {
        normalize((0..<dim).map { _ in Float.random(in: -1...1, using: &rng) })
    }

    static func normalize(_ v: [Float]) -> [Float] {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / n }
    }

    /// `clusters` groups of `perCluster` points around mutually far random centres (noise `spread`
    /// per coordinate), shuffled. Returns the vectors and each point's true group.
    static func clusters(_ clusters: Int, perCluster: Int, dim: Int, spread: Float, seed: UInt64)
        -> (vectors: Vectors, truth: [Int]) {
        var rng = SeededRNG(seed: seed)
        let centres = (0..<clusters).map { _ in unit(dim, &rng) }
        var items: [([Float], Int)] = []
        for c in 0..<clusters {
            for _ in 0..<perCluster {
                items.append((normalize(centres[c].map { $0 + Float.random(in: -spread...spread, using: &rng) }), c))
            }
        }
        items.shuffle(using: &rng)
        return (Vectors(rows: items.map(\.0)), items.map(\.1))
    }

    /// True when two labelings define the same partition (equal up to renaming the labels).
    static func samePartition(_ a: [Int], _ b: [Int]) -> Bool {
        guard a.count == b.count else { return false }
        var ab = [Int: Int](), ba = [Int: Int]()
        for (x, y) in zip(a, b) {
            if let m = ab[x], m != y { return false }
            if let m = ba[y], m != x { return false }
            ab[x] = y; ba[y] = x
        }
        return true
    }

    static func dot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
