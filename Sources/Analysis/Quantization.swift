import Foundation

/// Scalar int8 quantization calibrated per dimension, as sentence-transformers' `quantize_embeddings`
/// does with calibration embeddings: dimension j maps its range [min_j, max_j] over the calibration
/// rows (the stored corpus vectors) onto 256 levels, `step_j = (max_j − min_j) / 255`,
/// `code = round((x − min_j) / step_j) − 128`, clamped to −128…127.
///
/// Two deliberate differences from the numpy expression `((x − min) / step − 128).astype(int8)`:
/// values round to the nearest level (numpy truncates toward zero), and values outside the
/// calibrated range (a query) clamp instead of wrapping around. A constant dimension (step 0)
/// stores −128 and reconstructs to its constant.
///
/// Scoring uses the reconstruction `min_j + step_j · (code + 128)`: the dot product of two
/// reconstructions is what an int8 index computes from the codes with its offset corrections.
public struct Int8Calibration: Sendable, Equatable {
    public let minimum: [Float]   // [dim]
    public let step: [Float]      // [dim]
    public var dim: Int { minimum.count }

    /// Min/max of every dimension over the rows of `v` (no rows: range 0…0).
    public init(calibratingOn v: Vectors) {
        var lo = [Float](repeating: v.count > 0 ? .infinity : 0, count: v.dim)
        var hi = [Float](repeating: v.count > 0 ? -.infinity : 0, count: v.dim)
        for i in 0..<v.count {
            for j in 0..<v.dim {
                let x = v.data[i * v.dim + j]
                lo[j] = min(lo[j], x); hi[j] = max(hi[j], x)
            }
        }
        minimum = lo
        step = zip(lo, hi).map { ($1 - $0) / 255 }
    }

    /// `[count, dim]` codes of the rows of `v` (which must have this calibration's dim).
    public func codes(_ v: Vectors) -> [Int8] {
        precondition(v.dim == dim, "Int8Calibration: \(v.dim)-dim rows for a \(dim)-dim calibration")
        var out = [Int8](repeating: -128, count: v.count * dim)
        for i in 0..<v.count {
            for j in 0..<dim where step[j] > 0 {
                let level = ((v.data[i * dim + j] - minimum[j]) / step[j]).rounded()
                out[i * dim + j] = Int8(min(max(level, 0), 255) - 128)
            }
        }
        return out
    }

    /// The vectors the codes stand for: `min_j + step_j · (code + 128)`, `[count, dim]`.
    public func reconstruct(codes: [Int8], count: Int) -> Vectors {
        var out = [Float](repeating: 0, count: count * dim)
        for i in 0..<count {
            for j in 0..<dim { out[i * dim + j] = minimum[j] + step[j] * Float(Int(codes[i * dim + j]) + 128) }
        }
        return Vectors(data: out, count: count, dim: dim)
    }

    /// What storing `v` as int8 keeps of it: `reconstruct(codes(v))`.
    public func roundTrip(_ v: Vectors) -> Vectors { reconstruct(codes: codes(v), count: v.count) }
}

/// Binary quantization: one sign bit per dimension (`x > 0` → 1), the `ubinary` layout of
/// sentence-transformers and Jina (see `packedBytes`). Rows are held as 64-bit words for Hamming
/// distances (`[count, words]`, bit b of word w = dimension 64·w + b; the tail bits of the last
/// word are 0 in every row, so they never add distance).
public struct BinaryCodes: Sendable, Equatable {
    public let count: Int
    public let dim: Int
    public let words: [UInt64]
    var wordsPerRow: Int { (dim + 63) / 64 }

    public init(_ v: Vectors) {
        count = v.count; dim = v.dim
        let w = (v.dim + 63) / 64
        var out = [UInt64](repeating: 0, count: v.count * w)
        for i in 0..<v.count {
            for j in 0..<v.dim where v.data[i * v.dim + j] > 0 { out[i * w + j / 64] |= 1 << UInt64(j % 64) }
        }
        words = out
    }

    /// Row `i` as `numpy.packbits(x > 0)` bytes: 8 dimensions per byte, the first in the most
    /// significant bit, `ceil(dim / 8)` bytes (1024 dimensions → 128 bytes).
    public func packedBytes(_ i: Int) -> [UInt8] {
        (0..<(dim + 7) / 8).map { byte in
            var b: UInt8 = 0
            for bit in 0..<8 where byte * 8 + bit < dim && isSet(i, byte * 8 + bit) { b |= 0x80 >> UInt8(bit) }
            return b
        }
    }

    func isSet(_ row: Int, _ j: Int) -> Bool { words[row * wordsPerRow + j / 64] >> UInt64(j % 64) & 1 == 1 }

    /// Hamming distance between row `i` and row `j` of `other` (same dim).
    public func hamming(_ i: Int, _ other: BinaryCodes, _ j: Int) -> Int {
        let w = wordsPerRow
        var d = 0
        for t in 0..<w { d += (words[i * w + t] ^ other.words[j * w + t]).nonzeroBitCount }
        return d
    }

    /// The rows as ±1/√dim vectors (unit length): their dot product is `1 − 2 · hamming / dim`,
    /// what a cosine over the stored bits can be.
    public func signVectors() -> Vectors {
        let s = 1 / Float(max(dim, 1)).squareRoot()
        var out = [Float](repeating: -s, count: count * dim)
        for i in 0..<count { for j in 0..<dim where isSet(i, j) { out[i * dim + j] = s } }
        return Vectors(data: out, count: count, dim: dim)
    }
}

extension Analysis {
    /// Search over binary codes with float rescoring, as sentence-transformers' `semantic_search_*`
    /// and Jina's `ubinary` recipe do: the `rescoreMultiplier · k` rows nearest to the query's sign
    /// bits by Hamming distance (ties → lower index) are rescored with the float query against the
    /// rows' ±1 bits (`Σ q_j · s_j / √dim`; the {0, 1} unpacked bits of sentence-transformers give the
    /// same order) and the best `k` are returned, best first, ties → lower index.
    /// A query of the wrong length or `k <= 0` → `[]`.
    public static func binarySearch(query: [Float], in codes: BinaryCodes, k: Int, rescoreMultiplier: Int = 4) -> [Hit] {
        guard k > 0, query.count == codes.dim, codes.count > 0 else { return [] }
        let q = BinaryCodes(Vectors(data: query, count: 1, dim: query.count))
        // Hamming distance as a negated score so TopKHeap keeps the nearest (ties → lower index).
        let negated = (0..<codes.count).map { Float(-codes.hamming($0, q, 0)) }
        let candidates = topK(negated, k: k * max(rescoreMultiplier, 1))
        let s = 1 / Float(codes.dim).squareRoot()
        var rescored = candidates.map { hit -> Hit in
            var score: Float = 0
            for j in 0..<codes.dim { score += codes.isSet(hit.index, j) ? query[j] : -query[j] }
            return Hit(index: hit.index, score: score * s)
        }
        rescored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return Array(rescored.prefix(k))
    }
}
