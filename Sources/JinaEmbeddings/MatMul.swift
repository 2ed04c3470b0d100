import Numerics

/// The one place where the encoder multiplies matrices (Linear layers, LoRA side products and
/// attention). A faster kernel (e.g. AVX-512 with bf16 weights) can be swapped in here, or in
/// `Linear.forward` for the weight products only.
enum MatMul {
    /// C[m, n] = alpha · A[m, k] · op(B) + beta · C, row-major; `transB` means B is [n, k].
    @inline(__always)
    static func gemm(m: Int, n: Int, k: Int,
                     a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, transB: Bool,
                     c: UnsafeMutablePointer<Float>, ldc: Int,
                     alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        BLAS.sgemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, transB: transB,
                   c: c, ldc: ldc, alpha: alpha, beta: beta)
    }
}
