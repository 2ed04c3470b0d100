import Foundation

/// Terminal display width of text, per grapheme (Swift `Character`), like `wcwidth` but for whole
/// grapheme clusters: the explorer lays out cells itself, so it must agree with the terminal on
/// how many columns each visible thing takes.
///
/// Rules: East Asian Wide / Fullwidth → 2; emoji presentation (or any emoji + VS16, ZWJ sequences,
/// flag pairs) → 2; combining marks, format characters and other zero-width scalars → 0 when they
/// stand alone; controls → 0 (callers sanitize them away first); everything else → 1.
public enum DisplayWidth {
    /// Width of one grapheme cluster in terminal columns (0, 1, 2, rarely more for conjuncts).
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count > 1 {
            // Emoji sequences (ZWJ, skin tone, keycap, VS16) and flag pairs render as one wide glyph.
            var emoji = false
            for s in scalars {
                if s.value == 0xFE0F || s.value == 0x200D || s.properties.isEmojiPresentation
                    || isRegionalIndicator(s) { emoji = true; break }
            }
            if emoji { return 2 }
        }
        // Base + combining marks, conjuncts, Hangul jamo: the sum of the scalars' widths, which is
        // what wcwidth-based terminals will draw (a Devanagari conjunct takes two columns).
        if scalars.count == 1 { return scalarWidth(first) }
        return scalars.reduce(0) { $0 + scalarWidth($1) }
    }

    /// Width of a whole string: the sum over its graphemes.
    public static func of(_ s: String) -> Int {
        var w = 0
        for c in s { w += of(c) }
        return w
    }

    /// Width of one scalar (wcwidth).
    public static func scalarWidth(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 { return 0 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }           // C0/C1 controls
        if v < 0x300 { return 1 }                                       // fast path: Latin
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0x1160...0x11FF).contains(v) { return 0 }   // ZWSP, Hangul medial jamo
        if s.properties.isEmojiPresentation { return 2 }
        for r in wideRanges where r.contains(v) { return 2 }
        return 1
    }

    static func isRegionalIndicator(_ s: Unicode.Scalar) -> Bool { (0x1F1E6...0x1F1FF).contains(s.value) }

    /// East Asian Wide (W) and Fullwidth (F) blocks (Unicode 15 EastAsianWidth.txt, coalesced).
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
        0x23F3...0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F,
        0x2693...0x2693, 0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5,
        0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5,
        0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728,
        0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
        0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,
        0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A,
        0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB,
        0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}

/// Text prepared for cell layout: control characters and bidi overrides removed.
public enum DisplayText {
    /// Replaces tabs/newlines with spaces and drops other controls and explicit bidi controls
    /// (embeddings/overrides/isolates): they would reorder neighbouring cells in terminals that
    /// implement bidi and break column accounting; letters of RTL scripts are kept in logical order.
    public static func sanitize(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var changed = false
        for u in s.unicodeScalars {
            switch u.value {
            case 0x09, 0x0A, 0x0D: out.append(" "); changed = true
            case 0x00..<0x20, 0x7F..<0xA0: changed = true
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: changed = true
            default: out.append(u)
            }
        }
        return changed ? String(out) : s
    }

    /// The longest prefix of `s` that fits in `width` columns, ending in "…" when `s` was cut.
    /// Never splits a grapheme; a wide grapheme that would straddle the edge is dropped whole.
    public static func truncate(_ s: String, width: Int) -> String {
        guard width > 0 else { return "" }
        // One pass that stops as soon as the width is exceeded: O(width), not O(text), so a
        // 10 MB single-line document costs nothing to draw.
        var used = 0
        var cut = s.startIndex            // end of the longest prefix that fits in width − 1
        var i = s.startIndex
        while i < s.endIndex {
            let next = s.index(after: i)
            let w = DisplayWidth.of(s[i])
            if used + w <= width - 1 { cut = next }
            used += w
            if used > width { return String(s[..<cut]) + "…" }
            i = next
        }
        return s
    }

    /// At most `limit` graphemes of `s`, sanitized, and whether anything was left out: what to
    /// lay out in a row or a pane without touching the rest of a huge text.
    public static func head(_ s: String, graphemes limit: Int) -> (text: String, cut: Bool) {
        var end = s.startIndex
        var n = 0
        while end < s.endIndex && n < limit { end = s.index(after: end); n += 1 }
        return (sanitize(String(s[..<end])), end < s.endIndex)
    }

    /// `s` truncated or right-padded with spaces to exactly `width` columns.
    public static func fit(_ s: String, width: Int) -> String {
        let t = truncate(s, width: width)
        let w = DisplayWidth.of(t)
        return w < width ? t + String(repeating: " ", count: width - w) : t
    }

    /// `s` left-padded to `width` columns (numbers in tables).
    public static func padLeft(_ s: String, width: Int) -> String {
        let w = DisplayWidth.of(s)
        return w < width ? String(repeating: " ", count: width - w) + s : truncate(s, width: width)
    }

    /// Greedy word wrap into lines of at most `width` columns (long words are split by grapheme).
    public static func wrap(_ s: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in sanitize(s).split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            var ww = DisplayWidth.of(word)
            if lineWidth > 0 && lineWidth + 1 + ww > width {
                lines.append(line); line = ""; lineWidth = 0
            }
            while ww > width {                                  // a word longer than a line
                var head = ""
                var hw = 0
                for c in word {
                    let cw = DisplayWidth.of(c)
                    if hw + cw > width - lineWidth - (lineWidth > 0 ? 1 : 0) { break }
                    head.append(c); hw += cw
                }
                if head.isEmpty { lines.append(line); line = ""; lineWidth = 0; continue }
                line += (lineWidth > 0 ? " " : "") + head
                lines.append(line); line = ""; lineWidth = 0
                word = String(word.dropFirst(head.count)); ww = DisplayWidth.of(word)
            }
            if !word.isEmpty {
                line += (lineWidth > 0 ? " " : "") + word
                lineWidth += (lineWidth > 0 ? 1 : 0) + ww
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
