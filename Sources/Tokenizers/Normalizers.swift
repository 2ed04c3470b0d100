import Foundation

/// The normalizers loupe supports (HF `normalizers`), with HF's alignment behaviour.
indirect enum Normalizer: Sendable {
    case sequence([Normalizer])
    case precompiled(PrecompiledCharsmap)
    case replace(ReplacePattern, content: [UInt32])
    case bert(BertNormalizer)
    case lowercase

    init(json: JSONValue) throws {
        guard let type = json["type"]?.string else {
            throw TokenizerError.invalidModel("normalizer without a \"type\"")
        }
        switch type {
        case "Sequence":
            let items = json["normalizers"]?.array ?? []
            self = .sequence(try items.map { try Normalizer(json: $0) })
        case "Precompiled":
            guard let b64 = json["precompiled_charsmap"]?.string else {
                // A null charsmap is HF's identity normalizer.
                self = .sequence([]); return
            }
            self = .precompiled(try PrecompiledCharsmap(base64: b64))
        case "Replace":
            guard let content = json["content"]?.string, let pattern = json["pattern"] else {
                throw TokenizerError.invalidModel("Replace normalizer needs \"pattern\" and \"content\"")
            }
            self = .replace(try ReplacePattern(json: pattern, component: "Replace normalizer"), content: scalarsOf(content))
        case "BertNormalizer":
            let lower = json["lowercase"]?.bool ?? true
            self = .bert(BertNormalizer(
                cleanText: json["clean_text"]?.bool ?? true,
                handleChineseChars: json["handle_chinese_chars"]?.bool ?? true,
                stripAccents: json["strip_accents"]?.bool ?? lower,
                lowercase: lower))
        case "Lowercase":
            self = .lowercase
        default:
            throw TokenizerError.unsupported(component: "normalizer", type: type)
        }
    }

    /// Whether it works per character, per grapheme cluster, or on matches that cannot span a space that
    /// follows an ASCII letter or digit (a literal with whitespace after its first character could).
    var isLocalAroundSpaces: Bool {
        switch self {
        case .sequence(let items): return items.allSatisfy(\.isLocalAroundSpaces)
        case .precompiled, .bert, .lowercase: return true
        case .replace(.run, _): return true
        case .replace(.literal(let p), _): return !p.dropFirst().contains(where: isRustWhitespace)
        }
    }

    func normalize(_ s: inout NormalizedString) {
        switch self {
        case .sequence(let items): for n in items { n.normalize(&s) }
        case .precompiled(let map): map.normalize(&s)
        case .replace(let pattern, let content): replaceMatches(&s, pattern: pattern, content: content)
        case .bert(let b): b.normalize(&s)
        case .lowercase: lowercaseAll(&s)
        }
    }
}

/// A `Replace`/`Split` pattern: a literal, or the small regex forms tokenizer.json files use
/// (`c{n,}`, `c+`, a literal with no metacharacters). Other regexes are a typed error.
enum ReplacePattern: Sendable {
    case literal([UInt32])
    /// A run of at least `min` copies of `scalar` (greedy).
    case run(UInt32, min: Int)

    init(json: JSONValue, component: String) throws {
        if let s = json["String"]?.string {
            guard !s.isEmpty else { throw TokenizerError.invalidModel("\(component) with an empty pattern") }
            self = .literal(scalarsOf(s)); return
        }
        guard let re = json["Regex"]?.string else {
            throw TokenizerError.invalidModel("\(component) pattern must be {\"String\": …} or {\"Regex\": …}")
        }
        let sc = scalarsOf(re)
        let meta = Set("\\^$.|?*+()[]{}".unicodeScalars.map(\.value))
        if !sc.isEmpty && !sc.contains(where: meta.contains) { self = .literal(sc); return }
        if sc.count == 2, !meta.contains(sc[0]), sc[1] == UInt32(UInt8(ascii: "+")) { self = .run(sc[0], min: 1); return }
        if sc.count >= 5, !meta.contains(sc[0]), sc[1] == 0x7B, sc.last == 0x7D, sc[sc.count - 2] == 0x2C,
           let n = Int(stringFromScalars(sc[2..<(sc.count - 2)])), n >= 1 {
            self = .run(sc[0], min: n); return
        }
        throw TokenizerError.unsupported(component: component + " regex", type: re)
    }

