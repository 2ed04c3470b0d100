import Foundation

/// Plain, obviously-correct versions of the kernels (double accumulation, arrays in and out).
/// They exist to test the fast versions in `Kernels` and to document the maths.
public enum ReferenceKernels {
    /// x: [rows][cols]
    public static func layerNorm(_ x: [[Float]], gamma: [Float], beta: [Float], eps: Double) -> [[Float]] {
        x.map { row in
            let n = Double(row.count)
            let mean = row.reduce(0.0) { $0 + Double($1) } / n
            let variance = row.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
            let inv = 1 / (variance + eps).squareRoot()
            return row.indices.map { Float((Double(row[$0]) - mean) * inv * Double(gamma[$0]) + Double(beta[$0])) }
        }
    }

    public static func softmax(_ row: [Float], scale: Double = 1) -> [Float] {
        let m = row.map { Double($0) * scale }.max() ?? 0
        let e = row.map { exp(Double($0) * scale - m) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    /// Rotary on one head vector at position t (rotate_half convention).
    public static func rope(_ head: [Float], position t: Int, base: Double) -> [Float] {
        let d = head.count, half = d / 2
        var out = head
        for j in 0..<half {
            let angle = Double(t) * pow(base, -Double(2 * j) / Double(d))
            let c = cos(angle), s = sin(angle)
            out[j] = Float(Double(head[j]) * c - Double(head[j + half]) * s)
            out[j + half] = Float(Double(head[j + half]) * c + Double(head[j]) * s)
        }
        return out
    }

    /// C = A · Bᵀ with A [m][k], B [n][k].
    public static func matmulTransB(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] {
        a.map { ar in b.map { br in Float(zip(ar, br).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }) } }
    }
}
