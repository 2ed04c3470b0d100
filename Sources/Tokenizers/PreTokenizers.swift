/// The pre-tokenizers loupe supports (HF `pre_tokenizers`). Each turns one normalized segment
/// into the (possibly modified) normalized string and its splits (scalar ranges).
enum PreTokenizer: Sendable {
    case metaspace(Metaspace)
    case bert
    case whitespaceSplit

    init(json: JSONValue) throws {
        guard let type = json["type"]?.string else {
            throw TokenizerError.invalidModel("pre_tokenizer without a \"type\"")
        }
        switch type {
        case "Metaspace": self = .metaspace(try Metaspace(json: json))
        case "BertPreTokenizer": self = .bert
        case "WhitespaceSplit": self = .whitespaceSplit
        default: throw TokenizerError.unsupported(component: "pre_tokenizer", type: type)
        }
    }

    /// `isFirst`: this segment starts the input (for Metaspace's `first` prepend scheme).
    func split(_ s: inout NormalizedString, isFirst: Bool) -> [Range<Int>] {
        switch self {
        case .metaspace(let m): return m.split(&s, isFirst: isFirst)
        case .bert: return bertSplit(s.scalars, isolatePunctuation: true)
        case .whitespaceSplit: return bertSplit(s.scalars, isolatePunctuation: false)
        }
    }
}

/// HF `Metaspace`: spaces become `▁`, `▁` is prepended (per the prepend scheme) and the text
/// splits before each `▁` (MergedWithNext).
struct Metaspace: Sendable {
    enum Prepend: Sendable { case always, first, never }
    var replacement: UInt32
    var prepend: Prepend
    var splitOnReplacement: Bool

    init(json: JSONValue) throws {
        let rep = scalarsOf(json["replacement"]?.string ?? "\u{2581}")
        guard rep.count == 1 else { throw TokenizerError.invalidModel("Metaspace replacement must be one character") }
        replacement = rep[0]
        switch json["prepend_scheme"]?.string {
        case "always": prepend = .always
        case "first": prepend = .first
        case "never": prepend = .never
        case nil: prepend = (json["add_prefix_space"]?.bool ?? true) ? .always : .never  // pre-0.19 files
        case let other?: throw TokenizerError.unsupported(component: "Metaspace prepend_scheme", type: other)
        }
        splitOnReplacement = json["split"]?.bool ?? true
    }

    func split(_ s: inout NormalizedString, isFirst: Bool) -> [Range<Int>] {
        // `replace(' ', "▁")`: the ▁ keeps the space's alignment.
        let rep = replacement
        s.map { $0 == 0x20 ? rep : $0 }
        if let first = s.scalars.first, first != rep {
            if prepend == .always || (prepend == .first && isFirst) { s.prepend(rep) }
        }
        let n = s.count
        if n == 0 { return [] }
        guard splitOnReplacement else { return [0..<n] }
        // HF MergedWithNext: every ▁ is its own match; a match joins the piece right after it
        // unless that piece is itself a match. Walk backwards as HF does.
        var pieces = [Range<Int>]()
        var i = n
        var previousMatch = false
        while i > 0 {
            let isMatch = s.scalars[i - 1] == rep
            let start: Int
            if isMatch {
                start = i - 1
            } else {
                var j = i - 1
                while j > 0 && s.scalars[j - 1] != rep { j -= 1 }
                start = j
            }
            if isMatch && !previousMatch, let last = pieces.last {
                pieces[pieces.count - 1] = start..<last.upperBound
            } else {
                pieces.append(start..<i)
            }
            previousMatch = isMatch
            i = start
        }
        pieces.reverse()
        return pieces
    }
}

/// HF `BertPreTokenizer` (whitespace removed, punctuation isolated) or `WhitespaceSplit`.
func bertSplit(_ x: [UInt32], isolatePunctuation: Bool) -> [Range<Int>] {
    var out = [Range<Int>]()
    var start = -1
    for (i, v) in x.enumerated() {
        if isRustWhitespace(v) {
            if start >= 0 { out.append(start..<i); start = -1 }
        } else if isolatePunctuation && isBertPunctuation(v) {
            if start >= 0 { out.append(start..<i); start = -1 }
            out.append(i..<(i + 1))
        } else if start < 0 {
            start = i
        }
    }
    if start >= 0 { out.append(start..<x.count) }
    return out
}

/// Rust `char::is_whitespace` (Unicode White_Space).
@inline(__always) func isRustWhitespace(_ v: UInt32) -> Bool {
    if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) }
    return Unicode.Scalar(v)?.properties.isWhitespace ?? false
}
