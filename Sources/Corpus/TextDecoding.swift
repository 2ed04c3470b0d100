import Foundation

/// Byte-level helpers for the loaders: UTF-8 repair with a count, line splitting. Everything is linear
/// in the input so a 10 MB single line costs the same as 10 MB of short lines.
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

    /// Drops a leading UTF-8 byte order mark (spreadsheet exports often start with one).
    static func withoutBOM(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return bytes[3...] }
        return bytes[...]
    }

    /// Lines split on LF, a trailing CR removed (CRLF files); `number` is 1-based.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [(number: Int, bytes: ArraySlice<UInt8>)] {
        var result: [(Int, ArraySlice<UInt8>)] = []
        var number = 1
        for var line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if line.last == 0x0D { line = line.dropLast() }
            result.append((number, line))
            number += 1
        }
        if let last = result.last, last.1.isEmpty { result.removeLast() }  // the final newline
        return result
    }

    static func trimmed(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
