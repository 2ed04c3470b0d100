import Foundation

/// SentencePiece's precompiled normalization charsmap, as HF `normalizers::Precompiled` uses it.
/// Blob layout: `[u32 LE trie_size][darts-clone double-array trie: trie_size bytes]
/// [NUL-terminated replacement strings]`; a trie value is the byte offset of a replacement.
struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]
    /// Decoded replacement scalars by their byte offset in `replacements`.
    private let decoded: [Int: [UInt32]]

    init(base64: String) throws {
        guard let blob = Data(base64Encoded: base64) else {
            throw TokenizerError.invalidModel("Precompiled normalizer: precompiled_charsmap is not valid base64")
        }
        let bytes = [UInt8](blob)
        guard bytes.count >= 4 else {
            throw TokenizerError.invalidModel("Precompiled normalizer: charsmap is too short (\(bytes.count) bytes)")
        }
        let trieSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard trieSize % 4 == 0, trieSize >= 4, 4 + trieSize <= bytes.count else {
            throw TokenizerError.invalidModel("Precompiled normalizer: trie size \(trieSize) does not fit the \(bytes.count)-byte charsmap")
        }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for i in 0..<units.count {
            let p = 4 + 4 * i
            units[i] = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
        }
        self.units = units
        let repl = Array(bytes[(4 + trieSize)...])
        self.replacements = repl
        var decoded = [Int: [UInt32]]()
        var start = 0
        for i in 0..<repl.count where repl[i] == 0 {
            decoded[start] = scalarsOf(String(decoding: repl[start..<i], as: UTF8.self))
            start = i + 1
        }
        self.decoded = decoded
    }

    /// darts-clone `commonPrefixSearch`, returning only the first (shortest) match's value,
    /// which is all HF uses.
    @inline(__always) private func firstPrefixValue(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = units.count
        var nodePos = 0
        var unit = units[0]
        nodePos ^= offset(unit)
        for c in key {
            if c == 0 { return nil }
            nodePos ^= Int(c)
            guard nodePos < n else { return nil }
            unit = units[nodePos]
            if label(unit) != UInt32(c) { return nil }
            nodePos ^= offset(unit)
            guard nodePos < n else { return nil }
            if hasLeaf(unit) { return Int(units[nodePos] & 0x7FFF_FFFF) }
        }
        return nil
    }

    @inline(__always) private func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private func label(_ u: UInt32) -> UInt32 { u & ((1 << 31) | 0xFF) }
    @inline(__always) private func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// Replacement for the UTF-8 bytes `key` (first prefix match), or nil.
    func transform(_ key: UnsafeBufferPointer<UInt8>) -> [UInt32]? {
        guard let off = firstPrefixValue(key) else { return nil }
        if let d = decoded[off] { return d }
        guard off < replacements.count else { return nil }
        var end = off
        while end < replacements.count && replacements[end] != 0 { end += 1 }
        return scalarsOf(String(decoding: replacements[off..<end], as: UTF8.self))
    }

    /// HF `Precompiled::normalize`: per extended grapheme cluster, a cluster of < 6 UTF-8 bytes
    /// is looked up whole (replaced by the first prefix match's value, the rest of the cluster
    /// dropped); otherwise, or when the whole lookup fails, each scalar is looked up alone.
    func normalize(_ s: inout NormalizedString) {
        var dest = [(UInt32, Int)]()
        dest.reserveCapacity(s.count + 8)
        var modified = false
        var key = [UInt8]()
        key.reserveCapacity(16)
        forEachGraphemeCluster(s.scalars) { cluster in
            key.removeAll(keepingCapacity: true)
            for v in cluster { appendUTF8(v, to: &key) }
            if key.count < 6, let norm = key.withUnsafeBufferPointer({ transform($0) }) {
                modified = true
                Self.replace(&dest, oldCount: cluster.count, new: norm)
                return
            }
            if cluster.count == 1 {
                // The per-scalar lookup would repeat the one just made.
                dest.append((cluster[cluster.startIndex], 0))
                return
            }
            for v in cluster {
                key.removeAll(keepingCapacity: true)
                appendUTF8(v, to: &key)
                if let norm = key.withUnsafeBufferPointer({ transform($0) }) {
                    modified = true
                    Self.replace(&dest, oldCount: 1, new: norm)
                } else {
                    dest.append((v, 0))
                }
            }
        }
        if modified { s.transform(dest) }
    }

    /// HF `precompiled::replace`: new scalars replace old ones one for one; extra new scalars are
    /// insertions (+1); missing ones are removals folded into the last transformation so far.
    private static func replace(_ dest: inout [(UInt32, Int)], oldCount: Int, new: [UInt32]) {
        let diff = new.count - oldCount
        for v in new { dest.append((v, 0)) }
        if diff > 0 {
            var i = dest.count - 1
            for _ in 0..<diff where i >= 0 { dest[i].1 = 1; i -= 1 }
        } else if diff < 0, !dest.isEmpty {
            dest[dest.count - 1].1 += diff
        }
    }
}

