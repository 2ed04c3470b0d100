/// The part SHA-1 and SHA-256 share: 64-byte blocks, the message length in bits appended big-endian
/// after a 0x80 pad byte (FIPS 180-4 §5.1.1). Full blocks are compressed straight from the caller's
/// bytes; only a trailing partial block is copied, so hashing a 1 GB download costs no allocation.
protocol BlockCompressor {
    init()
    /// Mixes one 64-byte block into the state.
    mutating func compress(_ block: UnsafeRawPointer)
    /// The state as big-endian bytes (the digest).
    var digest: [UInt8] { get }
}

struct BlockHasher<Core: BlockCompressor> {
    private var core = Core()
    private var pending = [UInt8](repeating: 0, count: 64)
    private var pendingCount = 0
    private var length: UInt64 = 0

    mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            pending.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: pendingCount).copyMemory(from: base, byteCount: take) }
            pendingCount += take; base += take; remaining -= take
            guard pendingCount == 64 else { return }
            pending.withUnsafeBytes { core.compress($0.baseAddress!) }
            pendingCount = 0
        }
        while remaining >= 64 {
            core.compress(base)
            base += 64; remaining -= 64
        }
        if remaining > 0 {
            pending.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base, byteCount: remaining) }
            pendingCount = remaining
        }
    }

    /// The digest of everything passed to `update`; the hasher is spent afterwards.
    mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        let padZeros = pendingCount < 56 ? 55 - pendingCount : 119 - pendingCount
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: padZeros)
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        let saved = length
        update(tail)
        length = saved
        return core.digest
    }
}

@inline(__always) func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
@inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

@inline(__always) func bigEndianBytes(_ words: [UInt32]) -> [UInt8] {
    words.flatMap { w in (0..<4).reversed().map { UInt8(truncatingIfNeeded: w >> (UInt32($0) * 8)) } }
}

/// Lowercase hex of a digest.
public func hexString(_ digest: [UInt8]) -> String {
    let symbols = Array("0123456789abcdef".utf8)
    var out = [UInt8](); out.reserveCapacity(digest.count * 2)
    for b in digest { out.append(symbols[Int(b >> 4)]); out.append(symbols[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
}
