import Foundation
import LoupeNumerics

/// The analyses behind the explorer views and the `similarity`, `search`, `neighbours`, `cluster`,
/// `dedup` and `compare` subcommands.
///
/// Every function is pure (same input, same output — k-means takes an explicit seed) and does its
/// matrix products with `BLAS.sgemm`, so the explorer may call them on every keypress. Inputs are
/// expected to be L2-normalized rows (what the encoder produces), which makes cosine similarity a
/// dot product; functions that need unit rows (clustering) normalize a copy themselves.
///
/// Bad shapes never crash: a query of the wrong length, an index out of range or an empty set gives
/// an empty result, as documented on each function. The CLI validates its input before calling.
public enum Analysis {}

extension Analysis {
    /// `C[m, n] = A[m, d] · B[n, d]ᵀ` for row-major blocks — the one matrix product every analysis uses.
    /// `a` and `b` point at the first row of each block; `c` receives `m × n` floats.
    @inlinable
    static func dotProducts(_ a: UnsafePointer<Float>, rows m: Int, _ b: UnsafePointer<Float>, rows n: Int,
                            dim d: Int, into c: UnsafeMutablePointer<Float>) {
        guard m > 0, n > 0 else { return }
        guard d > 0 else { c.initialize(repeating: 0, count: m * n); return }
        BLAS.sgemm(m: m, n: n, k: d, a: a, lda: d, b: b, ldb: d, transB: true, c: c, ldc: n)
    }

    /// Row-major `[count, count]` dot products of all rows with all rows, flat.
    static func gram(_ v: Vectors) -> [Float] {
        let n = v.count
        guard n > 0 else { return [] }
        var out = [Float](repeating: 0, count: n * n)
        v.data.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { c in
                dotProducts(x.baseAddress!, rows: n, x.baseAddress!, rows: n, dim: v.dim, into: c.baseAddress!)
            }
        }
        return out
    }

    /// Splits a flat `[n, n]` matrix into rows.
    static func rows(_ flat: [Float], _ n: Int) -> [[Float]] {
        (0..<n).map { i in Array(flat[i * n ..< (i + 1) * n]) }
    }

    /// Cosine similarity matrix `[count][count]` of normalized vectors: `S = V · Vᵀ` (one sgemm).
    /// The diagonal is each row's squared norm (1 for unit rows). Empty input → `[]`.
    public static func similarityMatrix(_ v: Vectors) -> [[Float]] {
        rows(gram(v), v.count)
    }

    /// Matryoshka truncation: keeps the first `dim` values of every row, then L2-normalizes each row.
    /// `dim` is clamped to `1...v.dim` (the CLI validates it against the model first); a zero row
    /// stays zero. With `dim == v.dim` this just re-normalizes.
    public static func truncate(_ v: Vectors, to dim: Int) -> Vectors {
        guard v.dim > 0, v.count > 0 else { return v }
        let k = min(max(dim, 1), v.dim)
        var out = [Float](repeating: 0, count: v.count * k)
        v.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<v.count {
                    let s = src.baseAddress! + i * v.dim, t = dst.baseAddress! + i * k
                    var n: Float = 0
                    for j in 0..<k { n += s[j] * s[j] }
                    let scale: Float = n > 0 ? 1 / n.squareRoot() : 0
                    for j in 0..<k { t[j] = s[j] * scale }
                }
            }
        }
        return Vectors(data: out, count: v.count, dim: k)
    }

    /// Every row scaled to unit length (zero rows stay zero).
    public static func normalized(_ v: Vectors) -> Vectors { truncate(v, to: v.dim) }

    /// The normalized mean of the rows in each group: `groups[r]` is the group of row `r`, in
    /// `0..<groupCount`. Used to turn chunk vectors into one vector per document. A group with no
    /// rows gets a zero vector; rows with a group outside the range are ignored.
    public static func groupMeans(_ v: Vectors, groups: [Int], groupCount: Int) -> Vectors {
        guard groupCount > 0 else { return Vectors(data: [], count: 0, dim: v.dim) }
        var out = [Float](repeating: 0, count: groupCount * v.dim)
        for r in 0..<min(v.count, groups.count) {
            let g = groups[r]
            guard g >= 0, g < groupCount else { continue }
            for j in 0..<v.dim { out[g * v.dim + j] += v.data[r * v.dim + j] }
        }
        return normalized(Vectors(data: out, count: groupCount, dim: v.dim))
    }
}

/// SplitMix64: a tiny deterministic generator so seeded results are identical on every platform
/// (the standard library's generator is not seedable).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
