import Foundation

/// The tokenization model of a tokenizer.json.
enum TokenModel: Sendable {
    case unigram(UnigramModel)
    case wordPiece(WordPieceModel)

    init(json: JSONValue) throws {
        guard let type = json["type"]?.string else {
            // Old files omit the type; the vocab shape tells the family.
            if json["vocab"]?.array != nil { self = .unigram(try UnigramModel(json: json)); return }
            if json["continuing_subword_prefix"] != nil { self = .wordPiece(try WordPieceModel(json: json)); return }
            throw TokenizerError.invalidModel("model without a \"type\"")
        }
        switch type {
        case "Unigram": self = .unigram(try UnigramModel(json: json))
        case "WordPiece": self = .wordPiece(try WordPieceModel(json: json))
        default: throw TokenizerError.unsupported(component: "model", type: type)
        }
    }
}

/// A loaded tokenizer.json: added tokens → normalizer → pre-tokenizer → model →
/// truncation → post-processor → padding, as HF `tokenizers` runs it for one sequence.
struct TokenizerPipeline: Sendable {
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let model: TokenModel
    let added: AddedVocabulary
    let postProcessor: PostProcessor?
    let padding: PaddingConfig
    let fileDefaults: TruncationPadding
    /// Normalization, pre-tokenization and added tokens are all local around a space that follows an
    /// ASCII letter or digit, so a truncated encoding may tokenize the text a window at a time.
    private(set) var cutsBeforeSpaces = false

    init(data: Data, path: String) throws {
        let json: JSONValue
        do { json = try parseJSON(data) } catch {
            throw TokenizerError.invalidJSON(path: path, reason: "\(error)")
        }
        guard json.object != nil else { throw TokenizerError.invalidJSON(path: path, reason: "the top level is not an object") }
        guard let modelJSON = json["model"] else { throw TokenizerError.invalidJSON(path: path, reason: "no \"model\" section") }
        model = try TokenModel(json: modelJSON)
        normalizer = try json["normalizer"].flatMap { $0.isNull ? nil : try Normalizer(json: $0) }
        preTokenizer = try json["pre_tokenizer"].flatMap { $0.isNull ? nil : try PreTokenizer(json: $0) }
        postProcessor = try json["post_processor"].flatMap { $0.isNull ? nil : try PostProcessor(json: $0) }
        added = AddedVocabulary(tokens: try (json["added_tokens"]?.array ?? []).map { try AddedToken(json: $0) })

        var defaults = TruncationPadding()
        if let t = json["truncation"], !t.isNull {
            if let dir = t["direction"]?.string, dir != "Right" {
                throw TokenizerError.unsupported(component: "truncation direction", type: dir)
            }
            defaults.maxLength = t["max_length"]?.int
        }
        if let p = json["padding"], !p.isNull {
            padding = try PaddingConfig(json: p)
            defaults.padToLength = padding.fixedLength
        } else {
            let (m, a) = (model, added)
            let padTok = ["<pad>", "[PAD]"].first { Self.lookup($0, model: m, added: a) != nil } ?? "<pad>"
            padding = PaddingConfig(padID: Self.lookup(padTok, model: m, added: a) ?? 0, padToken: padTok)
        }
        fileDefaults = defaults
        // Every id the pipeline can emit besides the model's own must be a token of the vocabulary.
        let templateIDs = (postProcessor?.single ?? []).flatMap { piece -> [Int32] in
            if case .special(let ids, _) = piece { return ids }
            return []
        }
        if let bad = (templateIDs + [padding.padID]).first(where: { Int($0) >= vocabularySize }) {
            throw TokenizerError.invalidModel("special token id \(bad) is outside the vocabulary of \(vocabularySize) tokens")
        }
        cutsBeforeSpaces = allowsCutsBeforeSpaces()
    }

    private static func lookup(_ token: String, model: TokenModel, added: AddedVocabulary) -> Int32? {
        let sc = scalarsOf(token)
        if let t = added.tokens.first(where: { $0.content == sc }) { return t.id }
        switch model {
        case .unigram(let u): return u.trie.lookup(sc)
        case .wordPiece(let w): return w.trie.lookup(sc)
        }
    }

    var vocabularySize: Int {
        let base: Int
        switch model {
        case .unigram(let u): base = u.pieces.count
        case .wordPiece(let w): base = w.tokens.count
        }
        return max(base, (added.tokens.map { Int($0.id) }.max() ?? -1) + 1)
    }

    func id(forToken token: String) -> Int32? { Self.lookup(token, model: model, added: added) }

    func token(forID id: Int32) -> String? {
        if let t = added.tokens.first(where: { $0.id == id }) { return stringFromScalars(t.content[...]) }
        let i = Int(id)
        switch model {
        case .unigram(let u): return i >= 0 && i < u.pieces.count ? u.pieces[i] : nil
        case .wordPiece(let w): return i >= 0 && i < w.tokens.count && !w.tokens[i].isEmpty ? w.tokens[i] : nil
        }
    }

    var padID: Int32 { padding.padID }

    /// The normalizer alone over the whole text (HF `normalizer.normalize_str`).
    func normalize(_ text: String) -> String {
        let x = scalarsOf(text)
        var ns = NormalizedString(original: x, range: 0..<x.count)
        normalizer?.normalize(&ns)
        return ns.string
    }