/// Calls `body` with each extended grapheme cluster of `scalars`. Between two "simple"
/// scalars (see `isSimpleGraphemeScalar`) there is always a boundary, so only runs with marks,
/// joiners, Hangul jamo and the like go through Swift's (Unicode-conformant) Character
/// segmentation, which is far slower than a table lookup.
func forEachGraphemeCluster(_ scalars: [UInt32], _ body: (ArraySlice<UInt32>) -> Void) {
    let n = scalars.count
    var i = 0
    while i < n {
        // Find the end of a chunk that ends at a certain boundary.
        var j = i + 1
        while j < n {
            let a = scalars[j - 1], b = scalars[j]
            if a < 0x80 && b < 0x80 {
                if !(a == 0x0D && b == 0x0A) { break }
            } else if isSimpleGraphemeScalar(a) && isSimpleGraphemeScalar(b) {
                break
            }
            j += 1
        }
        if j - i == 1 {
            body(scalars[i..<j])
        } else {
            let text = stringFromScalars(scalars[i..<j])
            var p = i
            for ch in text {
                let k = ch.unicodeScalars.count
                body(scalars[p..<min(p + k, j)])
                p += k
            }
        }
        i = j
    }
}

/// Whether `v` has Grapheme_Cluster_Break = Other (or is a non-CR/LF ASCII char), so that two
/// such scalars in a row are always separated by a cluster boundary (UAX #29 GB999). Decided
/// from the general category: letters (not Lm), digits, punctuation, symbols and spaces, minus
/// the few of those that are Hangul jamo/syllables, Prepend, SpacingMark, Regional_Indicator or
/// emoji modifiers.
@inline(__always) func isSimpleGraphemeScalar(_ v: UInt32) -> Bool {
    if v < 0x80 { return v != 0x0D && v != 0x0A }
    if v < 0x20000 {
        return simpleGraphemeTable[Int(v >> 6)] & (1 << UInt64(v & 63)) != 0
    }
    return classifySimpleGraphemeScalar(v)
}

/// Bitmap of `classifySimpleGraphemeScalar` over U+0000..U+1FFFF (16 KB), built on first use.
private let simpleGraphemeTable: [UInt64] = {
    var table = [UInt64](repeating: 0, count: 0x20000 / 64)
    for v in UInt32(0)..<0x20000 where classifySimpleGraphemeScalar(v) {
        table[Int(v >> 6)] |= 1 << UInt64(v & 63)
    }
    return table
}()

private func classifySimpleGraphemeScalar(_ v: UInt32) -> Bool {
    switch v {
    case 0x0D, 0x0A: return false
    case 0x1100...0x11FF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xD7B0...0xD7FF: return false  // Hangul
    case 0x0E33, 0x0EB3: return false  // SpacingMark letters (Thai/Lao SARA AM)
    case 0x0D4E, 0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, 0x11A84...0x11A89, 0x11D46, 0x11F02:
        return false  // Prepend letters
    case 0x1F1E6...0x1F1FF, 0x1F3FB...0x1F3FF: return false  // regional indicators, emoji modifiers
    default: break
    }
    guard let u = Unicode.Scalar(v) else { return false }
    switch u.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter,
         .decimalNumber, .letterNumber, .otherNumber,
         .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation,
         .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol, .spaceSeparator:
        return true
    default:
        return false
    }
}
