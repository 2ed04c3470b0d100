/// One token produced by a model inside a pre-token split. `range` is in scalars of the split;
/// `text` is the token string when it is not simply the split's substring.
struct ModelToken {
    var id: Int32
    var range: Range<Int>
    var text: String?
}

/// HF `models::Unigram` (SentencePiece unigram LM), `encode_optimized` Viterbi.
struct UnigramModel: Sendable {
    let pieces: [String]
    let scores: [Double]
    let trie: ScalarTrie
    let unkID: Int32
    /// Score of an unknown character: the lowest piece score minus 10 (HF `K_UNK_PENALTY`).
    let unkScore: Double

    init(json: JSONValue) throws {
        if json["byte_fallback"]?.bool == true {
            throw TokenizerError.unsupported(component: "Unigram model option", type: "byte_fallback")
        }
        guard let vocab = json["vocab"]?.array, !vocab.isEmpty else {
            throw TokenizerError.invalidModel("Unigram model has no vocab")
        }
        guard let unk = json["unk_id"]?.int, unk >= 0, unk < vocab.count else {
            throw TokenizerError.invalidModel("Unigram model needs an unk_id inside its vocab (loupe does not support Unigram without <unk>)")
        }
        var pieces = [String](), scores = [Double]()
        pieces.reserveCapacity(vocab.count); scores.reserveCapacity(vocab.count)
        var minScore = Double.infinity
        for (i, entry) in vocab.enumerated() {
            guard let pair = entry.array, pair.count == 2, let piece = pair[0].string, let score = pair[1].number else {
                throw TokenizerError.invalidModel("Unigram vocab entry \(i) is not [piece, score]")
            }
            pieces.append(piece); scores.append(score)
            minScore = min(minScore, score)
        }
        self.trie = try ScalarTrie.build(keys: pieces, values: (0..<Int32(pieces.count)).map { $0 })
        self.pieces = pieces; self.scores = scores
        self.unkID = Int32(unk)
        self.unkScore = minScore - 10
    }

    /// Best segmentation of `x` (one pre-token split). Consecutive unknown characters are fused
    /// into one `<unk>` token.
    func encode(_ x: ArraySlice<UInt32>, scratch: inout ViterbiScratch) -> [ModelToken] {
        let n = x.count
        if n == 0 { return [] }
        let base = x.startIndex
        scratch.reset(n + 1)
        scratch.best.withUnsafeMutableBufferPointer { best in
        scratch.from.withUnsafeMutableBufferPointer { from in
        scratch.ids.withUnsafeMutableBufferPointer { ids in
            best[0] = 0
            for s in 0..<n {
                let here = best[s]
                var hasSingle = false
                var node = ScalarTrie.root
                var k = s
                while k < n {
                    node = trie.child(node, x[base + k])
                    if node < 0 { break }
                    k += 1
                    let v = trie.values[Int(node)]
                    if v < 0 { continue }
                    let cand = scores[Int(v)] + here
                    if from[k] < 0 || cand > best[k] {
                        best[k] = cand; from[k] = Int32(s); ids[k] = v
                    }
                    if k - s == 1 { hasSingle = true }
                }
                if !hasSingle {
                    let cand = unkScore + here
                    if from[s + 1] < 0 || cand > best[s + 1] {
                        best[s + 1] = cand; from[s + 1] = Int32(s); ids[s + 1] = unkID
                    }
                }
            }
        }}}
        // Backtrack, fusing runs of unknowns.
        var out = [ModelToken]()
        var end = n
        var unkRunEnd = -1
        while end > 0 {
            let start = Int(scratch.from[end])
            let id = scratch.ids[end]
            if id == unkID {
                if unkRunEnd < 0 { unkRunEnd = end }
            } else {
                if unkRunEnd >= 0 { out.append(ModelToken(id: unkID, range: end..<unkRunEnd, text: nil)); unkRunEnd = -1 }
                out.append(ModelToken(id: id, range: start..<end, text: pieces[Int(id)]))
            }
            end = start
        }
        if unkRunEnd >= 0 { out.append(ModelToken(id: unkID, range: 0..<unkRunEnd, text: nil)) }
        out.reverse()
        return out
    }
}

/// Reusable Viterbi lattice buffers (one per encode call, reused across its words).
struct ViterbiScratch {
    var best = [Double]()
    var from = [Int32]()
    var ids = [Int32]()

    mutating func reset(_ n: Int) {
        if best.count < n {
            best = [Double](repeating: 0, count: n)
            from = [Int32](repeating: -1, count: n)
            ids = [Int32](repeating: 0, count: n)
        } else {
            for i in 0..<n { best[i] = 0; from[i] = -1 }
        }
    }
}