    /// Non-overlapping matches, left to right.
    func matches(in s: [UInt32]) -> [Range<Int>] {
        var out = [Range<Int>]()
        switch self {
        case .run(let c, let minCount):
            var i = 0
            while i < s.count {
                if s[i] == c {
                    var j = i + 1
                    while j < s.count && s[j] == c { j += 1 }
                    if j - i >= minCount { out.append(i..<j) }
                    i = j
                } else { i += 1 }
            }
        case .literal(let p):
            var i = 0
            while i + p.count <= s.count {
                if s[i] == p[0] && s[i..<(i + p.count)].elementsEqual(p) { out.append(i..<(i + p.count)); i += p.count } else { i += 1 }
            }
        }
        return out
    }
}

/// HF `NormalizedString::replace`: each match is removed and the content inserted, every
/// inserted scalar aligned to the match's last scalar (so `a   b` → `a b` with the space
/// spanning only the third original space).
func replaceMatches(_ s: inout NormalizedString, pattern: ReplacePattern, content: [UInt32]) {
    let found = pattern.matches(in: s.scalars)
    guard !found.isEmpty else { return }
    var scalars = [UInt32](), spans = [Span]()
    scalars.reserveCapacity(s.count); spans.reserveCapacity(s.count)
    var last = 0
    for m in found {
        scalars.append(contentsOf: s.scalars[last..<m.lowerBound])
        spans.append(contentsOf: s.spans[last..<m.lowerBound])
        let align = s.spans[m.upperBound - 1]
        for c in content { scalars.append(c); spans.append(align) }
        last = m.upperBound
    }
    scalars.append(contentsOf: s.scalars[last...])
    spans.append(contentsOf: s.spans[last...])
    s.scalars = scalars; s.spans = spans
}

/// HF `lowercase`: each scalar becomes its full lowercase mapping; extra scalars are insertions
/// aligned like the scalar they came from.
func lowercaseAll(_ s: inout NormalizedString) {
    if !s.scalars.contains(where: { $0 >= 0x80 || ($0 >= 0x41 && $0 <= 0x5A) }) { return }
    var scalars = [UInt32](), spans = [Span]()
    scalars.reserveCapacity(s.count); spans.reserveCapacity(s.count)
    for (v, span) in zip(s.scalars, s.spans) {
        if v < 0x80 {
            scalars.append(v >= 0x41 && v <= 0x5A ? v + 32 : v); spans.append(span)
        } else if let u = Unicode.Scalar(v) {
            if !u.properties.changesWhenLowercased { scalars.append(v); spans.append(span); continue }
            for l in u.properties.lowercaseMapping.unicodeScalars { scalars.append(l.value); spans.append(span) }
        }
    }
    s.scalars = scalars; s.spans = spans
}

/// HF `BertNormalizer`.
struct BertNormalizer: Sendable {
    var cleanText: Bool
    var handleChineseChars: Bool
    var stripAccents: Bool
    var lowercase: Bool

    func normalize(_ s: inout NormalizedString) {
        if cleanText {
            s.filter { !($0 == 0 || $0 == 0xFFFD || isBertControl($0)) }
            s.map { isBertWhitespace($0) ? 0x20 : $0 }
        }
        if handleChineseChars && s.scalars.contains(where: isChineseChar) {
            // (' ', 0), (c, +1), (' ', +1): all three take the CJK char's alignment.
            var scalars = [UInt32](), spans = [Span]()
            for (v, span) in zip(s.scalars, s.spans) {
                if isChineseChar(v) {
                    scalars.append(contentsOf: [0x20, v, 0x20]); spans.append(contentsOf: [span, span, span])
                } else { scalars.append(v); spans.append(span) }
            }
            s.scalars = scalars; s.spans = spans
        }
        if stripAccents && s.scalars.contains(where: { $0 >= 0x80 }) {
            // NFD (first scalar of a decomposition replaces, the rest are insertions), then drop Mn.
            var scalars = [UInt32](), spans = [Span]()
            for (v, span) in zip(s.scalars, s.spans) {
                if v < 0xC0 { scalars.append(v); spans.append(span); continue }
                for d in canonicalDecomposition(v) { scalars.append(d); spans.append(span) }
            }
            s.scalars = scalars; s.spans = spans
            s.filter { v in
                guard v >= 0x300 else { return true }
                return !isUnicode8NonspacingMark(v)
            }
        }
        if lowercase { lowercaseAll(&s) }
    }
}

