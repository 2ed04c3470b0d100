import Numerics

/// How the Linear layers multiply. Everything else (embeddings, attention, LayerNorm, GELU, the
/// LoRA terms, pooling) runs in fp32 at every precision. Vectors of different precisions differ, so
/// the precision is part of the model's fingerprint and the embedding cache never mixes them.
public enum Precision: String, CaseIterable, Sendable {
    /// Weights in their checkpoint dtype widened exactly to fp32, fp32 fma chains: the reference.
    case exact
    /// bf16 products (vdpbf16ps): activations rounded to bf16, weights too when the checkpoint
    /// stores them wider (f32 / f16), fp32 sums. About twice the exact throughput. `--lossy`.
    case bf16
    /// int8 products (vpdpbusd): weights quantized once at load (symmetric, one scale per output
    /// channel), activations per token at run time, exact int32 sums, fp32 epilogue.
    case int8

    /// One line for notices and help: what this precision multiplies with.
    public var summary: String {
        switch self {
        case .exact: return "checkpoint weights widened exactly to fp32, fp32 sums"
        case .bf16: return "bf16 products (activations rounded to bf16), fp32 sums"
        case .int8: return "int8 weights (per output channel) and activations (per token), int32 sums"
        }
    }

    /// Bytes appended to the hashed checkpoint identity (none for exact, so existing exact caches stay valid).
    var fingerprintSalt: [UInt8] { self == .exact ? [] : Array("precision:\(rawValue)".utf8) }

    /// Packs one Linear weight [rows, cols] read from `pointer` (stored as `source`) for this precision.
    func pack(_ pointer: UnsafeRawPointer, source: WeightDType, rows: Int, cols: Int) throws -> PackedWeights {
        switch self {
        case .exact:
            return try PackedWeights(pointer: pointer, dtype: source, rows: rows, cols: cols)
        case .int8:
            return try PackedWeights(quantizing: pointer, from: source, rows: rows, cols: cols)
        case .bf16:
            if source == .bf16 { return try PackedWeights(pointer: pointer, dtype: .bf16LossyDot, rows: rows, cols: cols) }
            // f32 / f16 weights are rounded to bf16 (nearest even) first: bf16 products throughout.
            // (Copied first: checkpoint data need not be aligned.)
            let n = rows * cols
            var wide = [Float](repeating: 0, count: n)
            if source == .f16 {
                var half = [UInt16](repeating: 0, count: n)
                half.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: n * 2)) }
                half.withUnsafeBufferPointer { h in
                    wide.withUnsafeMutableBufferPointer { HalfFloat.f16ToF32(h.baseAddress!, $0.baseAddress!, count: n) }
                }
            } else {
                wide.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: n * 4)) }
            }
            return try PackedWeights(bits: wide.map(HalfFloat.f32ToBF16), dtype: .bf16LossyDot, rows: rows, cols: cols)
        }
    }
}
