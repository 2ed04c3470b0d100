/// One entry of tokenizer.json `added_tokens`.
struct AddedToken: Sendable {
    var id: Int32
    var content: [UInt32]
    var lstrip: Bool
    var rstrip: Bool
    var singleWord: Bool
    var special: Bool

    init(json: JSONValue) throws {
        guard let id = json["id"]?.tokenID, let content = json["content"]?.string, !content.isEmpty else {
            throw TokenizerError.invalidModel("added_tokens entry without an id (0…\(Int32.max)) or content")
        }
        self.id = id
        self.content = scalarsOf(content)
        lstrip = json["lstrip"]?.bool ?? false
        rstrip = json["rstrip"]?.bool ?? false
        singleWord = json["single_word"]?.bool ?? false
        special = json["special"]?.bool ?? false
    }
}

/// A piece of the input between added tokens: either an added token (with its id) or text
/// that goes through normalization, pre-tokenization and the model.
struct InputSegment {
    var range: Range<Int>
    var addedID: Int32?
}

/// HF `AddedVocabulary` splitting: added tokens are found in the original text before
/// normalization (leftmost-longest, like HF's Aho-Corasick), `lstrip`/`rstrip` swallow
/// neighbouring whitespace into the token. (HF matches `normalized: true` tokens on the
/// normalized text instead; the tokenizers loupe targets only have `normalized: false` ones.)
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    /// Indices into `tokens` by first scalar, longest content first.
    private let byFirst: [UInt32: [Int]]

    init(tokens: [AddedToken]) {
        self.tokens = tokens
        var map = [UInt32: [Int]]()
        for (i, t) in tokens.enumerated() { map[t.content[0], default: []].append(i) }
        for k in map.keys { map[k]?.sort { tokens[$0].content.count > tokens[$1].content.count } }
        byFirst = map
    }

    /// Segments of `x[range]` (offsets into `x`; `range` nil = all of `x`).
    func split(_ x: [UInt32], in range: Range<Int>? = nil) -> [InputSegment] {
        let range = range ?? 0..<x.count
        if range.isEmpty { return [InputSegment(range: range, addedID: nil)] }
        if tokens.isEmpty { return [InputSegment(range: range, addedID: nil)] }
        var out = [InputSegment]()
        var startOffset = range.lowerBound
        var i = range.lowerBound
        let n = range.upperBound
        while i < n {
            guard let candidates = byFirst[x[i]] else { i += 1; continue }
            var matched: AddedToken? = nil
            for c in candidates {
                let t = tokens[c]
                if i + t.content.count <= n && x[i..<(i + t.content.count)].elementsEqual(t.content) { matched = t; break }
            }
            guard let t = matched else { i += 1; continue }
            var start = i
            var stop = i + t.content.count
            if t.singleWord {
                let startOK = start == range.lowerBound || !isWordChar(x[start - 1])
                let stopOK = stop == n || !isWordChar(x[stop])
                if !(startOK && stopOK) { i += 1; continue }
            }
            if t.lstrip {
                var s = start
                while s > range.lowerBound && isRustWhitespace(x[s - 1]) { s -= 1 }
                start = max(s, startOffset)
            }
            let matchEnd = stop
            if t.rstrip {
                while stop < n && isRustWhitespace(x[stop]) { stop += 1 }
            }
            if startOffset < start { out.append(InputSegment(range: startOffset..<start, addedID: nil)) }
            out.append(InputSegment(range: start..<stop, addedID: t.id))
            startOffset = stop
            i = max(matchEnd, stop)
        }
        if startOffset != n { out.append(InputSegment(range: startOffset..<n, addedID: nil)) }
        return out
    }

    /// Whether no added token can match across, or strip whitespace across, a cut made before a space
    /// that follows an ASCII letter or digit (see `TokenizerPipeline.encodeTruncated`).
    var allowsCutsBeforeSpaces: Bool {
        tokens.allSatisfy { t in
            !t.content.contains(where: isRustWhitespace) && !(t.rstrip && isASCIIAlphanumeric(t.content[t.content.count - 1]))
        }
    }

    private func isWordChar(_ v: UInt32) -> Bool {
        if v == 0x5F { return true }
        guard let u = Unicode.Scalar(v) else { return false }
        return u.properties.isAlphabetic || u.properties.numericType != nil
    }
}

@inline(__always) func isASCIIAlphanumeric(_ v: UInt32) -> Bool {
    (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
}