/// Full canonical decomposition of one scalar.
func canonicalDecomposition(_ v: UInt32) -> [UInt32] {
    if v < 0xC0 { return [v] }
    if v >= 0xAC00 && v <= 0xD7A3 {
        // Hangul syllables decompose algorithmically into conjoining jamo.
        let s = v - 0xAC00
        let t = s % 28
        var out: [UInt32] = [0x1100 + s / 588, 0x1161 + (s % 588) / 28]
        if t != 0 { out.append(0x11A7 + t) }
        return out
    }
    return canonicalDecompositions[v] ?? [v]
}

/// Canonical decompositions of every scalar that has one (Hangul aside), taken from Foundation
/// once: asking Foundation per character while tokenizing is far too slow. The blocks listed
/// are a superset of those holding canonically decomposable characters (Unicode 16).
private let canonicalDecompositions: [UInt32: [UInt32]] = {
    let blocks: [ClosedRange<UInt32>] = [
        0xC0...0x4FF, 0x600...0x6FF, 0x900...0xDFF, 0xF00...0x10FF, 0x1B00...0x1BFF, 0x1E00...0x1FFF,
        0x2000...0x2ADF, 0x3000...0x30FF, 0xF900...0xFB4F, 0x10500...0x105FF, 0x11000...0x119FF,
        0x16100...0x161FF, 0x16D00...0x16DFF, 0x1D100...0x1D1FF, 0x2F800...0x2FA1F,
    ]
    var table = [UInt32: [UInt32]]()
    for block in blocks {
        for v in block {
            guard let u = Unicode.Scalar(v) else { continue }
            let d = String(Character(u)).decomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
            if !d.isEmpty && d != [v] { table[v] = d }
        }
    }
    return table
}()

/// Rust `char::is_whitespace` plus tab/newline/CR (HF's BERT `is_whitespace`).
@inline(__always) func isBertWhitespace(_ v: UInt32) -> Bool {
    if v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D { return true }
    if v < 0x80 { return v == 0x0B || v == 0x0C }
    return Unicode.Scalar(v)?.properties.isWhitespace ?? false
}

/// HF's BERT `is_control`: the `unicode_categories` crate's "other" (Cc, Cf, Co, Cs; not Cn:
/// unassigned code points are kept and end up as [UNK]) except \t \n \r.
@inline(__always) func isBertControl(_ v: UInt32) -> Bool {
    if v == 0x09 || v == 0x0A || v == 0x0D { return false }
    if v < 0x20 || v == 0x7F { return true }
    if v < 0x80 { return false }
    guard let u = Unicode.Scalar(v) else { return false }
    switch u.properties.generalCategory {
    case .control, .format, .privateUse, .surrogate: return inUnicode8(u)
    default: return false
    }
}

/// Mn in Unicode 8.0. Seven scalars changed category since; their 8.0 category is what HF sees
/// (found by sweeping every code point through tokenizers 0.23.3).
func isUnicode8NonspacingMark(_ v: UInt32) -> Bool {
    switch v {
    case 0x1734, 0x1171E: return true
    case 0x1885, 0x1886, 0xA9BD, 0x111C9: return false
    default:
        guard let u = Unicode.Scalar(v) else { return false }
        return u.properties.generalCategory == .nonspacingMark && inUnicode8(u)
    }
}

/// HF's BERT normalizer and pre-tokenizer classify characters with the `unicode_categories`
/// crate, whose tables are Unicode 8.0: a character assigned later counts as unassigned there
/// (not punctuation, not a format char, not a nonspacing mark). Checked against tokenizers 0.23.
@inline(__always) func inUnicode8(_ u: Unicode.Scalar) -> Bool {
    guard let age = u.properties.age else { return false }
    return age.major < 8 || (age.major == 8 && age.minor == 0)
}

@inline(__always) func isChineseChar(_ v: UInt32) -> Bool {
    switch v {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
         0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
    default: return false
    }
}

/// HF's BERT punctuation: ASCII punctuation or a Unicode 8.0 P* character.
@inline(__always) func isBertPunctuation(_ v: UInt32) -> Bool {
    if v < 0x80 {
        return (v >= 0x21 && v <= 0x2F) || (v >= 0x3A && v <= 0x40) || (v >= 0x5B && v <= 0x60) || (v >= 0x7B && v <= 0x7E)
    }
    if v == 0x166D || v == 0x111C9 { return true }  // Po in 8.0, since recategorized
    guard let u = Unicode.Scalar(v) else { return false }
    switch u.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation: return inUnicode8(u)
    default: return false
    }
}
