import CKernels

/// Storage type of a weight matrix as it sits in the checkpoint.
public enum WeightDType: Sendable, Equatable {
    case f32, bf16, f16
    /// bf16 weights for the LOSSY fast path: activations are rounded to bf16 inside the product
    /// (vdpbf16ps, ~2× the exact throughput; error ≤ 2^-8 of Σ|x·w| per output).
    /// Off unless chosen; source data are bf16 bits as for `.bf16`.
    case bf16LossyDot
    /// Weights quantized to int8 at pack time (symmetric, one scale per output row), activations
    /// quantized per row inside each product, exact int32 sums (VNNI), fp32 epilogue. LOSSY; built
    /// with `PackedWeights(quantizing:from:rows:cols:)`.
    case int8

    var c: loupe_dtype {
        switch self {
        case .f32: LOUPE_DTYPE_F32
        case .bf16: LOUPE_DTYPE_BF16
        case .f16: LOUPE_DTYPE_F16
        case .bf16LossyDot: LOUPE_DTYPE_BF16_DOT
        case .int8: LOUPE_DTYPE_INT8
        }
    }

    /// Bytes per stored element.
    public var size: Int { self == .f32 ? 4 : self == .int8 ? 1 : 2 }
}

public enum KernelError: Error, Equatable, CustomStringConvertible {
    case invalidShape(rows: Int, cols: Int, rowStride: Int, elements: Int?)
    case allocationFailed(bytes: Int)

    public var description: String {
        switch self {
        case let .invalidShape(rows, cols, stride, elements):
            "cannot pack a [\(rows), \(cols)] weight matrix (row stride \(stride)"
                + (elements.map { ", \($0) elements given" } ?? "")
                + "): rows and cols must be positive and the stride at least cols"
        case let .allocationFailed(bytes):
            "could not allocate \(bytes) bytes for packed weights: free memory or use a smaller model"
        }
    }
}
