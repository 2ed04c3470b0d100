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
        let x = scalarsOf(text)
        var raw = tokenize(x)

        let special = addSpecialTokens ? postProcessor : nil
        if let maxLength = options.maxLength {
            // HF truncates the sequence first, leaving room for the template's tokens; when
            // max_length cannot even hold those, it does not truncate at all (checked on 0.23).
            let added = special?.addedCount ?? 0
            if maxLength >= added, raw.count > maxLength - added { raw.removeSubrange((maxLength - added)...) }
        }
        var e = special?.apply(raw) ?? plainEncoding(raw)
        e.byteOffsets = byteOffsets(e.offsets, of: x)
        if let length = options.padToLength { padding.pad(&e, to: length) }
        return e
    }

    /// Added-token splitting, then per text segment normalization, pre-tokenization and the model.
    func tokenize(_ x: [UInt32]) -> [RawToken] {
        var out = [RawToken]()
        var scratch = ViterbiScratch()
        for seg in added.split(x) {
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
