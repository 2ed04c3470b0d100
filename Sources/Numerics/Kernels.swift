import Foundation

/// Row-wise numeric kernels of the encoder, fast pointer versions. Each has a plain reference
/// in `ReferenceKernels` (array based, double accumulation) and the tests compare them.
///
/// Layout legend: `rows` tokens × `cols` features, row-major, contiguous unless a stride is given.
public enum Kernels {
    /// In-place LayerNorm over each row: `(x - mean) / sqrt(var + eps) * gamma + beta`.
    /// x: [rows, cols]; gamma, beta: [cols].
    public static func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                 gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float) {
        let n = Float(cols)
        for r in 0..<rows {
            let p = x + r * cols
            let mean = sum(p, count: cols) / n
            var acc = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 8 <= cols {
                let d = SIMD8<Float>(p[i], p[i + 1], p[i + 2], p[i + 3], p[i + 4], p[i + 5], p[i + 6], p[i + 7]) - mean
                acc += d * d
                i += 8
            }
            var sq = acc.sum()
            while i < cols { let d = p[i] - mean; sq += d * d; i += 1 }
            let inv = 1 / (sq / n + eps).squareRoot()
            for i in 0..<cols { p[i] = (p[i] - mean) * inv * gamma[i] + beta[i] }
        }
    }

    /// exp for float32 without a libm call (so loops vectorize): e^x = 2^n · e^r with
    /// n = round(x / ln 2), |r| ≤ ln2/2, e^r by the Cephes expf polynomial; within ~2 ulp.
    /// Inputs are clamped to [-87.3, 88.7] (the result stays a normal float).
    @inline(__always)
    public static func exp32(_ a: Float) -> Float {
        let x = min(max(a, -87.3), 88.7)
        // Round to nearest with the 1.5·2^23 trick (no libm call, vectorizes without SSE4.1).
        let n = (x * 1.44269504088896341 + 12582912) - 12582912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        let z = r * r
        var y: Float = 1.9875691500e-4
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * z + r + 1
        return y * Float(bitPattern: UInt32(bitPattern: (Int32(n) + 127) << 23))
    }

    /// In-place softmax of each row (scaled by `scale` first): p = exp(s·x - max) / Σ.
    /// x: [rows, cols] with row stride `ld`.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int, scale: Float = 1) {
        for r in 0..<rows {
            let p = x + r * ld
            let m = maxValue(p, count: cols)
            // Separate loops without a running sum, so each one vectorizes (FP sums do not reassociate).
            for i in 0..<cols { p[i] = exp32((p[i] - m) * scale) }
            let inv = 1 / sum(p, count: cols)
            for i in 0..<cols { p[i] *= inv }
        }
    }

    /// Σ x[i] with 8 independent partial sums (vectorizes; order differs from a serial sum by rounding only).
    @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            acc += SIMD8<Float>(x[i], x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7])
            i += 8
        }
        var s = acc.sum()
        while i < count { s += x[i]; i += 1 }
        return s
    }

    /// max of x[0..<count] with 4 independent running maxima (the generic SIMD pointwiseMax is
    /// not inlined by the compiler, so plain compares are faster here).
    @inline(__always)
    public static func maxValue(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m0 = -Float.infinity, m1 = m0, m2 = m0, m3 = m0
        var i = 0
        while i + 4 <= count {
            m0 = x[i] > m0 ? x[i] : m0
            m1 = x[i + 1] > m1 ? x[i + 1] : m1
            m2 = x[i + 2] > m2 ? x[i + 2] : m2
            m3 = x[i + 3] > m3 ? x[i + 3] : m3
            i += 4
        }
        while i < count { m0 = x[i] > m0 ? x[i] : m0; i += 1 }
        return max(max(m0, m1), max(m2, m3))
    }

    /// Rotary position embedding, non-interleaved ("rotate_half") over the whole head:
    /// out[j] = x[j]·cos[j] − x[j+h]·sin[j], out[j+h] = x[j+h]·cos[j] + x[j]·sin[j], h = headDim/2.
    /// x: [rows, ld] where each row holds `heads` heads of `headDim` starting at column 0.
    /// cos/sin: [rows, headDim/2] tables for the rows' positions.
    public static func rope(_ x: UnsafeMutablePointer<Float>, rows: Int, ld: Int, heads: Int, headDim: Int,
                            cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = headDim / 2
        for r in 0..<rows {
            let c = cos + r * half, s = sin + r * half
            for h in 0..<heads {
                let p = x + r * ld + h * headDim
                for j in 0..<half {
                    let a = p[j], b = p[j + half]
                    p[j] = a * c[j] - b * s[j]
                    p[j + half] = b * c[j] + a * s[j]
                }
            }
        }
    }

    /// cos/sin tables [positions, headDim/2] for positions `start ..< start + count`:
    /// angle = t · base^(−2j/headDim), computed in float32 step by step like the reference
    /// (inv_freq in float32, then the float32 product t·inv_freq), so long positions agree.
    public static func ropeTables(start: Int, count: Int, headDim: Int, base: Double) -> (cos: [Float], sin: [Float]) {
        let half = headDim / 2
        var cosT = [Float](repeating: 0, count: count * half)
        var sinT = [Float](repeating: 0, count: count * half)
        var invFreq = [Float](repeating: 0, count: half)
        for j in 0..<half {
            // float32 like torch: 1 / base ** (arange(0, dim, 2).float() / dim)
            invFreq[j] = 1 / powf(Float(base), Float(2 * j) / Float(headDim))
        }
        for t in 0..<count {
            for j in 0..<half {
                let angle = Float(start + t) * invFreq[j]  // float32 product as in torch.outer
                cosT[t * half + j] = Foundation.cos(angle)
                sinT[t * half + j] = Foundation.sin(angle)
            }
        }
        return (cosT, sinT)
    }

    /// y[i] += x[i] for count values.
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// L2-normalizes v in place (eps 1e-12 like torch.nn.functional.normalize).
    public static func l2Normalize(_ v: inout [Float]) {
        var n: Float = 0
        for x in v { n += x * x }
        let s = 1 / max(n.squareRoot(), 1e-12)
        for i in v.indices { v[i] *= s }
    }
}