    func encode(_ text: String, addSpecialTokens: Bool, options: TruncationPadding) -> Encoding {
        let special = addSpecialTokens ? postProcessor : nil
        let added = special?.addedCount ?? 0
        var x: [UInt32]
        var raw: [RawToken]
        if let maxLength = options.maxLength, maxLength >= added {
            // HF truncates the sequence first, leaving room for the template's tokens; when
            // max_length cannot even hold those, it does not truncate at all (checked on 0.23).
            (x, raw) = tokenizePrefix(text, tokens: maxLength - added)
            if raw.count > maxLength - added { raw.removeSubrange((maxLength - added)...) }
        } else {
            x = scalarsOf(text)
            raw = tokenize(x, range: 0..<x.count)
        }
        var e = special?.apply(raw) ?? plainEncoding(raw)
        e.byteOffsets = byteOffsets(e.offsets, of: x)
        if let length = options.padToLength { padding.pad(&e, to: length) }
        return e
    }

    /// The scalars of (a prefix of) `text` and its tokens: at least the first `tokens` of the whole
    /// text's tokens, exactly as tokenizing all of it would give them, or all of them. When the pipeline
    /// allows it (`cutsBeforeSpaces`) the text is tokenized a window at a time, each window ending
    /// before a space that follows an ASCII letter or digit, until enough tokens are found: a 100 MB
    /// line truncated to 512 tokens costs one window, not 100 MB of scalars, spans and tokens.
    func tokenizePrefix(_ text: String, tokens wanted: Int) -> ([UInt32], [RawToken]) {
        let window = 16 * wanted + 64  // scalars: well above what `wanted` tokens take in real text
        guard cutsBeforeSpaces, text.utf8.count > window else {
            let x = scalarsOf(text)
            return (x, tokenize(x, range: 0..<x.count))
        }
        var x = [UInt32]()
        var raw = [RawToken]()
        var start = 0
        var iterator = text.unicodeScalars.makeIterator()
        var next = iterator.next()
        while let first = next {
            // One window: at least `window` scalars, then up to the next cut (or the end).
            x.append(first.value)
            next = iterator.next()
            while let c = next {
                if c.value == 0x20 && x.count - start >= window && isASCIIAlphanumeric(x[x.count - 1]) { break }
                x.append(c.value)
                next = iterator.next()
            }
            raw += tokenize(x, range: start..<x.count)
            if raw.count >= wanted { break }
            start = x.count
        }
        return (x, raw)
    }

    /// Added-token splitting, then per text segment normalization, pre-tokenization and the model, over
    /// `x[range]` (offsets into `x`).
    func tokenize(_ x: [UInt32], range: Range<Int>) -> [RawToken] {
        var out = [RawToken]()
        var scratch = ViterbiScratch()
        for seg in added.split(x, in: range) {
            if let id = seg.addedID {
                out.append(RawToken(id: id, token: stringFromScalars(x[seg.range]), offsets: seg.range))
                continue
            }
            var ns = NormalizedString(original: x, range: seg.range)
            normalizer?.normalize(&ns)
            let splits = preTokenizer?.split(&ns, isFirst: seg.range.lowerBound == 0)
                ?? (ns.isEmpty ? [] : [0..<ns.count])
            for sp in splits {
                let word = ns.scalars[sp]
                let pieces: [ModelToken]
                switch model {
                case .unigram(let u): pieces = u.encode(word, scratch: &scratch)
                case .wordPiece(let w): pieces = w.encode(word)
                }
                for p in pieces {
                    let r = (sp.lowerBound + p.range.lowerBound)..<(sp.lowerBound + p.range.upperBound)
                    let tok = p.text ?? stringFromScalars(ns.scalars[r])
                    out.append(RawToken(id: p.id, token: tok, offsets: ns.originalSpan(r)))
                }
            }
        }
        return out
    }

    /// Whether cutting the text before a space that follows an ASCII letter or digit changes nothing on
    /// either side: the pre-tokenizer splits at spaces, every normalizer works per character (or per
    /// grapheme cluster, or on runs that cannot cross such a cut), keeps the space and the ASCII letters
    /// and digits as they are (case aside), and no added token can match or strip across the cut.
    private func allowsCutsBeforeSpaces() -> Bool {
        switch preTokenizer {
        case .metaspace(let m)?: guard m.splitOnReplacement else { return false }
        case .bert?, .whitespaceSplit?: break
        case nil: return false
        }
        guard normalizer?.isLocalAroundSpaces ?? true, added.allowsCutsBeforeSpaces else { return false }
        let probe = "Az09 Az09"
        return [probe, probe.lowercased()].contains(normalize(probe))
    }

    /// Scalar spans → UTF-8 byte spans of the original text.
    private func byteOffsets(_ offsets: [Range<Int>], of x: [UInt32]) -> [Range<Int>] {
        var prefix = [Int](repeating: 0, count: x.count + 1)
        for (i, v) in x.enumerated() { prefix[i + 1] = prefix[i] + utf8Length(v) }
        return offsets.map { r in
            r.isEmpty && r.lowerBound == 0 ? 0..<0
                : prefix[min(r.lowerBound, x.count)]..<prefix[min(r.upperBound, x.count)]
        }
    }
}
