import Foundation

/// How an embedding is written in a response (Jina's `embedding_type`, OpenAI's `encoding_format`).
public enum EmbeddingType: String, Sendable, CaseIterable {
    /// JSON numbers.
    case float
    /// Base64 of the little-endian float32 bytes.
    case base64
    /// Signed bytes: the `ubinary` bytes minus 128 (as int8).
    case binary
    /// Unsigned bytes: bit = x > 0, eight per byte, first dimension in the most significant bit
    /// (`numpy.packbits`), the last byte zero-padded; 1024 dimensions → 128 bytes.
    case ubinary

    public static func packBits(_ v: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (v.count + 7) / 8)
        for (i, x) in v.enumerated() where x > 0 { out[i >> 3] |= 0x80 >> UInt8(i & 7) }
        return out
    }

    public static func signedBits(_ v: [Float]) -> [Int8] {
        packBits(v).map { Int8(Int($0) - 128) }
    }

    public static func base64(_ v: [Float]) -> String {
        var data = Data(capacity: v.count * 4)
        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data.base64EncodedString()
    }

    func write(_ v: [Float], to w: inout JSONWriter) {
        switch self {
        case .float: w.floats(v)
        case .base64: w.string(Self.base64(v))
        case .binary: w.ints(Self.signedBits(v))
        case .ubinary: w.ints(Self.packBits(v))
        }
    }
}

/// Matryoshka: the first `dimensions` values, renormalized when the vector was normalized (the same
/// float operations, in the same order, as `loupe embed --dim`).
func truncate(_ v: [Float], to dimensions: Int?, normalized: Bool) -> [Float] {
    guard let dimensions, dimensions < v.count else { return v }
    var head = Array(v.prefix(dimensions))
    if normalized {
        var n: Float = 0
        for x in head { n += x * x }
        let s = 1 / max(n.squareRoot(), 1e-12)
        for i in head.indices { head[i] *= s }
    }
    return head
}
