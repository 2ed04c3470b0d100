/// SHA-1 (FIPS 180-4), only for git object ids: the Hugging Face Hub names a file that is not stored in
/// LFS by its git blob id, `sha1("blob <size>\0" + content)`, and that is the hash it reports for it.
/// Not for anything where collisions matter.
public struct SHA1 {
    private var hasher = BlockHasher<Core>()

    public init() {}

    /// A hasher already fed git's blob header, so the digest is the blob id of `size` bytes of content.
    public static func gitBlob(size: Int64) -> SHA1 {
        var s = SHA1(); s.update("blob \(size)\u{0}".utf8); return s
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 { hasher.update(bytes) }
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bytes) }

    /// The 20-byte digest; the value is spent afterwards.
    public mutating func finalize() -> [UInt8] { hasher.finalize() }

    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var s = SHA1(); s.update(bytes); return s.finalize()
    }

    struct Core: BlockCompressor {
        private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)

        init() {}

        var digest: [UInt8] { bigEndianBytes([h.0, h.1, h.2, h.3, h.4]) }

        mutating func compress(_ block: UnsafeRawPointer) {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
                for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
                for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
                var (a, b, c, d, e) = h
                for i in 0..<80 {
                    let f: UInt32, k: UInt32
                    switch i {
                    case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                    case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                    case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                    default: f = b ^ c ^ d; k = 0xCA62C1D6
                    }
                    let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
                    e = d; d = c; c = rotl(b, 30); b = a; a = t
                }
                h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
            }
        }
    }
}
