/// A token before post-processing: id, string and span in original scalars.
struct RawToken {
    var id: Int32
    var token: String
    var offsets: Range<Int>
}

/// HF `TemplateProcessing` (single-sequence template) or `BertProcessing` (`[CLS] $A [SEP]`).
struct PostProcessor: Sendable {
    enum Piece: Sendable {
        case special(ids: [Int32], tokens: [String])
        case sequence
    }
    let single: [Piece]

    /// Number of ids the template adds around a single sequence.
    var addedCount: Int {
        single.reduce(0) { n, p in if case .special(let ids, _) = p { return n + ids.count }; return n }
    }

    init(json: JSONValue) throws {
        guard let type = json["type"]?.string else {
            throw TokenizerError.invalidModel("post_processor without a \"type\"")
        }
        switch type {
        case "TemplateProcessing":
            guard let items = json["single"]?.array else {
                throw TokenizerError.invalidModel("TemplateProcessing without a \"single\" template")
            }
            let specials = json["special_tokens"]?.object ?? [:]
            // One sequence is encoded at a time: its template holds sequence A exactly once (HF would
            // index a missing second sequence for B).
            let sequences = items.compactMap { $0["Sequence"] }
            guard sequences.count == 1, (sequences[0]["id"]?.string ?? "A") == "A" else {
                throw TokenizerError.invalidModel("TemplateProcessing \"single\" must contain sequence A exactly once")
            }
            single = try items.map { item in
                if item["Sequence"] != nil { return .sequence }
                guard let name = item["SpecialToken"]?["id"]?.string else {
                    throw TokenizerError.invalidModel("TemplateProcessing piece is neither Sequence nor SpecialToken")
                }
                guard let spec = specials[name], let ids = spec["ids"]?.array, let toks = spec["tokens"]?.array,
                      ids.count == toks.count else {
                    throw TokenizerError.invalidModel("TemplateProcessing special token \(name) is not in special_tokens")
                }
                let validIDs = ids.compactMap(\.tokenID), names = toks.compactMap(\.string)
                guard validIDs.count == ids.count, names.count == toks.count else {
                    throw TokenizerError.invalidModel("TemplateProcessing special token \(name) needs token ids (0…\(Int32.max)) and strings")
                }
                return .special(ids: validIDs, tokens: names)
            }
        case "BertProcessing":
            func pair(_ key: String) throws -> Piece {
                guard let p = json[key]?.array, p.count == 2, let t = p[0].string, let id = p[1].tokenID else {
                    throw TokenizerError.invalidModel("BertProcessing needs \"\(key)\": [token, id]")
                }
                return .special(ids: [id], tokens: [t])
            }
            single = [try pair("cls"), .sequence, try pair("sep")]
        default:
            throw TokenizerError.unsupported(component: "post_processor", type: type)
        }
    }

    func apply(_ tokens: [RawToken]) -> Encoding {
        var e = Encoding()
        let total = tokens.count + addedCount
        e.ids.reserveCapacity(total); e.tokens.reserveCapacity(total); e.offsets.reserveCapacity(total)
        for piece in single {
            switch piece {
            case .sequence:
                for t in tokens {
                    e.ids.append(t.id); e.tokens.append(t.token); e.offsets.append(t.offsets)
                    e.specialTokensMask.append(0); e.attentionMask.append(1)
                }
            case .special(let ids, let toks):
                for (id, tok) in zip(ids, toks) {
                    e.ids.append(id); e.tokens.append(tok); e.offsets.append(0..<0)
                    e.specialTokensMask.append(1); e.attentionMask.append(1)
                }
            }
        }
        return e
    }
}

/// Encoding without post-processing (add_special_tokens = false, or no post_processor).
func plainEncoding(_ tokens: [RawToken]) -> Encoding {
    Encoding(ids: tokens.map(\.id), tokens: tokens.map(\.token), offsets: tokens.map(\.offsets),
             byteOffsets: [], specialTokensMask: [UInt8](repeating: 0, count: tokens.count),
             attentionMask: [UInt8](repeating: 1, count: tokens.count))
}

/// The file's `padding` section (only what Fixed/BatchLongest padding of one sequence needs).
struct PaddingConfig: Sendable {
    var fixedLength: Int?
    var padID: Int32
    var padToken: String
    var padLeft: Bool
    var multipleOf: Int?

    /// Padding longer than this is a broken file, not a setting (it would allocate that many tokens per text).
    static let maxLength = 1 << 20

    init(json: JSONValue) throws {
        fixedLength = json["strategy"]?["Fixed"]?.int
        multipleOf = json["pad_to_multiple_of"]?.int
        for (name, value) in [("Fixed", fixedLength), ("pad_to_multiple_of", multipleOf)] {
            if let value, value < 0 || value > Self.maxLength {
                throw TokenizerError.invalidModel("padding \(name) \(value) is outside 0…\(Self.maxLength)")
            }
        }
        guard let id = (json["pad_id"] ?? .number(0)).tokenID else {
            throw TokenizerError.invalidModel("padding pad_id must be a token id")
        }
        padID = id
        padToken = json["pad_token"]?.string ?? "[PAD]"
        padLeft = json["direction"]?.string == "Left"
    }

    init(padID: Int32, padToken: String) {
        fixedLength = nil; self.padID = padID; self.padToken = padToken; padLeft = false; multipleOf = nil
    }

    /// Pads `e` to `length` (rounded up to `multipleOf`), as HF `Encoding::pad`.
    func pad(_ e: inout Encoding, to length: Int) {
        var target = length
        if let m = multipleOf, m > 0, target % m != 0 { target += m - target % m }
        let extra = target - e.ids.count
        guard extra > 0 else { return }
        let ids = [Int32](repeating: padID, count: extra)
        let toks = [String](repeating: padToken, count: extra)
        let offs = [Range<Int>](repeating: 0..<0, count: extra)
        let ones = [UInt8](repeating: 1, count: extra), zeros = [UInt8](repeating: 0, count: extra)
        if padLeft {
            e.ids.insert(contentsOf: ids, at: 0); e.tokens.insert(contentsOf: toks, at: 0)
            e.offsets.insert(contentsOf: offs, at: 0); e.byteOffsets.insert(contentsOf: offs, at: 0)
            e.specialTokensMask.insert(contentsOf: ones, at: 0); e.attentionMask.insert(contentsOf: zeros, at: 0)
        } else {
            e.ids += ids; e.tokens += toks; e.offsets += offs; e.byteOffsets += offs
            e.specialTokensMask += ones; e.attentionMask += zeros
        }
    }
}
