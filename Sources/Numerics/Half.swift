import CKernels

/// Widening of 16-bit floats (bit patterns as UInt16) to Float; exact for both formats.
public enum HalfFloat {
    public static func bf16ToF32(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        loupe_bf16_to_f32(src, dst, count)
    }
    public static func f16ToF32(_ src: UnsafePointer<UInt16>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        loupe_f16_to_f32(src, dst, count)
    }
    /// Rounds a Float to bf16 (round to nearest even), for synthetic weights and tests.
    public static func f32ToBF16(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return 0x7FC0 }
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
    public static func bf16ToFloat(_ h: UInt16) -> Float { Float(bitPattern: UInt32(h) << 16) }
}
