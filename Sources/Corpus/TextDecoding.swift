import Foundation

/// Byte-level helpers for the loaders: UTF-8 repair with a count. Everything is linear in the input so a
/// 10 MB single line costs the same as 10 MB of short lines.
enum TextDecoding {
    /// Number of invalid UTF-8 sequences in `bytes`, each of which decoding replaces with one U+FFFD.
    ///
    /// Swift's decoder replaces every maximal invalid subpart with one U+FFFD (the Unicode-recommended
    /// policy), so the count is the U+FFFD in the decoded text minus those already encoded in the input
    /// (EF BF BD is always a complete, valid sequence, so it cannot be part of an invalid one).
    static func invalidSequenceCount<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        if String(validating: bytes, as: UTF8.self) != nil { return 0 }
        let decoded = String(decoding: bytes, as: UTF8.self)
        var replacements = 0
        for scalar in decoded.unicodeScalars where scalar == "\u{FFFD}" { replacements += 1 }
        return replacements - encodedReplacementCount(bytes)
    }

    private static func encodedReplacementCount<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        var count = 0
        var state = 0  // how many bytes of EF BF BD matched so far
        for b in bytes {
            switch (state, b) {
            case (_, 0xEF): state = 1
            case (1, 0xBF): state = 2
            case (2, 0xBD): count += 1; state = 0
            default: state = 0
            }
        }
        return count
    }

    /// Decodes, replacing invalid sequences with U+FFFD.
    static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self)
    }

    /// `bytes` without a leading UTF-8 byte order mark.
    static func withoutBOM(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
    }

    static func trimmed(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
