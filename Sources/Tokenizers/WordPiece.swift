/// HF `models::WordPiece`: greedy longest-match-first, continuation pieces prefixed `##`.
struct WordPieceModel: Sendable {
    let tokens: [String]
    let trie: ScalarTrie
    let unkID: Int32
    let unkToken: String
    let prefix: [UInt32]
    let maxInputCharsPerWord: Int

    init(json: JSONValue) throws {
        guard let vocab = json["vocab"]?.object, !vocab.isEmpty else {
            throw TokenizerError.invalidModel("WordPiece model has no vocab")
        }
        let unk = json["unk_token"]?.string ?? "[UNK]"
        let prefix = json["continuing_subword_prefix"]?.string ?? "##"
        maxInputCharsPerWord = json["max_input_chars_per_word"]?.int ?? 100
        var maxID = -1
        for (_, v) in vocab { maxID = max(maxID, v.int ?? -1) }
        guard maxID >= 0, maxID < 10_000_000 else { throw TokenizerError.invalidModel("WordPiece vocab ids are invalid") }
        var tokens = [String](repeating: "", count: maxID + 1)
        var keys = [String](), ids = [Int32]()
        for (token, v) in vocab {
            guard let id = v.int, id >= 0 else { throw TokenizerError.invalidModel("WordPiece vocab entry \(token) has no integer id") }
            tokens[id] = token
            keys.append(token); ids.append(Int32(id))
        }
        let trie = try ScalarTrie.build(keys: keys, values: ids)
        guard let unkID = trie.lookup(unk.unicodeScalars.lazy.map(\.value)) else {
            throw TokenizerError.invalidModel("WordPiece unk_token \(unk) is not in the vocab")
        }
        self.tokens = tokens; self.trie = trie; self.unkID = unkID; self.unkToken = unk
        self.prefix = scalarsOf(prefix)
    }

    /// Pieces of one word `x`; the whole word becomes `[UNK]` when it is too long or any part
    /// cannot be matched.
    func encode(_ x: ArraySlice<UInt32>) -> [ModelToken] {
        let n = x.count
        if n == 0 { return [] }
        let unkWhole = [ModelToken(id: unkID, range: 0..<n, text: unkToken)]
        if n > maxInputCharsPerWord { return unkWhole }
        var prefixNode = ScalarTrie.root
        for c in prefix {
            prefixNode = trie.child(prefixNode, c)
            if prefixNode < 0 { break }
        }
        let base = x.startIndex
        var out = [ModelToken]()
        var start = 0
        while start < n {
            var node = start == 0 ? ScalarTrie.root : prefixNode
            if node < 0 { return unkWhole }
            var bestEnd = -1
            var bestID: Int32 = -1
            var k = start
            while k < n {
                node = trie.child(node, x[base + k])
                if node < 0 { break }
                k += 1
                let v = trie.values[Int(node)]
                if v >= 0 { bestEnd = k; bestID = v }
            }
            if bestEnd < 0 { return unkWhole }
            out.append(ModelToken(id: bestID, range: start..<bestEnd, text: tokens[Int(bestID)]))
            start = bestEnd
        }
        return out
    }
}
